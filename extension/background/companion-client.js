/* SecondLook companion client: every request to the local companion goes through here.
 * Only the service worker (or background page in Firefox) loads this file; content
 * scripts never talk to the companion themselves. Draft text is sent in request
 * bodies only and never logged or stored. */
"use strict";

const DEFAULT_PORT = 47813;
const API_VERSION = 1;
const REQUEST_TIMEOUT_MS = 2000;

class CompanionError extends Error {
  /** @param {"unreachable"|"timeout"|"starting"|"unauthorized"|"http"} kind */
  constructor(kind, status = 0, code = "") {
    super(`companion ${kind}${status ? ` (${status}${code ? ` ${code}` : ""})` : ""}`);
    this.kind = kind;
    this.status = status;
    this.code = code;
  }
}

const CompanionClient = {
  /**
   * @param {{port:number, token:string}} settings
   * @param {string} method
   * @param {string} path  e.g. "/v1/analyze"
   * @param {object} [body]
   * @param {number} [timeoutMs]
   */
  async request(settings, method, path, body, timeoutMs = REQUEST_TIMEOUT_MS) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (settings.token) headers.Authorization = `Bearer ${settings.token}`;
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
