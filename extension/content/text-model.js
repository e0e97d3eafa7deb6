/* Text model of one editor: reads its plain text and maps UTF-16 offsets in that text
 * back to the editor (selection ranges in a textarea/input, DOM ranges in a
 * contenteditable), so findings can be highlighted and redactions written back the way
 * a real edit would (beforeinput/input events the site's editor state listens to). */
"use strict";

(() => {
  const SL = (globalThis.SecondLook = globalThis.SecondLook || {});
  if (SL.TextModel) return;

  const BLOCK_TAGS = new Set([
    "ADDRESS", "ARTICLE", "ASIDE", "BLOCKQUOTE", "DD", "DIV", "DL", "DT", "FIGCAPTION", "FIGURE", "FOOTER",
    "H1", "H2", "H3", "H4", "H5", "H6", "HEADER", "HR", "LI", "MAIN", "NAV", "OL", "P", "PRE", "SECTION",
    "TABLE", "TR", "UL",
  ]);
  const SKIP_TAGS = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE"]);

  /**
   * Texts equal up to what rich editors add for layout: U+00A0 for spaces next to inline
   * boundaries, and zero-width fillers (U+200B, U+2060, U+FEFF) around the caret.
   */
  const plain = (t) => t.replace(/\u00a0/g, " ").replace(/[\u200b\u2060\ufeff]/g, "");
  const sameText = (a, b) => plain(a) === plain(b);

  function isFormControl(el) {
    return el.tagName === "TEXTAREA" || el.tagName === "INPUT"; // tag names work across frames
  }

  /** Walk a contenteditable root: text nodes in order, "\n" between blocks and for <br>. */
  function segmentsOf(root) {
    const segments = []; // {node, start, end} for text nodes; virtual newlines have node null
    let text = "";
    const pushBreak = () => {
      if (text.length && !text.endsWith("\n")) {
        segments.push({ node: null, start: text.length, end: text.length + 1 });
        text += "\n";
      }
    };
    const walk = (node) => {
      for (let child = node.firstChild; child; child = child.nextSibling) {
        if (child.nodeType === Node.TEXT_NODE) {
          const data = child.data;
          // formatting whitespace between blocks is not part of the draft
          if (!data.length || (/^\s*$/.test(data) && data.includes("\n"))) continue;
          segments.push({ node: child, start: text.length, end: text.length + data.length });
          text += data;
        } else if (child.nodeType === Node.ELEMENT_NODE) {
          if (SKIP_TAGS.has(child.tagName) || child.hasAttribute("data-secondlook")) continue;
          if (child.tagName === "BR") {
            segments.push({ node: null, start: text.length, end: text.length + 1 });
            text += "\n";
            continue;
          }
          const block = BLOCK_TAGS.has(child.tagName);
          if (block) pushBreak();
          walk(child);
          if (block) pushBreak();
        }
      }
    };
    walk(root);
    // trailing virtual newline(s) are layout, not text
    while (segments.length && segments[segments.length - 1].node === null && text.endsWith("\n")) {
      segments.pop();
      text = text.slice(0, -1);
    }
    return { text, segments };
  }

  /** DOM position of a text offset; `preferEnd` picks the end of the previous text node at a boundary. */
  function domPosition(root, segments, offset, preferEnd) {
    let last = null;
    for (const seg of segments) {
      if (!seg.node) continue;
      if (offset < seg.start) return last && preferEnd ? { node: last.node, offset: last.end - last.start } : { node: seg.node, offset: 0 };
      if (offset < seg.end || (offset === seg.end && preferEnd)) return { node: seg.node, offset: offset - seg.start };
      last = seg;
    }
    if (last) return { node: last.node, offset: last.end - last.start };
    return { node: root, offset: root.childNodes.length };
  }

  class TextModel {
    /** @param {HTMLElement} el a textarea, text input, or contenteditable editing host */
    constructor(el) {
      this.el = el;
      this.doc = el.ownerDocument;
      this.win = this.doc.defaultView;
      this.isControl = isFormControl(el);
    }

    text() {
      return this.isControl ? this.el.value : segmentsOf(this.el).text;
    }

    /** A DOM Range for [start, end) in UTF-16 units of text(). */
    range(start, end) {
      const { segments } = segmentsOf(this.el);
      const a = domPosition(this.el, segments, start, false);
      const b = domPosition(this.el, segments, end, true);
      const range = this.doc.createRange();
      range.setStart(a.node, a.offset);
      range.setEnd(b.node, b.offset);
      return range;
    }

    /**
     * Resolves with the editor's text once it has settled: at least two animation frames
     * (editors re-render from their model in a frame or a microtask), then re-read until
     * two readings agree. A timer stands in for frames the browser does not paint.
     */
    async settle(maxRounds = 10) {
      const frame = () =>
        new Promise((resolve) => {
          const timer = this.win.setTimeout(resolve, 50);
          this.win.requestAnimationFrame(() => {
            this.win.clearTimeout(timer);
            this.win.queueMicrotask(resolve);
          });
        });
      let last = this.text();
      for (let round = 0; round < maxRounds; round += 1) {
        await frame();
        await frame();
        const now = this.text();
        if (now === last) return now;
        last = now;
      }
      return last;
    }

    /** Select [start, end) the way the user would, so the editor's own selection follows. */
    select(start, end) {
      this.el.focus({ preventScroll: true });
      if (this.isControl) {
        this.el.setSelectionRange(start, end);
        return null;
      }
      const range = this.range(start, end);
      const selection = this.win.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      return range;
    }

    /**
     * Replace [start, end) with `replacement` through the editor's own input pipeline:
     * a cancelable `beforeinput` with the target range (model-first editors such as
     * CKEditor 5, Lexical or Slate apply it to their model and prevent the default); when
     * no editor handled it, the editing command (DOM-first editors such as ProseMirror,
     * Quill, TinyMCE or a textarea read the change back from the DOM). Then waits for the
     * editor to settle and resolves true only when the text really is the expected one
     * (an editor that reverted the change from its model resolves false).
     */
    async replace(start, end, replacement) {
      const before = this.text();
      const expected = before.slice(0, start) + replacement + before.slice(end);
      let range = this.select(start, end);
      if (range) {
        // let the editor see the selection change before the edit, as after a real selection
        await this.settle(1);
        range = this.select(start, end);
        const event = new this.win.InputEvent("beforeinput", {
          inputType: replacement ? (start === end ? "insertText" : "insertReplacementText") : "deleteContent",
          data: replacement || null,
          targetRanges: [new this.win.StaticRange(range)],
          bubbles: true,
          cancelable: true,
          composed: true,
        });
        const target = range.startContainer.nodeType === Node.ELEMENT_NODE ? range.startContainer : range.startContainer.parentElement;
        const handled = !target.dispatchEvent(event);
        if (handled) {
          const now = await this.settle();
          if (now !== before) return sameText(now, expected);
          this.select(start, end); // prevented but not applied: the editing command below
        }
      }
      let done = false;
      try {
        done = replacement ? this.doc.execCommand("insertText", false, replacement) : this.doc.execCommand("delete", false);
      } catch {
        done = false;
      }
      if (!done) this.forceReplace(start, end, replacement, expected);
      return sameText(await this.settle(), expected);
    }

    /** Last resort when the editing commands are unavailable: change the DOM and announce it. */
    forceReplace(start, end, replacement, expected) {
      if (this.isControl) {
        const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(this.el), "value").set;
        setter.call(this.el, expected);
        this.el.setSelectionRange(start + replacement.length, start + replacement.length);
      } else {
        const range = this.range(start, end);
        range.deleteContents();
        if (replacement) range.insertNode(this.doc.createTextNode(replacement));
      }
      this.el.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertReplacementText", data: replacement }));
    }

    /** Show spans without touching the text: CSS highlights in rich editors, selection in controls. */
    highlight(spans) {
      if (!spans.length) return;
      if (this.isControl) {
        this.el.focus({ preventScroll: false });
        this.el.setSelectionRange(spans[0].start, spans[0].end);
        return;
      }
      const registry = this.win.CSS && this.win.CSS.highlights;
      if (registry && this.win.Highlight) {
        registry.set("secondlook", new this.win.Highlight(...spans.map((s) => this.range(s.start, s.end))));
      }
      this.el.focus({ preventScroll: false });
      const selection = this.win.getSelection();
      selection.removeAllRanges();
      const caret = this.range(spans[0].end, spans[0].end);
      selection.addRange(caret);
    }

    clearHighlight() {
      const registry = this.win.CSS && this.win.CSS.highlights;
      if (registry) registry.delete("secondlook");
    }
  }

  SL.TextModel = TextModel;
  SL.sameText = sameText;
})();
