/* The page notice for a draft that was not checked (fail open): says that the post goes
 * out unchecked, why (program not running, too slow, refused, too long, not paired) and
 * how to fix it. Shown in the top-right corner of this frame's document, in its own
 * closed shadow root, until closed or for NOTICE_MS; a newer notice replaces it. */
"use strict";

(() => {
  const SL = (globalThis.SecondLook = globalThis.SecondLook || {});
  if (SL.Notice) return;

  const NOTICE_MS = 20000;
  const msg = (key) => chrome.i18n.getMessage(key) || key;
  const STYLE = `
    :host { all: initial; position: fixed; top: 12px; right: 12px; z-index: 2147483646; }
    .box { box-sizing: border-box; width: min(380px, calc(100vw - 24px)); background: #fff8e1; color: #1f2328;
      border: 1px solid #b26a00; border-left: 6px solid #b26a00; border-radius: 8px; padding: 10px 12px;
      box-shadow: 0 4px 16px rgba(0,0,0,.25); font: 13px/1.5 system-ui, "Noto Sans CJK KR", "Malgun Gothic", sans-serif; }
    strong { display: block; font-size: 14px; margin-bottom: 2px; }
    p { margin: 2px 0; }
    button { font: inherit; margin-top: 6px; border: 1px solid #8c959f; border-radius: 5px; background: #fff; padding: 2px 10px; cursor: pointer; }`;

  let shown = null;

  function hide() {
    if (!shown) return;
    clearTimeout(shown.timer);
    shown.host.remove();
    shown = null;
  }

  SL.Notice = {
    /** @param {string} reason why the draft was not checked: unreachable, timeout, refused, too-long, … */
    show(reason) {
      hide();
      const why = Object.values(SL.Unchecked).includes(reason) ? reason : SL.Unchecked.INTERNAL;
      const { host, root } = SL.shadowHost(document, "notice", STYLE);
      const box = document.createElement("div");
      box.className = "box";
      box.setAttribute("role", "alert");
      box.setAttribute("data-reason", why);
      const title = document.createElement("strong");
      title.textContent = msg("noticeTitle");
      const body = document.createElement("p");
      body.textContent = `${msg("noticePosted")} ${msg(`unchecked_${why.replace(/-/g, "_")}`)}`;
      const close = document.createElement("button");
      close.type = "button";
      close.textContent = msg("noticeClose");
      close.addEventListener("click", (e) => {
        if (e.isTrusted) hide();
      });
      box.append(title, body, close);
      root.append(box);
      document.documentElement.appendChild(host);
      shown = { host, timer: setTimeout(hide, NOTICE_MS) };
    },
    hide,
  };
})();
