/* Content-script entry: wires the nudge (debounced check of the edited editor), the
 * pre-post review flow and the dialog routing to the top-level frame. All companion
 * traffic goes through the background (chrome.runtime messages); nothing is stored. */
"use strict";

(() => {
  const SL = (globalThis.SecondLook = globalThis.SecondLook || {});
  if (SL.started) return;
  SL.started = true;
  const { Message: MSG, Purpose: PURPOSE, DialogMode: MODE, Action: ACTION, Reason: REASON } = SL; // shared/constants.js

  const NUDGE_DELAY_MS = 400;
  const isTop = window === window.top;

  function send(message) {
    try {
      return chrome.runtime.sendMessage(message).catch(() => null);
    } catch {
      return Promise.resolve(null); // extension reloaded: this page's script is orphaned
    }
  }

  // ---- review dialog routing: always in the top-level document ----
  const pendingReviews = new Map();

  async function showReview(payload) {
    if (isTop) return SL.ReviewDialog.open(payload);
    const requestId = crypto.randomUUID();
    const result = new Promise((resolve) => pendingReviews.set(requestId, resolve));
    const forwarded = await send({ type: MSG.REVIEW_OPEN, requestId, payload });
    if (forwarded && forwarded.ok) return result;
    pendingReviews.delete(requestId);
    return SL.ReviewDialog.open(payload); // top frame not covered: show it here
  }

  chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (message.type === MSG.REVIEW_SHOW && isTop) {
      SL.ReviewDialog.open(message.payload).then((decision) =>
        send({ type: MSG.REVIEW_DECISION, requestId: message.requestId, targetFrameId: message.sourceFrameId, decision }),
      );
      sendResponse({ ok: true });
    } else if (message.type === MSG.REVIEW_RESULT) {
      const resolve = pendingReviews.get(message.requestId);
      if (resolve) {
        pendingReviews.delete(message.requestId);
        resolve(message.decision);
      }
    }
    return false;
  });

  // ---- applying a decision ----
  function sendFeedback(outcomes) {
    if (outcomes.length) send({ type: MSG.FEEDBACK, items: outcomes });
  }

  /**
   * Plan the decision's text ("post": the draft as written; "apply": the accepted redactions,
   * applied here by the companion's rule), ask the service worker to judge that text (the
   * policy lives there), then, for "apply", write the redactions through each editor and
   * check they landed. The badge's panel ("panel") applies without posting: no verdict.
   * Resolves {ok: true} when the post may go out as the editors now hold it, else
   * {ok: false, notice} naming why not ("blocked", "not-applied", "changed", …).
   */
  async function carryOut(fields, combined, findings, decision) {
    if (SL.Redaction.combine(fields).text !== combined.text) return { ok: false, notice: REASON.CHANGED };
    const edits = decision.action === ACTION.POST ? null : SL.Redaction.plan(combined, findings, decision.accept, decision.replacements);
    if (decision.action !== MODE.PANEL) {
      const text = edits ? edits.map((e) => e.result).join(SL.SEPARATOR) : combined.text;
      const verdict = await send({ type: MSG.DECIDE, text });
      if (!verdict) return { ok: true }; // extension gone: never trap the user's post
      if (!verdict.canPost) return { ok: false, notice: verdict.reason || REASON.BLOCKED };
    }
    if (edits && !(await SL.Redaction.write(fields, edits))) return { ok: false, notice: REASON.NOT_APPLIED };
    return { ok: true };
  }

  /** "Back to editing": findings highlighted in their editors; each press selects the next one. */
  function highlight(fields, combined, findings) {
    const spans = [];
    fields.forEach((field, i) => {
      const { start, end } = combined.bounds[i];
      for (const f of findings) {
        if (f.start_utf16 >= start && f.start_utf16 < end) spans.push({ field, start: f.start_utf16 - start, end: Math.min(f.end_utf16, end) - start });
      }
    });
    spans.sort((a, b) => fields.indexOf(a.field) - fields.indexOf(b.field) || a.start - b.start);
    for (const field of fields) {
      const own = spans.filter((s) => s.field === field);
      if (own.length) field.model.highlight(own);
    }
    SL.FindingCursor.start(spans);
  }

  /** Fail open: the post goes out unchecked, and the page says so, why, and how to fix it. */
  function markSkipped(fields, reason) {
    for (const f of fields) SL.Badge.show(f.editor, 0, SL.BADGE_SKIPPED, openPanel);
    SL.Notice.show(reason);
  }

  /** Resolves true when the held submission may go out (possibly after redaction). */
  SL.reviewBeforePost = async function reviewBeforePost(fields) {
    let notice = "";
    for (;;) {
      const combined = SL.Redaction.combine(fields);
      const reply = await send({ type: MSG.CHECK, text: combined.text, purpose: PURPOSE.SUBMIT });
      if (!reply) return true; // extension gone: never trap the user's post
      if (reply.paused) return true;
      if (!reply.ok) {
        if (reply.policy.fail_mode !== SL.FailMode.CLOSED) {
          markSkipped(fields, reply.error);
          return true;
        }
        const retry = await showReview({ mode: MODE.ERROR, reason: reply.error });
        if (retry.action === ACTION.RETRY) continue;
        if (retry.action === ACTION.EDIT) fields[0].editor.focus();
        return false;
      }
      // a refused edit or a blocked choice is always explained, even when what remains is below warn_level
      if (!reply.warn && !notice) return true;
      const { findings, risk, complete } = reply.result;
      const decision = await showReview({ mode: MODE.SUBMIT, text: combined.text, findings, risk, complete, canPost: reply.canPost, reason: reply.reason, notice });
      notice = "";
      if (decision.neverFlag && decision.neverFlag.length) {
        await send({ type: MSG.ALLOW_ADD, terms: decision.neverFlag });
        continue; // checked again without those terms
      }
      if (decision.action === ACTION.POST || decision.action === ACTION.APPLY) {
        const done = await carryOut(fields, combined, findings, decision);
        if (!done.ok) {
          notice = done.notice; // nothing was posted and nothing is recorded as accepted
          continue;
        }
        sendFeedback(decision.action === ACTION.POST ? decision.outcomes.map((o) => ({ entity_type: o.entity_type, action: SL.Outcome.DISMISSED })) : decision.outcomes);
        return true;
      }
      if (decision.action === ACTION.EDIT) highlight(fields, combined, findings);
      return false;
    }
  };

  // ---- the nudge ----
  const nudgeTimers = new Map();

  /** Check an editor's text; a newer nudge of this frame aborts this one in the service worker. */
  async function nudge(editor) {
    const field = SL.Editors.field(editor);
    const text = field.model.text();
    if (!text.trim()) return SL.Badge.hide(editor);
    const reply = await send({ type: MSG.CHECK, text, purpose: PURPOSE.NUDGE });
    if (reply && !reply.ok && reply.error === REASON.ABORTED) return; // superseded
    if (field.model.text() !== text) return; // typed meanwhile: a newer check is scheduled
    if (!reply || reply.paused) return SL.Badge.hide(editor);
    if (!reply.ok) return SL.Badge.show(editor, 0, SL.BADGE_SKIPPED, openPanel);
    SL.Badge.show(editor, reply.result.findings.length, reply.result.risk.level, openPanel, reply.result.complete !== false);
  }

  function scheduleNudge(editor) {
    clearTimeout(nudgeTimers.get(editor));
    nudgeTimers.set(editor, setTimeout(() => {
      nudgeTimers.delete(editor);
      if (!SL.SubmitGuard.isBusy()) nudge(editor);
    }, NUDGE_DELAY_MS));
  }

  /** The badge opens the review panel for its editor: apply writes into the draft, nothing is posted. */
  async function openPanel(editor) {
    const fields = [SL.Editors.field(editor)];
    let notice = "";
    for (;;) {
      const combined = SL.Redaction.combine(fields);
      const reply = await send({ type: MSG.CHECK, text: combined.text, purpose: PURPOSE.PANEL });
      if (!reply || !reply.ok) {
        SL.Badge.show(editor, 0, SL.BADGE_SKIPPED, openPanel);
        return SL.Notice.show(reply ? reply.error : SL.Unchecked.INTERNAL);
      }
      const { findings, risk, complete } = reply.result;
      const decision = await showReview({ mode: MODE.PANEL, text: combined.text, findings, risk, complete, canPost: true, notice });
      notice = "";
      if (decision.neverFlag && decision.neverFlag.length) {
        await send({ type: MSG.ALLOW_ADD, terms: decision.neverFlag });
        continue;
      }
      if (decision.action === ACTION.APPLY) {
        const done = await SL.SubmitGuard.during(() => carryOut(fields, combined, findings, { ...decision, action: MODE.PANEL }));
        if (!done.ok) {
          notice = done.notice;
          continue;
        }
        sendFeedback(decision.outcomes);
      }
      scheduleNudge(editor);
      return;
    }
  }

  window.addEventListener(
    "input",
    (e) => {
      const editor = SL.Editors.editorFor(e.composedPath()[0]);
      if (!editor) return;
      SL.Editors.field(editor).model.clearHighlight();
      if (e.isTrusted) SL.FindingCursor.stop(); // the user edits: the findings' offsets no longer hold
      scheduleNudge(editor);
    },
    true,
  );

  SL.SubmitGuard.install(window);
})();
