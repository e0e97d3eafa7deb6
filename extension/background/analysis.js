/* What is asked of the companion for a draft, and how its answers become one result:
 * the user's personal allow list goes with every request, lone surrogates become U+FFFD
 * (same UTF-16 length, so offsets stay valid), a draft longer than the companion accepts
 * is analysed in windows instead of skipped, and a nudge superseded by a newer one for the
 * same frame is aborted. Transport and pairing stay in companion-client.js. The accepted
 * redactions are applied by the content script (content/redaction.js), not asked of the companion. */
"use strict";

const ALLOW_MAX_TERMS = 200;
const ALLOW_MAX_LENGTH = 100;
const WINDOW_MIN_CHARS = 500;

/** The text with every lone surrogate replaced by U+FFFD (what the companion can decode). */
function wellFormed(text) {
  return typeof text.toWellFormed === "function"
    ? text.toWellFormed()
    : text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}

/** A term the user may add to the personal allow list: trimmed, non-empty, bounded. */
function allowTerm(term) {
  const t = wellFormed(String(term || "")).trim();
  return t && t.length <= ALLOW_MAX_LENGTH ? t : "";
}

/**
 * Split `text` into consecutive windows of at most `size` UTF-16 units, cut at a paragraph
 * break or a space near the end of each window (so a name is rarely cut) and never inside
 * a surrogate pair. Each window: {text, start (UTF-16), cpStart (code points)}.
 */
function windowsOf(text, size) {
  const out = [];
  let start = 0;
  let cpStart = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + size);
    if (end < text.length) {
      const floor = start + Math.floor(size * 0.8);
      const para = text.lastIndexOf("\n", end - 1);
      const space = text.lastIndexOf(" ", end - 1);
      const cut = para > floor ? para + 1 : space > floor ? space + 1 : end;
      end = cut;
      const code = text.charCodeAt(end - 1);
      if (code >= 0xd800 && code <= 0xdbff) end -= 1;
    }
    const piece = text.slice(start, end);
    out.push({ text: piece, start, cpStart });
    cpStart += [...piece].length;
    start = end;
  }
  return out;
}

/** Findings of all windows in draft offsets; the risk of the draft is the highest window risk. */
function mergeWindows(windows, results) {
  const findings = [];
  const reasons = [];
  let level = SecondLook.RISK_LEVELS[0];
  results.forEach((result, i) => {
    const w = windows[i];
    for (const f of result.findings) {
      findings.push({ ...f, start: f.start + w.cpStart, end: f.end + w.cpStart, start_utf16: f.start_utf16 + w.start, end_utf16: f.end_utf16 + w.start });
    }
    if (SecondLook.RISK_LEVELS.indexOf(result.risk.level) > SecondLook.RISK_LEVELS.indexOf(level)) level = result.risk.level;
    for (const r of result.risk.reasons || []) if (!reasons.includes(r)) reasons.push(r);
  });
  const first = results[0] || {};
  const complete = results.every((r) => r.complete !== false); // one window out of time: the draft is not fully checked
  return { ...first, findings, risk: { ...first.risk, level, reasons }, windows: windows.length, complete };
}

const Analysis = {
  /** Largest window the companion is known to accept (learned from 413 answers; memory only). */
  windowSize: Infinity,
  /** Nudge requests in flight by "tab:frame": a newer nudge aborts the older one. */
  _nudges: new Map(),

  /** The personal allow list (chrome.storage.local only: never synced). */
  async allowList() {
    const allowTerms = await stored(SecondLook.StorageKey.ALLOW_TERMS); // site-policy.js
    return Array.isArray(allowTerms) ? allowTerms.filter((t) => typeof t === "string").slice(0, ALLOW_MAX_TERMS) : [];
  },

  async addAllowTerms(terms) {
    const list = await this.allowList();
    for (const term of terms) {
      const t = allowTerm(term);
      if (t && !list.includes(t) && list.length < ALLOW_MAX_TERMS) list.push(t);
    }
    await chrome.storage.local.set({ [SecondLook.StorageKey.ALLOW_TERMS]: list });
    return list;
  },

  async removeAllowTerm(term) {
    const list = (await this.allowList()).filter((t) => t !== term);
    await chrome.storage.local.set({ [SecondLook.StorageKey.ALLOW_TERMS]: list });
    return list;
  },

  /**
   * An AbortSignal for a nudge from this frame, aborting the frame's previous nudge (and,
   * for a pre-post check, any nudge still running: its answer no longer matters).
   */
  signalFor(sender, purpose) {
    const key = `${sender.tab ? sender.tab.id : "-"}:${sender.frameId || 0}`;
    const previous = this._nudges.get(key);
    if (previous) previous.abort();
    this._nudges.delete(key);
    if (purpose !== SecondLook.Purpose.NUDGE) return { signal: undefined, done() {} };
    const controller = new AbortController();
    this._nudges.set(key, controller);
    return {
      signal: controller.signal,
      done: () => {
        if (this._nudges.get(key) === controller) this._nudges.delete(key);
      },
    };
  },

  /** POST the draft, in windows when the companion refuses its length (413). */
  async _windowed(settings, text, call) {
    for (;;) {
      const windows = text.length > this.windowSize ? windowsOf(text, this.windowSize) : [{ text, start: 0, cpStart: 0 }];
      try {
        const results = [];
        for (const w of windows) results.push(await call(w.text));
        return { windows, results };
      } catch (err) {
        if (!(err instanceof CompanionError && err.status === 413)) throw err;
        const longest = Math.max(...windows.map((w) => w.text.length));
        if (longest <= WINDOW_MIN_CHARS) throw err;
        this.windowSize = Math.max(WINDOW_MIN_CHARS, Math.floor(longest / 2));
      }
    }
  },

  /** Findings and risk of a draft, whatever its length; text is made well-formed first. */
  async analyze(settings, rawText, signal) {
    const text = wellFormed(rawText);
    const allow = await this.allowList();
    const { windows, results } = await this._windowed(settings, text, (piece) => {
      const body = { text: piece, language: "auto" };
      if (allow.length) body.allow = allow;
      return CompanionClient.request(settings, "POST", "/v1/analyze", body, undefined, signal);
    });
    return results.length === 1 ? results[0] : mergeWindows(windows, results);
  },
};
