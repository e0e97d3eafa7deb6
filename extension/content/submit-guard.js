/* Submit interception: every way a post leaves the page is held until the draft has
 * been checked (SecondLook.reviewBeforePost), then replayed exactly once: submit-button
 * clicks, form submits (implicit Enter, requestSubmit), Enter in single-line comment
 * boxes, Ctrl/Cmd+Enter, and buttons that post by script without a form. */
"use strict";

(() => {
  const SL = (globalThis.SecondLook = globalThis.SecondLook || {});
  if (SL.SubmitGuard) return;

  const SUBMIT_WORDS = /(등록|작성|저장|게시|올리기|올림|완료|전송|보내기|확인|댓글|답글|답장|submit|post|send|save|publish|reply|comment)/i;
  const CONTROL = "button, input[type=submit], input[type=image], input[type=button], [role=button], a";
  const APPROVAL_MS = 3000;

  let bypass = 0; // >0 while we replay an approved submission (synchronous dispatch)
  let busy = false; // a check or dialog is in progress: further attempts are held, not queued
  let swallowKeyup = false;
  let approved = { key: "", until: 0 }; // in memory only: lets a site's own async re-post of the approved draft through
  let writing = 0; // >0 while the badge's panel writes redactions into the draft
  let held = null; // the latest submission attempted during that write: {fields, replay}

  const fingerprint = (fields) => fields.map((f) => f.model.text()).join("\u0000");
  const isApproved = (fields) => Date.now() < approved.until && fingerprint(fields) === approved.key;

  function isSubmitButton(el) {
    return (el.tagName === "BUTTON" && el.type === "submit") || (el.tagName === "INPUT" && (el.type === "submit" || el.type === "image"));
  }

  function looksLikePost(el) {
    if (el.tagName === "A") {
      const href = (el.getAttribute("href") || "").trim();
      if (href && !href.startsWith("#") && !href.toLowerCase().startsWith("javascript:")) return false; // a navigation link
    }
    const label = (el.value || el.getAttribute("aria-label") || el.title || el.textContent || "").trim();
    return (label.length <= 40 && SUBMIT_WORDS.test(label)) || SUBMIT_WORDS.test(`${el.id} ${el.getAttribute("name") || ""}`);
  }

  function fieldsForControl(control) {
    const inForm = control.form ? SL.Editors.fieldsForForm(control.form) : [];
    return inForm.length ? inForm : SL.Editors.fieldsNear(control);
  }

  async function run(fields, replay) {
    busy = true;
    try {
      if (!(await SL.reviewBeforePost(fields))) return;
      approved = { key: fingerprint(fields), until: Date.now() + APPROVAL_MS };
      bypass += 1;
      try {
        replay();
      } finally {
        bypass -= 1;
      }
    } finally {
      busy = false;
    }
  }

  /**
   * Hold the event and start a check, unless this exact draft was just approved. While the
   * panel is writing, the check waits for the write to finish: a half-written draft is
   * never what gets checked or posted.
   */
  function hold(e, fields, replay) {
    if (!fields.length || (!writing && isApproved(fields))) return false;
    e.preventDefault();
    e.stopImmediatePropagation();
    if (writing) held = { fields, replay };
    else if (!busy) run(fields, replay);
    return true;
  }

  function onClick(e) {
    if (bypass) return;
    const origin = e.composedPath()[0];
    if (!origin || origin.nodeType !== Node.ELEMENT_NODE || SL.Editors.isOurs(origin)) return;
    const control = origin.closest(CONTROL);
    if (!control || control.disabled) return;
    if (!(isSubmitButton(control) && control.form) && !looksLikePost(control)) return;
    if (e.detail > 1 && Date.now() < approved.until) {
      // the second click of a double click on a post button after the approved post went out
      e.preventDefault();
      e.stopImmediatePropagation();
      return;
    }
    hold(e, fieldsForControl(control), () => control.click());
  }

  function onSubmit(e) {
    if (bypass) return;
    const form = e.target;
    const submitter = e.submitter;
    hold(e, SL.Editors.fieldsForForm(form), () => {
      if (submitter && submitter.isConnected && submitter.form === form) form.requestSubmit(submitter);
      else form.requestSubmit();
    });
  }

  /** What the browser does for Enter in a form field: click the default button, or submit a one-field form. */
  function implicitSubmit(form) {
    const button = [...form.elements].find(isSubmitButton);
    if (button) {
      if (!button.disabled) button.click();
      return;
    }
    const blocking = [...form.elements].filter((el) => el.tagName === "INPUT" && !["hidden", "checkbox", "radio", "button", "submit", "reset", "image", "file", "range", "color"].includes(el.type));
    if (blocking.length === 1) form.requestSubmit();
  }

  function replayEnter(editor, init) {
    const down = new KeyboardEvent("keydown", init);
    const proceed = editor.dispatchEvent(down);
    if (proceed) editor.dispatchEvent(new KeyboardEvent("keypress", { ...init, charCode: 13 }));
    editor.dispatchEvent(new KeyboardEvent("keyup", init));
    if (proceed && !init.ctrlKey && !init.metaKey && editor.form) implicitSubmit(editor.form);
  }

  function onKeydown(e) {
    if (bypass || e.key !== "Enter" || e.isComposing || e.keyCode === 229) return; // IME: not a submit
    const editor = SL.Editors.editorFor(e.composedPath()[0]);
    if (!editor) return;
    const modified = e.ctrlKey || e.metaKey;
    if (!modified && (e.shiftKey || e.altKey || !SL.Editors.isSingleLine(editor))) return;
    const fields = editor.form ? SL.Editors.fieldsForForm(editor.form) : SL.Editors.fieldsNear(editor);
    const init = {
      key: e.key, code: e.code, keyCode: 13, which: 13, ctrlKey: e.ctrlKey, metaKey: e.metaKey,
      shiftKey: e.shiftKey, altKey: e.altKey, bubbles: true, cancelable: true, composed: true,
    };
    if (hold(e, fields, () => replayEnter(editor, init))) swallowKeyup = true;
  }

  function onKeyup(e) {
    if (bypass || e.key !== "Enter" || !swallowKeyup) return;
    swallowKeyup = false; // the keyup of a held Enter must not trigger a keyup-posting site
    e.preventDefault();
    e.stopImmediatePropagation();
  }

  SL.SubmitGuard = {
    install(win) {
      win.addEventListener("click", onClick, true);
      win.addEventListener("submit", onSubmit, true);
      win.addEventListener("keydown", onKeydown, true);
      win.addEventListener("keyup", onKeyup, true);
    },
    isBusy: () => busy || writing > 0,
    /**
     * Run work (the panel's redaction write) with submissions held; the latest attempt made
     * meanwhile is then checked against the text as the write left it.
     */
    async during(work) {
      writing += 1;
      try {
        return await work();
      } finally {
        writing -= 1;
        const next = writing ? null : held;
        if (next) {
          held = null;
          if (!busy) run(next.fields, next.replay);
        }
      }
    },
  };
})();
