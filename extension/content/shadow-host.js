/* The one way SecondLook puts its own UI on a page: a host element marked
 * data-secondlook="<kind>" with a closed shadow root holding the UI's stylesheet, so neither
 * the page's CSS nor its scripts reach in (the badge, the review dialog, the notice, the
 * finding cursor). The caller appends its content to `root` and the `host` to the page. */
"use strict";

(() => {
  const SL = (globalThis.SecondLook = globalThis.SecondLook || {});
  if (SL.shadowHost) return;

  /**
   * @param {Document} doc the document the UI will live in (a frame's own, for iframe editors)
   * @param {string} kind what the UI is: badge, review, notice, cursor
   * @param {string} css the UI's stylesheet, scoped to the shadow root
   * @returns {{host: HTMLElement, root: ShadowRoot}}
   */
  SL.shadowHost = (doc, kind, css) => {
    const host = doc.createElement("div");
    host.setAttribute("data-secondlook", kind);
    const root = host.attachShadow({ mode: "closed" });
    const style = doc.createElement("style");
    style.textContent = css;
    root.append(style);
    return { host, root };
  };
})();
