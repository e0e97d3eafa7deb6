/* Options: companion port (empty: this user's own, from the native host; unless set by
 * managed policy), how pairing gets its secret (nothing to type), save, test connection,
 * and the effective policy with the sites the extension is active on. */
"use strict";

const field = (name) => document.querySelector(`[data-field="${name}"]`);
const setting = (name) => document.querySelector(`[data-setting="${name}"]`);
const t = (key) => chrome.i18n.getMessage(key) || key;
const { Message: MSG, CompanionState: STATE, SitesSource } = SecondLook; // shared/constants.js

function renderPolicy(policy) {
  field("mode").textContent = t(`mode_${policy.mode}`);
  field("mode").dataset.value = policy.mode;
  field("warn-level").textContent = t(`risk_${policy.warn_level}`);
  field("warn-level").dataset.value = policy.warn_level;
  field("fail-mode").textContent = t(`failMode_${policy.fail_mode}`);
  field("fail-mode").dataset.value = policy.fail_mode;
  field("sites-source").textContent = policy.sitesSource === SitesSource.MANAGED ? t("sitesSourceManaged") : policy.sitesSource === SitesSource.COMPANION ? t("sitesSourceCompanion") : t("sitesNone");
  const list = field("sites");
  list.replaceChildren(
    ...policy.sites.map((site) => {
      const li = document.createElement("li");
      const code = document.createElement("code");
      code.textContent = site;
      li.append(code);
      return li;
    }),
  );
  list.dataset.count = String(policy.sites.length);
  document.body.dataset.policyError = policy.lastError || "";
}

function renderSettings(settings) {
  setting("port").value = settings.managedPort || settings.portSet ? settings.port : "";
  setting("port").placeholder = `${settings.port} · ${t("portAuto")}`;
  setting("port").disabled = settings.managedPort;
  field("secret-source").textContent = t(`secretSource_${settings.secretSource}`);
  field("secret-source").dataset.value = settings.secretSource;
  field("managed").hidden = !(settings.managedPort || settings.managedToken);
}

function showStatus(text, state) {
  field("status").textContent = text;
  field("status").dataset.state = state;
}

document.querySelector('[data-action="save"]').addEventListener("click", async () => {
  showStatus("…", "saving");
  const reply = await chrome.runtime.sendMessage({ type: MSG.SETTINGS_SAVE, port: setting("port").value });
  if (!reply.ok) return showStatus(t("invalidPort"), "error");
  renderSettings(reply.settings);
  renderPolicy(reply.policy);
  const problem = reply.policy.lastError === STATE.UNPAIRED ? t("statusUnpaired") : reply.policy.lastError ? t("statusUnreachable") : "";
  showStatus(`${t("saved")}${problem ? ` · ${problem}` : ""}`, "saved");
  field("status").dataset.problem = reply.policy.lastError || "";
});

document.querySelector('[data-action="test"]').addEventListener("click", async () => {
  showStatus("…", "testing");
  const reply = await chrome.runtime.sendMessage({ type: MSG.STATUS });
  const c = reply.companion;
  if (c.state === STATE.CONNECTED) showStatus(`${t("statusConnected")} · ${c.version} · API v${c.api} · ${c.latency_ms} ms`, c.state);
  else if (c.state === STATE.UNPAIRED) showStatus(`${t("statusUnpaired")} (${c.pairError || "?"})`, c.state);
  else showStatus(t(companionStateMessage(c.state)), c.state); // ui/i18n.js
});

chrome.runtime.sendMessage({ type: MSG.SETTINGS_GET }).then((reply) => {
  renderSettings(reply.settings);
  renderPolicy(reply.policy);
});

/** The personal allow list: each term with a remove button (stored in this browser only). */
function renderAllow(terms) {
  const list = field("allow");
  list.replaceChildren(
    ...terms.map((term) => {
      const li = document.createElement("li");
      li.dataset.term = term;
      const text = document.createElement("span");
      text.textContent = `${term} `;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.dataset.action = "allow-remove";
      remove.textContent = t("allowRemove");
      remove.addEventListener("click", async () => {
        const reply = await chrome.runtime.sendMessage({ type: MSG.ALLOW_REMOVE, term });
        if (reply && reply.ok) renderAllow(reply.terms);
      });
      li.append(text, remove);
      return li;
    }),
  );
  field("allow-empty").hidden = terms.length > 0;
}

chrome.runtime.sendMessage({ type: MSG.ALLOW_LIST }).then((reply) => renderAllow(reply && reply.ok ? reply.terms : []));
