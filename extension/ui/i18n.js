/* Fills [data-i18n] elements of an extension page from _locales (Korean UI, English fallback). */
"use strict";

for (const el of document.querySelectorAll("[data-i18n]")) {
  el.textContent = chrome.i18n.getMessage(el.dataset.i18n) || el.textContent;
}
document.documentElement.lang = chrome.i18n.getUILanguage();
