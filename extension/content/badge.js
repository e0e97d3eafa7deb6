/* The nudge badge: a small pill at the editor's top-right corner showing how many
 * findings the draft has and the highest risk in colour. It lives outside the editor
 * (never changes its text or caret) in an open shadow root. */
"use strict";

(() => {
  const SL = (globalThis.SecondLook = globalThis.SecondLook || {});
  if (SL.Badge) return;

  const COLORS = { none: "#2e7d32", low: "#558b2f", medium: "#b26a00", high: "#d84315", critical: "#b71c1c", skipped: "#757575" };
  const STYLE = `
    :host { all: initial; position: absolute; z-index: 2147483646; }
    button { all: unset; box-sizing: border-box; display: inline-flex; align-items: center; gap: 4px;
      height: 22px; min-width: 22px; padding: 0 7px; border-radius: 11px; cursor: pointer;
      font: 600 12px/22px system-ui, "Noto Sans CJK KR", "Malgun Gothic", sans-serif; color: #fff;
      background: var(--sl-color); box-shadow: 0 1px 3px rgba(0,0,0,.3); opacity: .92; }
    button:hover, button:focus-visible { opacity: 1; outline: 2px solid #1a73e8; outline-offset: 1px; }
    .dot { width: 8px; height: 8px; border-radius: 50%; background: #fff; opacity: .85; }`;

  const badges = new Map(); // editor -> Badge (this frame's editors only)

  class Badge {
    constructor(editor, onOpen) {
      this.editor = editor;
      this.doc = editor.ownerDocument;
      this.host = this.doc.createElement("div");
      this.host.setAttribute("data-secondlook", "badge");
      this.root = this.host.attachShadow({ mode: "open" });
      const style = this.doc.createElement("style");
      style.textContent = STYLE;
      this.button = this.doc.createElement("button");
      this.button.type = "button";
      this.button.innerHTML = '<span class="dot"></span><span class="count"></span>';
      this.button.addEventListener("click", (e) => {
        e.preventDefault();
        e.stopPropagation();
        onOpen(this.editor);
      });
      // keep the editor's focus and caret when the badge is clicked
      this.button.addEventListener("mousedown", (e) => e.preventDefault());
      this.root.append(style, this.button);
      this.place = this.place.bind(this);
    }

    show(count, level) {
      this.host.dataset.count = String(count);
      this.host.dataset.level = level;
      this.button.style.setProperty("--sl-color", COLORS[level] || COLORS.skipped);
      this.root.querySelector(".count").textContent = level === "skipped" ? "?" : String(count);
      const label =
        level === "skipped"
          ? chrome.i18n.getMessage("badgeSkipped")
          : count
            ? chrome.i18n.getMessage("badgeFindings", [String(count), chrome.i18n.getMessage(`risk_${level}`)])
            : chrome.i18n.getMessage("badgeClean");
      this.button.title = label;
      this.button.setAttribute("aria-label", label);
      if (!this.host.isConnected) {
        this.doc.documentElement.appendChild(this.host);
        this.doc.defaultView.addEventListener("scroll", this.place, true);
        this.doc.defaultView.addEventListener("resize", this.place);
      }
      this.place();
    }

    place() {
      if (!this.editor.isConnected) return this.remove();
      const rect = this.editor.getBoundingClientRect();
      const win = this.doc.defaultView;
      const top = this.editor.tagName === "BODY" ? 4 : rect.top + 4;
      const right = this.editor.tagName === "BODY" ? win.innerWidth - 8 : rect.right - 8;
      this.host.style.top = `${Math.round(top + win.scrollY)}px`;
      this.host.style.left = `${Math.round(right + win.scrollX - (this.button.offsetWidth || 30))}px`;
    }

    remove() {
      this.host.remove();
      this.doc.defaultView.removeEventListener("scroll", this.place, true);
      this.doc.defaultView.removeEventListener("resize", this.place);
      badges.delete(this.editor);
    }
  }

  SL.Badge = {
    /** Show (or update) the badge of an editor owned by this frame. */
    show(editor, count, level, onOpen) {
      if (editor.ownerDocument !== document) return; // the frame that owns the editor manages its badge
      let badge = badges.get(editor);
      if (!badge) {
        badge = new Badge(editor, onOpen);
        badges.set(editor, badge);
      }
      badge.show(count, level);
    },
    hide(editor) {
      const badge = badges.get(editor);
      if (badge) badge.remove();
    },
    hideAll() {
      for (const badge of [...badges.values()]) badge.remove();
    },
  };
})();
