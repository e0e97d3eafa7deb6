/* The nudge badge: a small pill at the editor's top-right corner showing how many
 * findings the draft has and the highest risk in colour. It sits just outside the editor's
 * box (never covers, changes or moves its text or caret), in its own closed shadow root;
 * the count and level are only in the label inside it, never in page-visible attributes. */
"use strict";

(() => {
  const SL = (globalThis.SecondLook = globalThis.SecondLook || {});
  if (SL.Badge) return;

  const COLORS = { none: "#2e7d32", low: "#558b2f", medium: "#b26a00", high: "#d84315", critical: "#b71c1c", [SL.BADGE_SKIPPED]: "#757575" };
  const STYLE = `
    :host { all: initial; position: absolute; z-index: 2147483646; }
    button { all: unset; box-sizing: border-box; display: inline-flex; align-items: center; gap: 4px;
      height: 22px; min-width: 22px; padding: 0 7px; border-radius: 11px; cursor: pointer;
      font: 600 12px/22px system-ui, "Noto Sans CJK KR", "Malgun Gothic", sans-serif; color: #fff;
      background: var(--sl-color); box-shadow: 0 1px 3px rgba(0,0,0,.3); opacity: .92; }
    button:hover, button:focus-visible { opacity: 1; outline: 2px solid #1a73e8; outline-offset: 1px; }
    .dot { width: 8px; height: 8px; border-radius: 50%; background: #fff; opacity: .85; }`;

  const badges = new Map(); // editor -> Badge (this frame's editors only)

  /**
   * Where the badge goes: just outside the editor's box (above its top-right corner, or
   * below it when there is no room above), so it never covers text. An editor that is an
   * iframe's body is anchored to the iframe element in the parent document when reachable.
   */
  function anchorOf(editor) {
    if (editor.tagName === "BODY") {
      try {
        const frame = editor.ownerDocument.defaultView.frameElement;
        if (frame) return frame;
      } catch {
        // cross-origin parent: stays in the frame
      }
    }
    return editor;
  }

  class Badge {
    constructor(editor, onOpen) {
      this.editor = editor;
      this.anchor = anchorOf(editor);
      this.doc = this.anchor.ownerDocument;
      ({ host: this.host, root: this.root } = SL.shadowHost(this.doc, "badge", STYLE));
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
      this.root.append(this.button);
      this.place = this.place.bind(this);
    }

    show(count, level, complete = true) {
      this.button.style.setProperty("--sl-color", COLORS[level] || COLORS[SL.BADGE_SKIPPED]);
      this.root.querySelector(".count").textContent = level === SL.BADGE_SKIPPED ? "?" : complete ? String(count) : `${count}+`;
      const label =
        level === SL.BADGE_SKIPPED
          ? chrome.i18n.getMessage("badgeSkipped")
          : !complete
            ? chrome.i18n.getMessage("badgeIncomplete", [String(count), chrome.i18n.getMessage(`risk_${level}`)])
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
      const win = this.doc.defaultView;
      const height = this.button.offsetHeight || 22;
      const width = this.button.offsetWidth || 30;
      let rect;
      if (this.anchor.tagName === "BODY") {
        rect = { top: 0, bottom: win.innerHeight, right: win.innerWidth }; // own frame only: its bottom-right corner
        this.host.style.top = `${Math.round(win.scrollY + rect.bottom - height - 2)}px`;
      } else {
        rect = this.anchor.getBoundingClientRect();
        const above = rect.top + win.scrollY - height - 2;
        this.host.style.top = `${Math.round(above >= 0 ? above : rect.bottom + win.scrollY + 2)}px`;
      }
      this.host.style.left = `${Math.round(Math.max(0, rect.right + win.scrollX - width))}px`;
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
    /** ``complete`` false: the companion could not check the whole draft in time (never "nothing found"). */
    show(editor, count, level, onOpen, complete = true) {
      if (editor.ownerDocument !== document) return; // the frame that owns the editor manages its badge
      let badge = badges.get(editor);
      if (!badge) {
        badge = new Badge(editor, onOpen);
        badges.set(editor, badge);
      }
      badge.show(count, level, complete);
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
