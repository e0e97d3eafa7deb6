/* The review dialog, rendered in the top-level document in its own shadow root:
 * a live preview of the post as it would go out, one row per finding (category, why, editable
 * replacement, accept/dismiss), and the actions apply / edit / post / cancel, or
 * retry when the companion could not be reached and the policy fails closed. */
"use strict";

(() => {
  const SL = (globalThis.SecondLook = globalThis.SecondLook || {});
  if (SL.ReviewDialog) return;

  const msg = (key, subs) => chrome.i18n.getMessage(key, subs) || key;
  const { DialogMode: MODE, Action: ACTION, Outcome: OUTCOME } = SL; // shared/constants.js
  const FOCUSABLE = "button:not([disabled]), input:not([disabled]), [tabindex]:not([tabindex='-1'])";
  const STYLE = `
    :host { all: initial; position: fixed; inset: 0; z-index: 2147483647; }
    * { box-sizing: border-box; }
    .backdrop { position: fixed; inset: 0; background: rgba(20, 24, 28, .45); display: flex;
      align-items: center; justify-content: center; padding: 16px;
      font: 14px/1.55 system-ui, "Noto Sans CJK KR", "Apple SD Gothic Neo", "Malgun Gothic", sans-serif; color: #1f2328; }
    .dialog { background: #fff; border-radius: 10px; width: min(680px, 100%); max-height: calc(100vh - 32px);
      display: flex; flex-direction: column; overflow: hidden; box-shadow: 0 12px 40px rgba(0,0,0,.3); }
    h2 { font-size: 18px; margin: 0; padding: 14px 22px 6px; flex: none; }
    .body { flex: 1 1 auto; min-height: 0; overflow: auto; padding: 0 22px 10px; overscroll-behavior: contain; }
    .listhead { display: flex; align-items: baseline; justify-content: space-between; gap: 8px; flex-wrap: wrap; }
    .bulk { display: flex; gap: 6px; }
    .bulk button { font-size: 12px; padding: 2px 10px; }
    button.link { border: none; background: none; color: #0b5c53; text-decoration: underline; padding: 4px 4px; font-size: 12px; }
    h3 { font-size: 13px; margin: 14px 0 6px; color: #57606a; font-weight: 600; }
    p { margin: 4px 0; }
    .risk { display: inline-block; padding: 1px 10px; border-radius: 10px; color: #fff; font-weight: 600; font-size: 12px; }
    .risk[data-level="medium"] { background: #b26a00; } .risk[data-level="high"] { background: #d84315; }
    .risk[data-level="critical"] { background: #b71c1c; } .risk[data-level="low"], .risk[data-level="none"] { background: #558b2f; }
    .reasons { color: #57606a; font-size: 13px; }
    .draft { white-space: pre-wrap; word-break: break-word; background: #f6f8fa; border: 1px solid #d0d7de;
      border-radius: 6px; padding: 8px 12px; max-height: 120px; overflow: auto; }
    mark { background: #ffe08a; border-bottom: 2px solid #d84315; padding: 0 1px; color: inherit; }
    mark[data-state="accepted"] { background: #d7f0e9; border-bottom: 2px solid #0b5c53; }
    mark[data-state="dismissed"] { background: #ffe08a; border-bottom: 2px solid #d84315; }
    ol { list-style: none; margin: 0; padding: 0; display: grid; gap: 6px; }
    li { border: 1px solid #d0d7de; border-radius: 8px; padding: 6px 10px; }
    li[data-state="dismissed"] { background: #f6f8fa; color: #57606a; }
    .head { display: flex; gap: 8px; align-items: baseline; flex-wrap: wrap; }
    .cat { font-size: 12px; font-weight: 600; color: #0b5c53; background: #e0f2ef; border-radius: 4px; padding: 0 6px; }
    .text { font-weight: 600; }
    .why { font-size: 12px; color: #444c56; margin: 0; }
    .row { display: flex; gap: 6px; align-items: center; margin-top: 4px; flex-wrap: wrap; }
    .row button { padding: 2px 10px; }
    label { font-size: 12px; color: #57606a; display: flex; gap: 6px; align-items: center; flex: 1 1 220px; }
    input { flex: 1; min-width: 0; font: inherit; padding: 3px 8px; border: 1px solid #8c959f; border-radius: 5px; }
    button { font: inherit; border-radius: 6px; border: 1px solid #8c959f; background: #fff; padding: 4px 12px; cursor: pointer; }
    button:focus-visible, input:focus-visible { outline: 3px solid #1a73e8; outline-offset: 1px; }
    button[aria-pressed="true"] { background: #0b5c53; color: #fff; border-color: #0b5c53; }
    .actions { flex: none; display: flex; gap: 8px; justify-content: flex-end; flex-wrap: wrap; padding: 12px 22px;
      border-top: 1px solid #d0d7de; background: #fff; }
    .actions .primary { background: #0b5c53; color: #fff; border-color: #0b5c53; font-weight: 600; }
    .note { font-size: 13px; color: #b71c1c; margin-top: 10px; }`;

  let current = null; // {close(decision)}

  function el(doc, tag, attrs = {}, text) {
    const node = doc.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /**
   * The post as it would go out: the draft with the accepted findings replaced by their
   * replacements, by the rule the redaction is applied with (SL.Redaction.nonOverlapping:
   * of overlapping accepted findings only the most important is replaced), inserted text
   * marked; dismissed findings not inside a replaced span marked as kept. UTF-16 offsets.
   */
  function renderPreview(box, text, findings, stateOf) {
    const doc = box.ownerDocument;
    box.replaceChildren();
    const replaced = SL.Redaction.nonOverlapping(findings.filter((f) => stateOf(f).accepted));
    const overlapsReplaced = (f) => replaced.some((r) => r.start_utf16 < f.end_utf16 && f.start_utf16 < r.end_utf16);
    const kept = findings.filter((f) => !stateOf(f).accepted && !overlapsReplaced(f));
    const spans = [...replaced, ...kept].sort((a, b) => a.start_utf16 - b.start_utf16);
    let pos = 0;
    for (const f of spans) {
      if (f.start_utf16 < pos) continue; // overlapping kept findings: their rows still list them
      box.append(text.slice(pos, f.start_utf16));
      const { accepted, replacement } = stateOf(f);
      const shown = accepted ? replacement : text.slice(f.start_utf16, f.end_utf16);
      box.append(el(doc, "mark", { "data-highlight": f.id, "data-state": accepted ? "accepted" : "dismissed" }, shown));
      pos = f.end_utf16;
    }
    box.append(text.slice(pos));
  }

  function renderFinding(doc, f) {
    const item = el(doc, "li", { "data-finding-id": f.id, "data-category": f.category, "data-state": "accepted" });
    const head = el(doc, "div", { class: "head" });
    head.append(el(doc, "span", { class: "cat" }, msg(`category_${f.category}`)), el(doc, "span", { class: "text" }, f.text));
    item.append(head);
    if (f.reason) item.append(el(doc, "p", { class: "why" }, f.reason));
    const row = el(doc, "div", { class: "row" });
    const label = el(doc, "label", {}, msg("replacementLabel"));
    const input = el(doc, "input", { type: "text", "data-field": "replacement", "aria-label": `${msg("replacementLabel")}: ${f.text}` });
    input.value = f.suggestion || "";
    label.append(input);
    const accept = el(doc, "button", { type: "button", "data-decision": "accept", "aria-pressed": "true" }, msg("decisionAccept"));
    const dismiss = el(doc, "button", { type: "button", "data-decision": "dismiss", "aria-pressed": "false" }, msg("decisionDismiss"));
    const never = el(doc, "button", { type: "button", "data-decision": "never", class: "link", title: msg("neverFlagHint") }, msg("neverFlag"));
    row.append(label, accept, dismiss, never);
    item.append(row);
    return item;
  }

  /**
   * Open the dialog. payload.mode: "submit" (before posting), "panel" (from the badge:
   * apply to the draft only) or "error" (fail closed). payload.canPost and payload.reason
   * are the service worker's verdict (the policy is decided there, only shown here);
   * payload.notice explains why the last attempt was not posted. Resolves with the decision:
   * {action, accept, replacements, outcomes, neverFlag}. Only trusted (user) input acts.
   */
  function open(payload) {
    if (current) current.close({ action: ACTION.CANCEL, accept: [], replacements: {}, outcomes: [] });
    const doc = document;
    const { host, root } = SL.shadowHost(doc, "review", STYLE);
    host.setAttribute("data-mode", payload.mode);
    const backdrop = el(doc, "div", { class: "backdrop" });
    const dialog = el(doc, "div", { class: "dialog", role: "dialog", "aria-modal": "true", "aria-labelledby": "sl-title", "data-mode": payload.mode });
    const scroll = el(doc, "div", { class: "body" });
    backdrop.append(dialog);
    root.append(backdrop);
    const previousFocus = doc.activeElement;

    const findings = payload.findings || [];
    const risk = payload.risk || { level: SL.RISK_LEVELS[0], reasons: [] };
    const actions = el(doc, "div", { class: "actions" });
    const button = (action, key, primary) =>
      el(doc, "button", { type: "button", "data-action": action, class: primary ? "primary" : "" }, msg(key));
    let preview = null;

    const itemOf = (f) => root.querySelector(`li[data-finding-id="${CSS.escape(f.id)}"]`);
    const stateOf = (f) => {
      const item = itemOf(f);
      return { accepted: Boolean(item) && item.dataset.state === "accepted", replacement: item ? item.querySelector('[data-field="replacement"]').value : "" };
    };
    const refresh = () => {
      if (preview) renderPreview(preview, payload.text, findings, stateOf);
    };

    if (payload.mode === MODE.ERROR) {
      const unpaired = payload.reason === SL.Unchecked.UNPAIRED; // something answers on the port, but it is not this user's companion
      dialog.setAttribute("data-state", unpaired ? "unpaired" : "unreachable");
      const bodyText = unpaired ? msg("failClosedBodyUnpaired") : msg("failClosedBody");
      dialog.append(el(doc, "h2", { id: "sl-title" }, msg("failClosedTitle")));
      scroll.append(el(doc, "p", { "data-field": "message" }, bodyText));
      actions.append(button(ACTION.RETRY, "actionRetry", true), button(ACTION.EDIT, "actionEdit"), button(ACTION.CANCEL, "actionCancel"));
    } else {
      dialog.append(el(doc, "h2", { id: "sl-title" }, msg(payload.mode === MODE.PANEL ? "panelTitle" : "reviewTitle")));
      if (payload.notice) scroll.append(el(doc, "p", { class: "note", role: "alert", "data-field": "notice", "data-notice": payload.notice }, msg(`notice_${payload.notice.replace(/-/g, "_")}`)));
      if (payload.complete === false) scroll.append(el(doc, "p", { class: "note", role: "alert", "data-field": "incomplete" }, msg("reviewIncomplete")));
      const riskLine = el(doc, "p");
      riskLine.append(el(doc, "span", { class: "risk", "data-level": risk.level, "data-field": "risk" }, `${msg("riskLabel")}: ${msg(`risk_${risk.level}`)}`));
      scroll.append(riskLine);
      if (risk.reasons && risk.reasons.length) scroll.append(el(doc, "p", { class: "reasons" }, risk.reasons.join(" · ")));
      if (payload.mode === MODE.SUBMIT && findings.length) scroll.append(el(doc, "p", {}, msg("reviewIntro")));
      if (payload.mode === MODE.SUBMIT && !payload.canPost) scroll.append(el(doc, "p", { class: "note", "data-field": "blocked" }, msg("blockedNote")));
      preview = el(doc, "div", { class: "draft", "data-field": "preview", tabindex: "0", "aria-live": "polite" });
      scroll.append(el(doc, "h3", {}, msg("previewFinalLabel")), preview);
      if (findings.length) {
        const bulk = el(doc, "div", { class: "bulk" });
        bulk.append(
          el(doc, "button", { type: "button", "data-bulk": "accept" }, msg("acceptAll")),
          el(doc, "button", { type: "button", "data-bulk": "dismiss" }, msg("keepAll")),
        );
        const list = el(doc, "ol", { "aria-label": msg("findingsLabel") });
        for (const f of findings) list.append(renderFinding(doc, f));
        const heading = el(doc, "div", { class: "listhead" });
        heading.append(el(doc, "h3", {}, msg("findingsLabel")), bulk);
        scroll.append(heading, list);
      }
      if (payload.mode === MODE.SUBMIT) {
        actions.append(button(ACTION.APPLY, "actionApplyPost", true), button(ACTION.EDIT, "actionEdit"));
        if (payload.canPost) actions.append(button(ACTION.POST, "actionPost"));
        actions.append(button(ACTION.CANCEL, "actionCancel"));
      } else {
        if (findings.length) actions.append(button(ACTION.APPLY, "actionApply", true));
        actions.append(button(ACTION.CANCEL, "actionClose"));
      }
    }
    dialog.append(scroll, actions);
    refresh();

    const setState = (item, state) => {
      item.dataset.state = state;
      item.querySelector('[data-decision="accept"]').setAttribute("aria-pressed", String(state === "accepted"));
      item.querySelector('[data-decision="dismiss"]').setAttribute("aria-pressed", String(state === "dismissed"));
      refresh();
    };

    const decision = (action) => {
      const out = { action, accept: [], replacements: {}, outcomes: [], neverFlag: [] };
      for (const f of findings) {
        const item = itemOf(f);
        if (!item) continue;
        const { accepted, replacement } = stateOf(f);
        if (accepted) {
          out.accept.push(f.id);
          out.replacements[f.id] = replacement;
        }
        out.outcomes.push({ entity_type: f.entity_type, action: !accepted ? OUTCOME.DISMISSED : replacement !== (f.suggestion || "") ? OUTCOME.EDITED : OUTCOME.ACCEPTED });
      }
      return out;
    };

    return new Promise((resolve) => {
      const close = (result) => {
        current = null;
        host.remove();
        if (previousFocus && previousFocus.isConnected && result.action !== ACTION.EDIT) previousFocus.focus({ preventScroll: true });
        resolve(result);
      };
      current = { close };

      root.addEventListener("click", (e) => {
        if (!e.isTrusted) return; // a page script's click() never decides for the user
        const target = e.target.closest("button");
        if (!target) return;
        if (target.dataset.bulk) {
          for (const item of root.querySelectorAll("li[data-finding-id]")) setState(item, target.dataset.bulk === "accept" ? "accepted" : "dismissed");
        } else if (target.dataset.decision === "never") {
          const f = findings.find((x) => x.id === target.closest("li").dataset.findingId);
          close({ ...decision(ACTION.RECHECK), neverFlag: [f.text] });
        } else if (target.dataset.decision) {
          setState(target.closest("li"), target.dataset.decision === "accept" ? "accepted" : "dismissed");
        } else if (target.dataset.action) {
          close(decision(target.dataset.action));
        }
      });
      root.addEventListener("input", (e) => {
        if (e.isTrusted) refresh();
      });
      // Focus trap and Esc; keys typed in the dialog never reach the page.
      host.addEventListener("keydown", (e) => {
        e.stopPropagation();
        if (!e.isTrusted) return;
        if (e.key === "Escape") {
          e.preventDefault();
          close({ action: ACTION.CANCEL, accept: [], replacements: {}, outcomes: [] });
        } else if (e.key === "Tab") {
          const items = [...root.querySelectorAll(FOCUSABLE)];
          const index = items.indexOf(root.activeElement);
          const next = e.shiftKey ? (index <= 0 ? items.length - 1 : index - 1) : index === items.length - 1 ? 0 : index + 1;
          e.preventDefault();
          items[next].focus();
        } else if (e.key === "Enter" && root.activeElement && root.activeElement.tagName === "INPUT") {
          e.preventDefault(); // Enter in a replacement field does not submit anything
        }
      });
      for (const type of ["keyup", "keypress", "input", "beforeinput"]) host.addEventListener(type, (e) => e.stopPropagation());
      // the top layer: outside <body> so a contenteditable body never contains it
      doc.documentElement.appendChild(host);
      const first = root.querySelector(".actions .primary") || root.querySelector(FOCUSABLE);
      if (first) first.focus({ preventScroll: true }); // the dialog opens at its top: risk and draft first
    });
  }

  SL.ReviewDialog = { open, isOpen: () => Boolean(current) };
})();
