/* After "Back to editing": a small "Next finding (1/3)" pill above the editor that selects
 * each remaining finding in turn (a textarea can show only one selection at a time). It
 * sits outside the editor's box, so it never covers text; it goes with the next edit. */
"use strict";

(() => {
  const SL = (globalThis.SecondLook = globalThis.SecondLook || {});
  if (SL.FindingCursor) return;

  const STYLE = `
    :host { all: initial; position: absolute; z-index: 2147483646; }
    button { all: unset; box-sizing: border-box; height: 22px; padding: 0 10px; border-radius: 11px; cursor: pointer;
      font: 600 12px/22px system-ui, "Noto Sans CJK KR", "Malgun Gothic", sans-serif; color: #fff; background: #0b5c53;
      box-shadow: 0 1px 3px rgba(0,0,0,.3); }
    button:focus-visible { outline: 2px solid #1a73e8; outline-offset: 1px; }`;

  let active = null; // {host, spans, index}

  function stop() {
    if (!active) return;
    active.host.remove();
    active = null;
  }

  function label() {
    const { spans, index, button } = active;
    button.textContent = `${chrome.i18n.getMessage("nextFinding")} (${index + 1}/${spans.length}) ▸`;
  }

  function select(index) {
    active.index = index;
    const span = active.spans[index];
    span.field.model.select(span.start, span.end);
    label();
  }

  SL.FindingCursor = {
    /** spans: [{field, start, end}] in reading order; the first is selected at once. */
    start(spans) {
      stop();
      if (!spans.length) return;
      const editor = spans[0].field.editor;
      const doc = editor.ownerDocument;
      const { host, root } = SL.shadowHost(doc, "cursor", STYLE);
      const button = doc.createElement("button");
      button.type = "button";
      button.addEventListener("mousedown", (e) => e.preventDefault()); // keep the editor's selection
      button.addEventListener("click", (e) => {
        if (!e.isTrusted || !active) return;
        select((active.index + 1) % active.spans.length);
      });
      root.append(button);
      active = { host, spans, index: 0, button };
      label();
      const rect = editor.tagName === "BODY" ? { top: 26, left: 0 } : editor.getBoundingClientRect();
      const win = doc.defaultView;
      host.style.top = `${Math.max(0, Math.round(rect.top + win.scrollY - 26))}px`;
      host.style.left = `${Math.round(rect.left + win.scrollX)}px`;
      doc.documentElement.appendChild(host);
      select(0);
    },
    stop,
    isActive: () => Boolean(active),
  };
})();
