/* Background entry: lifecycle, alarms and the message router between content scripts,
 * the popup, the options page and the companion. Stateless between events (MV3 service
 * workers stop when idle); what must survive lives in chrome.storage (settings only). */
"use strict";

const POLICY_REFRESH_MINUTES = 5;
const PAUSE_MINUTES = 10;
const FEEDBACK_BATCH = 500; // decisions per /v1/feedback request (the companion's bound)

async function pausedUntil() {
  const { pausedUntil: until } = await chrome.storage.local.get("pausedUntil");
  return typeof until === "number" && until > Date.now() ? until : 0;
}

function errorKind(err) {
  return err instanceof CompanionError ? err.kind : "internal";
}

/** Toolbar badge "?" on a tab whose last pre-post check was skipped (fail open). */
function showSkipped(tabId, skipped) {
  chrome.action.setBadgeText({ tabId, text: skipped ? "?" : "" });
  if (skipped) {
    chrome.action.setBadgeBackgroundColor({ tabId, color: "#757575" });
    chrome.action.setTitle({ tabId, title: chrome.i18n.getMessage("badgeSkipped") });
  }
}

/** Remembered per tab in session storage, because posting usually navigates and that resets the badge. */
async function markTab(tabId, skipped) {
  const { skippedTabs = {} } = await chrome.storage.session.get("skippedTabs");
  if (skipped) skippedTabs[tabId] = true;
  else delete skippedTabs[tabId];
  await chrome.storage.session.set({ skippedTabs });
  showSkipped(tabId, skipped);
}

/** Why a draft could not be checked, as the page notice names it. */
function uncheckedReason(err) {
  const kind = errorKind(err);
  if (kind === "http") return err.status === 413 ? "too-long" : "refused";
  return kind; // unreachable, timeout, starting, unauthorized, unpaired (not verified), internal
}

/** The settings for the options page: never the secret itself. */
async function shownSettings() {
  const { secret, ...shown } = await SitePolicy.settings();
  return shown;
}

const HANDLERS = {
  /** Analyse a draft for a nudge, the badge's panel or before posting; the verdict is the policy's. */
  async check(msg, sender) {
    const policy = await SitePolicy.current();
    if (await pausedUntil()) return { ok: true, paused: true, policy };
    const settings = await SitePolicy.settings();
    const nudge = Analysis.signalFor(sender, msg.purpose);
    try {
      const result = await Analysis.analyze(settings, String(msg.text || ""), nudge.signal);
      if (policy.lastError) SitePolicy.refresh(); // the companion is back: pick up its policy
      if (msg.purpose === "submit" && sender.tab) markTab(sender.tab.id, false);
      const verdict = SitePolicy.verdict(policy, result.risk);
      // not completely checked (the companion's deadline): the user is told before posting, whatever the risk found
      if (result.complete === false) verdict.warn = true;
      return { ok: true, result, policy, ...verdict };
    } catch (err) {
      if (errorKind(err) === "aborted") return { ok: false, error: "aborted", policy };
      if (errorKind(err) !== "http") SitePolicy.refresh();
      if (msg.purpose === "submit" && sender.tab && policy.fail_mode !== "closed") markTab(sender.tab.id, true);
      return { ok: false, error: uncheckedReason(err), policy };
    } finally {
      nudge.done();
    }
  },

  /**
   * The user's decision in the review dialog, judged here: `text` is the draft as it would
   * go out, as written ("post") or with the accepted redactions the content script applies
   * (content/redaction.js, by the companion's overlap rule). It is analysed again and the
   * answer is whether it may be posted under the policy (block mode: not while what remains
   * is at or above the block level, whichever buttons were pressed).
   */
  async decide(msg) {
    const policy = await SitePolicy.current();
    const settings = await SitePolicy.settings();
    try {
      const result = await Analysis.analyze(settings, String(msg.text || ""));
      return { ok: true, ...SitePolicy.verdict(policy, result.risk) };
    } catch (err) {
      const open = policy.fail_mode !== "closed"; // not checked: the fail mode decides
      return { ok: false, error: uncheckedReason(err), canPost: open, reason: open ? "" : uncheckedReason(err) };
    }
  },

  /** The personal "never flag this term" list (local storage, never synced). */
  async "allow-add"(msg) {
    return { ok: true, terms: await Analysis.addAllowTerms(Array.isArray(msg.terms) ? msg.terms : []) };
  },

  async "allow-remove"(msg) {
    return { ok: true, terms: await Analysis.removeAllowTerm(String(msg.term || "")) };
  },

  async "allow-list"() {
    return { ok: true, terms: await Analysis.allowList() };
  },

  /** Decision counts only: entity type and action, never the text. */
  async feedback(msg) {
    const settings = await SitePolicy.settings();
    const items = (Array.isArray(msg.items) ? msg.items : []).map((item) => ({ entity_type: String(item.entity_type), action: String(item.action) }));
    try {
      // one request for the review (in batches of what the companion takes, for a very long draft)
      for (let i = 0; i < items.length; i += FEEDBACK_BATCH) await CompanionClient.feedback(settings, items.slice(i, i + FEEDBACK_BATCH));
      return { ok: true };
    } catch {
      return { ok: false };
    }
  },

  /** A sub-frame asks for the review dialog: it is shown in the top-level document. */
  async "review-open"(msg, sender) {
    if (!sender.tab || sender.frameId === 0) return { ok: false };
    try {
      const reply = await chrome.tabs.sendMessage(
        sender.tab.id,
        { type: "review-show", requestId: msg.requestId, sourceFrameId: sender.frameId, payload: msg.payload },
        { frameId: 0 },
      );
      return { ok: Boolean(reply && reply.ok) };
    } catch {
      return { ok: false }; // no SecondLook script in the top frame: the frame shows it itself
    }
  },

  /** The top frame reports the user's decision back to the frame that asked. */
  async "review-decision"(msg, sender) {
    if (!sender.tab) return { ok: false };
    await chrome.tabs.sendMessage(
      sender.tab.id,
      { type: "review-result", requestId: msg.requestId, decision: msg.decision },
      { frameId: msg.targetFrameId },
    );
    return { ok: true };
  },

  async status(msg) {
    const settings = await SitePolicy.settings();
    const policy = await SitePolicy.current();
    let companion;
    try {
      const health = await CompanionClient.health(settings);
      companion = { state: health.compatible ? "connected" : "incompatible", version: health.version, api: health.api, latency_ms: health.latency_ms };
      await CompanionClient.pair(settings); // is the program at this address this user's companion?
      companion.paired = true;
    } catch (err) {
      const kind = errorKind(err);
      companion = { state: ["starting", "unauthorized", "unpaired"].includes(kind) ? kind : "unreachable" };
      if (kind === "unpaired") companion.pairError = CompanionClient.lastPairError;
    }
    const active = msg.url ? SitePolicy.isActiveOn(policy, msg.url) : false;
    return { ok: true, companion, policy, active, pausedUntil: await pausedUntil(), port: settings.port, host: settings.host };
  },

  async pause(msg) {
    if (msg.paused) {
      const until = Date.now() + PAUSE_MINUTES * 60000;
      await chrome.storage.local.set({ pausedUntil: until });
      chrome.alarms.create("pause-end", { when: until });
    } else {
      await chrome.storage.local.remove("pausedUntil");
      chrome.alarms.clear("pause-end");
    }
    return { ok: true, pausedUntil: await pausedUntil() };
  },

  async "settings-get"() {
    return { ok: true, settings: await shownSettings(), policy: await SitePolicy.current() };
  },

  /** The options page's port: a number, or empty for this user's own port (from the native host). */
  async "settings-save"(msg) {
    const raw = String(msg.port ?? "").trim();
    const port = Number(raw);
    if (raw && (!Number.isInteger(port) || port < 1 || port > 65535)) return { ok: false, error: "invalid-port" };
    if (raw) await chrome.storage.local.set({ port });
    else await chrome.storage.local.remove("port");
    CompanionClient.forgetNative(); // ask the native host again (it may just have been installed)
    const policy = await SitePolicy.refresh();
    return { ok: true, settings: await shownSettings(), policy };
  },

  async "policy-refresh"() {
    return { ok: true, policy: await SitePolicy.refresh() };
  },
};

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  const handler = msg && HANDLERS[msg.type];
  if (!handler) return false;
  handler(msg, sender).then(sendResponse, () => sendResponse({ ok: false, error: "internal" }));
  return true; // answer asynchronously
});

chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === "policy-refresh" || alarm.name === "policy-retry") SitePolicy.refresh();
  if (alarm.name === "pause-end") chrome.storage.local.remove("pausedUntil");
});

chrome.tabs.onUpdated.addListener(async (tabId, change) => {
  if (change.status !== "loading") return;
  const { skippedTabs = {} } = await chrome.storage.session.get("skippedTabs");
  if (skippedTabs[tabId]) showSkipped(tabId, true);
});

chrome.tabs.onRemoved.addListener(async (tabId) => {
  const { skippedTabs = {} } = await chrome.storage.session.get("skippedTabs");
  if (skippedTabs[tabId]) {
    delete skippedTabs[tabId];
    await chrome.storage.session.set({ skippedTabs });
  }
});

chrome.storage.onChanged.addListener((changes, area) => {
  if (area === "managed") {
    SitePolicy.managedChanged().then(() => SitePolicy.refresh());
  }
});

function start() {
  chrome.alarms.create("policy-refresh", { periodInMinutes: POLICY_REFRESH_MINUTES });
  SitePolicy.refresh();
}

chrome.runtime.onInstalled.addListener(start);
chrome.runtime.onStartup.addListener(start);
