/* Content-script entry: wires the nudge (debounced check of the edited editor), the
 * pre-post review flow and the dialog routing to the top-level frame. All companion
 * traffic goes through the background (chrome.runtime messages); nothing is stored. */
"use strict";

(() => {
  const SL = (globalThis.SecondLook = globalThis.SecondLook || {});
  if (SL.started) return;
  SL.started = true;

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
    const forwarded = await send({ type: "review-open", requestId, payload });
    if (forwarded && forwarded.ok) return result;
    pendingReviews.delete(requestId);
    return SL.ReviewDialog.open(payload); // top frame not covered: show it here
  }

  chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (message.type === "review-show" && isTop) {
      SL.ReviewDialog.open(message.payload).then((decision) =>
        send({ type: "review-decision", requestId: message.requestId, targetFrameId: message.sourceFrameId, decision }),
      );
      sendResponse({ ok: true });
    } else if (message.type === "review-result") {
      const resolve = pendingReviews.get(message.requestId);
      if (resolve) {
        pendingReviews.delete(message.requestId);
        resolve(message.decision);
      }
    }
    return false;
  });

  // ---- applying a decision ----
  async function applyRedactions(fields, combined, findings, decision) {
    if (SL.Redaction.combine(fields).text !== combined.text) return false; // draft changed meanwhile
    const reply = await send({ type: "redact", text: combined.text, accept: decision.accept, replacements: decision.replacements });
    const edits = SL.Redaction.plan(combined, findings, decision.replacements, reply && reply.ok ? reply.redacted_text : null);
    return SL.Redaction.write(fields, edits);
  }

  function sendFeedback(outcomes) {
    if (outcomes.length) send({ type: "feedback", items: outcomes });
  }

  /** Back to editing: findings highlighted in their editors, focus on the first. */
  function highlight(fields, combined, findings) {
    for (let i = fields.length - 1; i >= 0; i -= 1) {
      const { start, end } = combined.bounds[i];
      const spans = findings
        .filter((f) => f.start_utf16 >= start && f.start_utf16 < end)
        .map((f) => ({ start: f.start_utf16 - start, end: Math.min(f.end_utf16, end) - start }))
        .sort((a, b) => a.start - b.start);
      if (spans.length) fields[i].model.highlight(spans);
    }
  }

  function markSkipped(fields) {
    for (const f of fields) SL.Badge.show(f.editor, 0, "skipped", openPanel);
  }

  /** Resolves true when the held submission may go out (possibly after redaction). */
  SL.reviewBeforePost = async function reviewBeforePost(fields) {
    for (;;) {
      const combined = SL.Redaction.combine(fields);
      const reply = await send({ type: "check", text: combined.text, purpose: "submit" });
      if (!reply) return true; // extension gone: never trap the user's post
      if (reply.paused) return true;
      if (!reply.ok) {
        if (reply.policy.fail_mode !== "closed") {
          markSkipped(fields);
          return true;
        }
        const retry = await showReview({ mode: "error", reason: reply.error });
        if (retry.action === "retry") continue;
        if (retry.action === "edit") fields[0].editor.focus();
        return false;
      }
      if (!reply.warn) return true;
      const { findings, risk } = reply.result;
      const decision = await showReview({ mode: "submit", text: combined.text, findings, risk, policy: reply.policy });
      if (decision.action === "post") {
        sendFeedback(decision.outcomes.map((o) => ({ entity_type: o.entity_type, action: "dismissed" })));
        return true;
      }
      if (decision.action === "apply") {
        const applied = await applyRedactions(fields, combined, findings, decision);
        if (applied) sendFeedback(decision.outcomes);
        return applied;
      }
      if (decision.action === "edit") highlight(fields, combined, findings);
      return false;
    }
  };

  // ---- the nudge ----
  const nudgeQueue = new Set();
  let nudgeTimer = null;
  let nudgeInFlight = false;

  async function nudge(editor) {
    const field = SL.Editors.field(editor);
    const text = field.model.text();
    if (!text.trim()) return SL.Badge.hide(editor);
    const reply = await send({ type: "check", text, purpose: "nudge" });
    if (!reply || reply.paused) return SL.Badge.hide(editor);
    if (!reply.ok) return SL.Badge.show(editor, 0, "skipped", openPanel);
    if (field.model.text() !== text) return; // typed meanwhile: a newer check is queued
    SL.Badge.show(editor, reply.result.findings.length, reply.result.risk.level, openPanel);
  }

  async function flushNudges() {
    if (nudgeInFlight) return; // at most one request in flight; the queue runs after it
    const editor = nudgeQueue.values().next().value;
    if (!editor) return;
    nudgeQueue.delete(editor);
    nudgeInFlight = true;
    try {
      await nudge(editor);
    } finally {
      nudgeInFlight = false;
      if (nudgeQueue.size) flushNudges();
    }
  }

  function scheduleNudge(editor) {
    nudgeQueue.add(editor);
    clearTimeout(nudgeTimer);
    nudgeTimer = setTimeout(flushNudges, NUDGE_DELAY_MS);
  }

  /** The badge opens the review panel for its editor: apply writes into the draft, nothing is posted. */
  async function openPanel(editor) {
    const fields = [SL.Editors.field(editor)];
    const combined = SL.Redaction.combine(fields);
    const reply = await send({ type: "check", text: combined.text, purpose: "panel" });
    if (!reply || !reply.ok) return SL.Badge.show(editor, 0, "skipped", openPanel);
    const { findings, risk } = reply.result;
    const decision = await showReview({ mode: "panel", text: combined.text, findings, risk, policy: reply.policy });
    if (decision.action === "apply" && (await applyRedactions(fields, combined, findings, decision))) {
      sendFeedback(decision.outcomes);
      scheduleNudge(editor);
    }
  }

  window.addEventListener(
    "input",
    (e) => {
      const editor = SL.Editors.editorFor(e.composedPath()[0]);
      if (!editor) return;
      SL.Editors.field(editor).model.clearHighlight();
      scheduleNudge(editor);
    },
    true,
  );

  SL.SubmitGuard.install(window);
})();
