/* Drafts made of several fields (title + body) are analysed as one text joined by
 * SEPARATOR. This module maps findings back to their fields and writes the companion's
 * redaction back into each field as minimal edits, so rich editors keep their formatting. */
"use strict";

(() => {
  const SL = (globalThis.SecondLook = globalThis.SecondLook || {});
  if (SL.Redaction) return;

  const SEPARATOR = "\n\n";

  /** {text, bounds:[{start,end}]} for the fields' current texts (UTF-16 offsets). */
  function combine(fields) {
    const texts = fields.map((f) => f.model.text());
    const bounds = [];
    let pos = 0;
    for (const t of texts) {
      bounds.push({ start: pos, end: pos + t.length });
      pos += t.length + SEPARATOR.length;
    }
    return { text: texts.join(SEPARATOR), texts, bounds };
  }

  /** Findings of field i, as local UTF-16 spans, non-overlapping, in order. */
  function spansOf(combined, findings, index, replacements) {
    const { start, end } = combined.bounds[index];
    const spans = findings
      .filter((f) => f.start_utf16 >= start && f.start_utf16 < end && f.id in replacements)
      .map((f) => ({ id: f.id, start: f.start_utf16 - start, end: Math.min(f.end_utf16, end) - start, text: replacements[f.id] }))
      .sort((a, b) => a.start - b.start || b.end - a.end);
    const out = [];
    for (const s of spans) if (!out.length || s.start >= out[out.length - 1].end) out.push(s);
    return out;
  }

  function applySpans(text, spans) {
    let out = "";
    let pos = 0;
    for (const s of spans) {
      out += text.slice(pos, s.start) + s.text;
      pos = s.end;
    }
    return out + text.slice(pos);
  }

  /** One edit turning `from` into `to`: common prefix and suffix kept. */
  function diffSpan(from, to) {
    let a = 0;
    while (a < from.length && a < to.length && from[a] === to[a]) a += 1;
    let b = 0;
    while (b < from.length - a && b < to.length - a && from[from.length - 1 - b] === to[to.length - 1 - b]) b += 1;
    return { start: a, end: from.length - b, text: to.slice(a, to.length - b) };
  }

  /**
   * Target text of each field. `redacted` is the companion's redaction of the combined
   * text (null when it could not be reached). When it equals our span-by-span reading
   * the edits are the finding spans; otherwise the companion's text is split at the
   * separators and each field gets one diff edit.
   */
  function plan(combined, findings, replacements, redacted) {
    const local = combined.texts.map((t, i) => {
      const spans = spansOf(combined, findings, i, replacements);
      return { spans, result: applySpans(t, spans) };
    });
    if (redacted === null || redacted === local.map((l) => l.result).join(SEPARATOR)) return local;
    const parts = redacted.split(SEPARATOR);
    if (parts.length !== combined.texts.length) {
      // a field itself contains blank lines: only the last (body) field may, so join the rest back
      const head = parts.slice(0, combined.texts.length - 1);
      parts.splice(0, parts.length, ...head, parts.slice(combined.texts.length - 1).join(SEPARATOR));
    }
    return combined.texts.map((t, i) => {
      const span = diffSpan(t, parts[i]);
      return { spans: span.start === span.end && !span.text ? [] : [span], result: parts[i] };
    });
  }

  /**
   * Write the plan into the editors, last span first so earlier offsets stay valid, each
   * edit through the editor's input pipeline and awaited until the editor settled. Resolves
   * true only when, re-read after settling, every field holds exactly its planned text:
   * every accepted redaction is really in the editor the site will post from.
   */
  async function write(fields, edits) {
    for (const [i, f] of fields.entries()) {
      for (const s of [...edits[i].spans].reverse()) {
        if (!(await f.model.replace(s.start, s.end, s.text))) break; // the editor refused: verified below
      }
    }
    for (const [i, f] of fields.entries()) {
      if (!SL.sameText(await f.model.settle(), edits[i].result)) return false;
    }
    return true;
  }

  SL.Redaction = { SEPARATOR, combine, plan, write };
})();
