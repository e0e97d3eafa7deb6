/* Popup: companion status (connected, version, API compatibility, latency), whether this
 * site is watched, and a 10-minute pause. */
"use strict";

const $ = (name) => document.querySelector(`[data-field="${name}"]`);
const t = (key, subs) => chrome.i18n.getMessage(key, subs);
const MSG = SecondLook.Message; // shared/constants.js

function showPaused(until) {
  document.querySelector('[data-setting="pause"]').checked = Boolean(until);
  $("paused").textContent = until ? t("pausedUntil", [new Date(until).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })]) : "";
}

async function render() {
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  const status = await chrome.runtime.sendMessage({ type: MSG.STATUS, url: tab && tab.url });
  const state = status.companion.state;
  const host = String(status.host || SecondLook.Companion.FALLBACK_HOST);
  $("companion").textContent = `${t(companionStateMessage(state))} (${host.includes(":") ? `[${host}]` : host}:${status.port})`;
  $("companion").dataset.state = state;
  $("version").textContent = status.companion.version || "–";
  $("api").textContent = status.companion.api !== undefined ? `v${status.companion.api}` : "–";
  $("latency").textContent = status.companion.latency_ms !== undefined ? `${status.companion.latency_ms} ms` : "–";
  $("site").textContent = t(status.active ? "siteActive" : "siteInactive");
  $("site").dataset.state = status.active ? "active" : "inactive";
  showPaused(status.pausedUntil);
}

document.querySelector('[data-setting="pause"]').addEventListener("change", async (e) => {
  const reply = await chrome.runtime.sendMessage({ type: MSG.PAUSE, paused: e.target.checked });
  showPaused(reply.pausedUntil);
});
document.querySelector('[data-action="options"]').addEventListener("click", () => chrome.runtime.openOptionsPage());
render();
