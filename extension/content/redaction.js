/* The accepted redactions, applied here by the companion's own overlap rule (its
 * engine/redact.py `non_overlapping`; shared vectors in tests/vectors/overlap.json), and
 * written into the editors. Drafts made of several fields (title + body) are analysed as
 * one text joined by SecondLook.SEPARATOR (shared/constants.js): each finding is mapped
 * back to its field and written as its own edit, so rich editors keep their formatting. */
"use strict";

(() => {
  const SL = (globalThis.SecondLook = globalThis.SecondLook || {});
  if (SL.Redaction) return;

  const { SEPARATOR } = SL;

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

  /** Order of importance: higher rank (the companion's `rank`), longer (code points), higher score, earlier. */
  const moreImportant = (a, b) => b.rank - a.rank || b.end - b.start - (a.end - a.start) || b.score - a.score || a.start - b.start;

  /**
   * Of overlapping findings, the most important ones (see moreImportant), sorted by start:
   * the same choice as the companion's `non_overlapping` for the same findings.
   */
  function nonOverlapping(findings) {
    const chosen = [];
    for (const f of [...findings].sort(moreImportant)) {
      let lo = 0;
      let hi = chosen.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (chosen[mid].start < f.start) lo = mid + 1;
        else hi = mid;
      }
      if ((lo < chosen.length && chosen[lo].start < f.end) || (lo > 0 && chosen[lo - 1].end > f.start)) continue;
      chosen.splice(lo, 0, f);
    }
    return chosen;
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

  /**
   * The edits of each field, {spans (local UTF-16, in order), result}: the accepted findings
   * (ids in `accept`) kept by nonOverlapping, each replaced by `replacements[id]` (its
   * suggestion when none is given), as the companion's /v1/redact would. A finding that runs
   * past its field's end (over the separator) is replaced in the field it starts in, and the
   * rest of it is taken out of the next field.
   */
  function plan(combined, findings, accept, replacements) {
    const accepted = new Set(accept);
    const chosen = nonOverlapping(findings.filter((f) => accepted.has(f.id)));
    return combined.texts.map((t, i) => {
      const { start, end } = combined.bounds[i];
      const spans = chosen
        .filter((f) => f.start_utf16 < end && f.end_utf16 > start)
        .map((f) => ({
          id: f.id,
          start: Math.max(f.start_utf16, start) - start,
          end: Math.min(f.end_utf16, end) - start,
          text: f.start_utf16 >= start ? replacements[f.id] ?? f.suggestion : "",
        }));
      return { spans, result: applySpans(t, spans) };
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

  SL.Redaction = { combine, nonOverlapping, plan, write };
})();
