/* SecondLook companion client: every request to the local companion goes through here.
 * Only the service worker (or background page in Firefox) loads this file; content
 * scripts never talk to the companion themselves. Draft text is sent in request
 * bodies only and never logged or stored. */
"use strict";

const DEFAULT_PORT = 47813;
const API_VERSION = 1;
const REQUEST_TIMEOUT_MS = 2000;
const PAIR_CONTEXT = "secondlook-pair-v1";
const PAIR_MAX_AGE_MS = 60000;

class CompanionError extends Error {
  /** @param {"unreachable"|"timeout"|"aborted"|"starting"|"unauthorized"|"unpaired"|"http"} kind */
  constructor(kind, status = 0, code = "") {
    super(`companion ${kind}${status ? ` (${status}${code ? ` ${code}` : ""})` : ""}`);
    this.kind = kind;
    this.status = status;
    this.code = code;
  }
}

function randomNonce() {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** True when proofHex is HMAC-SHA256(token, "secondlook-pair-v1\n<port>\n<nonce>"), compared in constant time. */
async function verifyPairProof(token, port, nonceHex, proofHex) {
  if (typeof proofHex !== "string" || !/^[0-9a-f]{64}$/.test(proofHex)) return false;
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", enc.encode(token), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  const proof = new Uint8Array(proofHex.match(/../g).map((h) => parseInt(h, 16)));
  return crypto.subtle.verify("HMAC", key, proof, enc.encode(`${PAIR_CONTEXT}\n${port}\n${nonceHex}`));
}

const CompanionClient = {
  /**
   * Token mode: the last successful pairing {port, token, at}. Kept in memory only, so a
   * (re)started service worker pairs again before its first authorised request.
   */
  _paired: null,
  /** The pairing in flight, shared by concurrent requests: {port, token, promise}. */
  _pairing: null,
  /** Why the last pairing failed ("" after a success): "mismatch", "no_token", "http-404", "unreachable", … */
  lastPairError: "",

  isPaired(settings) {
    const p = this._paired;
    return Boolean(p && p.port === settings.port && p.token === settings.token && Date.now() - p.at < PAIR_MAX_AGE_MS);
  },

  /** Forget the pairing (network error, 401, 403, settings changed): the next request pairs again. */
  unpair() {
    this._paired = null;
  },

  /**
   * Pair with the companion on settings.port unless a fresh pairing for this port and token
   * exists. Throws CompanionError("unpaired") when the companion there cannot prove it knows
   * the token: nothing, not even the token, may be sent to it then.
   */
  async ensurePaired(settings) {
    if (this.isPaired(settings)) return;
    const inFlight = this._pairing;
    if (inFlight && inFlight.port === settings.port && inFlight.token === settings.token) return inFlight.promise;
    const promise = this._pair(settings).finally(() => {
      if (this._pairing && this._pairing.promise === promise) this._pairing = null;
    });
    this._pairing = { port: settings.port, token: settings.token, promise };
    return promise;
  },

  async _pair(settings) {
    this._paired = null;
    const nonce = randomNonce();
    let answer;
    try {
      // No token here: the challenge goes out before we know who answers.
      answer = await this.request({ port: settings.port, token: "" }, "POST", "/v1/pair", { nonce });
    } catch (err) {
      this.lastPairError = err.kind === "http" || err.kind === "unauthorized" ? err.code || `http-${err.status}` : err.kind;
      // Timeouts and a starting companion keep their kind; a wrong answer means "not yours".
      if (err.kind === "unreachable" || err.kind === "timeout" || err.kind === "starting") throw err;
      throw new CompanionError("unpaired", err.status, err.code);
    }
    let valid = false;
    try {
      valid = Boolean(answer) && (await verifyPairProof(settings.token, settings.port, nonce, answer.proof));
    } catch {
      valid = false;
    }
    if (!valid) {
      this.lastPairError = "mismatch";
      throw new CompanionError("unpaired", 200, "mismatch");
    }
    this.lastPairError = "";
    this._paired = { port: settings.port, token: settings.token, at: Date.now() };
  },

  /**
   * @param {{port:number, token:string}} settings
   * @param {string} method
   * @param {string} path  e.g. "/v1/analyze"
   * @param {object} [body]
   * @param {number} [timeoutMs]
   * @param {AbortSignal} [signal] aborts the request (a superseded nudge): CompanionError("aborted")
   */
  async request(settings, method, path, body, timeoutMs = REQUEST_TIMEOUT_MS, signal = undefined) {
    // Token mode: the token and any draft go only to a companion that proved it knows the token.
    const authorised = Boolean(settings.token) && path !== "/v1/health" && path !== "/v1/pair";
    if (authorised) await this.ensurePaired(settings);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    if (signal) signal.addEventListener("abort", () => controller.abort(), { once: true });
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (authorised) headers.Authorization = `Bearer ${settings.token}`;
    let response;
    try {
      response = await fetch(`http://127.0.0.1:${settings.port}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
        cache: "no-store",
        credentials: "omit",
      });
    } catch (err) {
      if (signal && signal.aborted) throw new CompanionError("aborted");
      if (authorised) this.unpair();
      throw new CompanionError(controller.signal.aborted ? "timeout" : "unreachable");
    } finally {
      clearTimeout(timer);
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (!response.ok) {
      if (authorised && (response.status === 401 || response.status === 403)) this.unpair();
      const code = data && data.error ? String(data.error.code || "") : "";
      const kind = response.status === 503 ? "starting" : response.status === 401 ? "unauthorized" : "http";
      throw new CompanionError(kind, response.status, code);
    }
    return data;
  },

  /** Health with measured round-trip latency. */
  async health(settings) {
    const started = performance.now();
    const data = await this.request(settings, "GET", "/v1/health");
    return { ...data, latency_ms: Math.round(performance.now() - started), compatible: data.api === API_VERSION };
  },

  policy(settings) {
    return this.request(settings, "GET", "/v1/policy");
  },

  analyze(settings, text, site) {
    const body = { text, language: "auto" };
    if (site) body.site = site;
    return this.request(settings, "POST", "/v1/analyze", body);
  },

  redact(settings, text, accept, replacements) {
    return this.request(settings, "POST", "/v1/redact", { text, accept, replacements });
  },

  feedback(settings, entityType, action) {
    return this.request(settings, "POST", "/v1/feedback", { entity_type: entityType, action });
  },
};
