/* Fills [data-i18n] elements of an extension page from _locales (Korean UI, English fallback),
 * and names the companion's state for the popup and the options page. */
"use strict";

const COMPANION_STATE_MESSAGES = {
  [SecondLook.CompanionState.CONNECTED]: "statusConnected",
  [SecondLook.CompanionState.STARTING]: "statusStarting",
  [SecondLook.CompanionState.UNAUTHORIZED]: "statusUnauthorized",
  [SecondLook.CompanionState.UNPAIRED]: "statusUnpaired",
  [SecondLook.CompanionState.INCOMPATIBLE]: "statusIncompatible",
};

/** The message key for a companion state (SecondLook.CompanionState); unknown states read as unreachable. */
function companionStateMessage(state) {
  return COMPANION_STATE_MESSAGES[state] || "statusUnreachable";
}

for (const el of document.querySelectorAll("[data-i18n]")) {
  el.textContent = chrome.i18n.getMessage(el.dataset.i18n) || el.textContent;
}
document.documentElement.lang = chrome.i18n.getUILanguage();
