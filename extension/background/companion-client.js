/* SecondLook companion client: every request to the local companion goes through here.
 * Only the service worker (or background page in Firefox) loads this file; content
 * scripts never talk to the companion themselves. Draft text is sent in request
 * bodies only and never logged or stored.
 *
 * Pairing v2 (docs/trust.md): the secret comes from managed storage (IT) or from this
 * user's `secondlook native-host` over native messaging, never from the network. Before
 * every request but health, a fresh nonce goes to POST /v1/pair with the exact host and
 * port connected to; only when the answer proves the secret for that address does the
 * request follow, authenticated by a MAC over the single-use server nonce, method and
 * path. Nothing is cached between requests, so a program that takes the port after a
 * pairing gets the next challenge and nothing else. */
"use strict";

const NATIVE_HOST = "org.secondlook.companion";
const API_VERSION = 1;
const NATIVE_TIMEOUT_MS = 5000;
const PAIR_CONTEXT = "secondlook-pair-v2";
const REQUEST_CONTEXT = "secondlook-request-v2";
const OPEN_PATHS = ["/v1/health", "/v1/pair"];

class CompanionError extends Error {
  /** @param {string} kind a SecondLook.Unchecked reason (unreachable, timeout, starting, unauthorized,
   *  unpaired), SecondLook.Reason.ABORTED or "http" (any other refusal: main.js names it too-long or refused).
   *  "unpaired": the program at the address did not prove this user's secret ("companion not verified"). */
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

function hmacKey(secret, usage) {
  return crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [usage]);
}

/** True when proofHex is HMAC-SHA256(secret, "secondlook-pair-v2\n<host>\n<port>\n<nonce>"), checked in constant time by WebCrypto. */
async function verifyPairProof(secret, host, port, nonceHex, proofHex) {
  if (typeof proofHex !== "string" || !/^[0-9a-f]{64}$/.test(proofHex)) return false;
  const proof = new Uint8Array(proofHex.match(/../g).map((h) => parseInt(h, 16)));
  const message = new TextEncoder().encode(`${PAIR_CONTEXT}\n${host}\n${port}\n${nonceHex}`);
  return crypto.subtle.verify("HMAC", await hmacKey(secret, "verify"), proof, message);
}

/** The Authorization header for one request after a verified pairing. */
async function requestAuthorization(secret, serverNonce, method, path) {
  const message = new TextEncoder().encode(`${REQUEST_CONTEXT}\n${serverNonce}\n${method}\n${path}`);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret, "sign"), message));
  return `SecondLook nonce=${serverNonce}, mac=${Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** The host as signed and compared: lowercase, without IPv6 brackets. */
function plainHost(host) {
  return String(host || SecondLook.Companion.FALLBACK_HOST).trim().replace(/^\[|\]$/g, "").toLowerCase();
}

const CompanionClient = {
  /** The native host's last answer {secret, host, port} (memory only; asked again after a mismatch). */
  _native: null,
  _nativeAsk: null,
  /** Why the last pairing failed ("" after a success): "mismatch", "not_here", "no-secret", "http-404", "unreachable", … */
  lastPairError: "",

  /** This user's secret, host and port from `secondlook native-host`; {} when it is not installed. */
  async native() {
    if (this._native) return this._native;
    if (!this._nativeAsk) {
      this._nativeAsk = (async () => {
        let answer = null;
        try {
          answer = await Promise.race([
            chrome.runtime.sendNativeMessage(NATIVE_HOST, { type: "hello" }),
            new Promise((resolve) => setTimeout(() => resolve(null), NATIVE_TIMEOUT_MS)),
          ]);
        } catch {
          answer = null; // not registered for this browser, or it failed to start
        }
        const ok = answer && answer.type === "hello" && typeof answer.secret === "string" && answer.secret;
        const result = ok
          ? { secret: answer.secret, host: plainHost(answer.host), port: Number.isInteger(answer.port) ? answer.port : undefined }
          : {};
        if (ok) this._native = result;
        return result;
      })().finally(() => {
        this._nativeAsk = null;
      });
    }
    return this._nativeAsk;
  },

  /** Forget the native host's answer (the secret may have been replaced): asked again next time. */
  forgetNative() {
    this._native = null;
  },

  url(settings, path) {
    const host = plainHost(settings.host);
    return `http://${host.includes(":") ? `[${host}]` : host}:${settings.port}${path}`;
  },

  /**
   * Challenge the program at settings.host:port; the single-use server nonce when it proves
   * this user's secret for exactly that address. Throws CompanionError("unpaired") otherwise:
   * nothing else may be sent to it then.
   */
  async pair(settings, signal) {
    if (!settings.secret) {
      this.lastPairError = "no-secret";
      throw new CompanionError(SecondLook.Unchecked.UNPAIRED, 0, "no-secret");
    }
    const host = plainHost(settings.host);
    const nonce = randomNonce();
    let answer;
    try {
      answer = await this._fetch(settings, "POST", "/v1/pair", { nonce, host, port: settings.port }, {}, SecondLook.Companion.REQUEST_TIMEOUT_MS, signal);
    } catch (err) {
      this.lastPairError = err.kind === "http" || err.kind === SecondLook.Unchecked.UNAUTHORIZED ? err.code || `http-${err.status}` : err.kind;
      // Timeouts and a starting companion keep their kind; any other answer means "not verified".
      const { UNREACHABLE, TIMEOUT, STARTING, UNPAIRED } = SecondLook.Unchecked;
      if ([UNREACHABLE, TIMEOUT, STARTING, SecondLook.Reason.ABORTED].includes(err.kind)) throw err;
      throw new CompanionError(UNPAIRED, err.status, err.code);
    }
    let valid = false;
    try {
      valid = Boolean(answer) && typeof answer.server_nonce === "string" && /^[0-9a-f]{64}$/.test(answer.server_nonce) &&
        (await verifyPairProof(settings.secret, host, settings.port, nonce, answer.proof));
    } catch {
      valid = false;
    }
    if (!valid) {
      this.lastPairError = "mismatch";
      this.forgetNative();
      throw new CompanionError(SecondLook.Unchecked.UNPAIRED, 200, "mismatch");
    }
    this.lastPairError = "";
    return answer.server_nonce;
  },

  /**
   * @param {{host:string, port:number, secret:string}} settings
   * @param {string} method
   * @param {string} path  e.g. "/v1/analyze"
   * @param {object} [body]
   * @param {number} [timeoutMs]
   * @param {AbortSignal} [signal] aborts the request (a superseded nudge): CompanionError("aborted")
   */
  async request(settings, method, path, body, timeoutMs = SecondLook.Companion.REQUEST_TIMEOUT_MS, signal = undefined) {
    const headers = {};
    if (!OPEN_PATHS.includes(path)) {
      // Anything that carries something goes only to a companion that just proved the secret.
      const serverNonce = await this.pair(settings, signal);
      headers.Authorization = await requestAuthorization(settings.secret, serverNonce, method, path);
    }
    return this._fetch(settings, method, path, body, headers, timeoutMs, signal);
  },

  async _fetch(settings, method, path, body, extraHeaders, timeoutMs, signal) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    if (signal) signal.addEventListener("abort", () => controller.abort(), { once: true });
    const headers = { Accept: "application/json", ...extraHeaders };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(this.url(settings, path), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
        cache: "no-store",
        credentials: "omit",
      });
    } catch (err) {
      if (signal && signal.aborted) throw new CompanionError(SecondLook.Reason.ABORTED);
      throw new CompanionError(controller.signal.aborted ? SecondLook.Unchecked.TIMEOUT : SecondLook.Unchecked.UNREACHABLE);
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
      const code = data && data.error ? String(data.error.code || "") : "";
      const { STARTING, UNAUTHORIZED } = SecondLook.Unchecked;
      const kind = response.status === 503 ? STARTING : response.status === 401 ? UNAUTHORIZED : "http";
      throw new CompanionError(kind, response.status, code);
    }
    return data;
  },

  /** Health with measured round-trip latency (carries nothing, so it is not paired). */
  async health(settings) {
    const started = performance.now();
    const data = await this.request(settings, "GET", "/v1/health");
    return { ...data, latency_ms: Math.round(performance.now() - started), compatible: data.api === API_VERSION };
  },

  policy(settings) {
    return this.request(settings, "GET", "/v1/policy");
  },

  /** One review's decisions (entity type and action, never text) in one request. */
  feedback(settings, items) {
    return this.request(settings, "POST", "/v1/feedback", { items });
  },
};
