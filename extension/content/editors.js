/* Finding the editors a draft is written in, and the fields that leave together when a
 * post is submitted (title + body), including editors in same-origin iframes. */
"use strict";

(() => {
  const SL = (globalThis.SecondLook = globalThis.SecondLook || {});
  if (SL.Editors) return;

  const TEXT_INPUT_TYPES = new Set(["", "text"]);
  const SEARCH_NAME = /(^|[_\-\s])(q|query|search|keyword|kwd|stx|sfl)([_\-\s]|$)/i;
  const CONTAINER_DEPTH = 8;

  /** Our own UI (badge, dialog) is never an editor and never a submit control. */
  function isOurs(node) {
    for (let n = node; n; n = n.parentNode || n.host) {
      if (n.nodeType === Node.ELEMENT_NODE && n.hasAttribute("data-secondlook")) return true;
    }
    return false;
  }

  function isVisible(el) {
    if (el.tagName === "BODY") {
      const frame = el.ownerDocument.defaultView.frameElement;
      return frame ? frame.getClientRects().length > 0 : true;
    }
    return el.getClientRects().length > 0;
  }

  function isTextControl(el) {
    if (el.tagName === "TEXTAREA") return !el.readOnly && !el.disabled;
    if (el.tagName !== "INPUT") return false;
    const type = (el.getAttribute("type") || "").toLowerCase();
    if (!TEXT_INPUT_TYPES.has(type) || el.readOnly || el.disabled) return false;
    const role = (el.getAttribute("role") || "").toLowerCase();
    if (role === "searchbox" || role === "combobox") return false;
    return !SEARCH_NAME.test(`${el.name} ${el.id}`);
  }

  /** The editor (control or contenteditable editing host) a node belongs to, or null. */
  function editorFor(node) {
    if (!node || isOurs(node)) return null;
    const el = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    if (!el) return null;
    if (isTextControl(el)) return el;
    if (!el.isContentEditable) return null;
    let host = el;
    while (host.parentElement && host.parentElement.isContentEditable) host = host.parentElement;
    return host;
  }

  function isSingleLine(editor) {
    if (editor.tagName === "INPUT") return true;
    return editor.getAttribute("aria-multiline") === "false";
  }

  /** Editors inside `root` (an element or document), descending into same-origin iframes. */
  function editorsIn(root) {
    const found = [];
    const doc = root.nodeType === Node.DOCUMENT_NODE ? root : root.ownerDocument;
    if (doc.designMode === "on" && doc.body && root === doc) found.push(doc.body);
    for (const el of root.querySelectorAll("textarea, input, [contenteditable], iframe")) {
      if (el.tagName === "IFRAME") {
        let inner = null;
        try {
          inner = el.contentDocument; // null (or throws) when cross-origin: that frame has its own script
        } catch {
          inner = null;
        }
        if (inner && inner.body) {
          if (inner.body.isContentEditable || inner.designMode === "on") found.push(inner.body);
          else found.push(...editorsIn(inner));
        }
        continue;
      }
      const editor = editorFor(el);
      if (editor === el && !found.includes(el)) found.push(el);
    }
    return found.filter((el) => isVisible(el) && !isOurs(el));
  }

  /** A field: one editor and its text model. */
  function field(editor) {
    return { editor, model: new SL.TextModel(editor) };
  }

  /** Fields submitted together: single-line fields (title) first, then the bodies, document order within each. */
  function fieldsOf(editors) {
    const single = editors.filter(isSingleLine);
    const multi = editors.filter((e) => !isSingleLine(e));
    return [...single, ...multi].map(field).filter((f) => f.model.text().trim().length > 0);
  }

  function fieldsForForm(form) {
    const editors = editorsIn(form);
    // controls associated with the form by the form="" attribute live outside it
    for (const el of form.elements) if (isTextControl(el) && !editors.includes(el) && isVisible(el)) editors.push(el);
    return fieldsOf(editors);
  }

  /** Fields around a control or editor that is not in a form: the nearest ancestor holding editors. */
  function fieldsNear(node) {
    let el = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    const start = editorFor(el);
    if (start && start.form) return fieldsForForm(start.form);
    for (let depth = 0; el && depth < CONTAINER_DEPTH; depth += 1, el = el.parentElement) {
      if (el.tagName === "FORM") return fieldsForForm(el);
      const editors = editorsIn(el);
      if (start && !editors.includes(start)) editors.push(start);
      const fields = fieldsOf(editors);
      if (fields.length) return fields;
      if (el.tagName === "BODY") break;
    }
    return [];
  }

  SL.Editors = { isOurs, editorFor, isSingleLine, editorsIn, field, fieldsForForm, fieldsNear };
})();
