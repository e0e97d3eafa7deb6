/* Background entry: lifecycle, alarms and the message router between content scripts,
 * the popup, the options page and the companion. Stateless between events (MV3 service
 * workers stop when idle); what must survive lives in chrome.storage (settings only). */
"use strict";

const POLICY_REFRESH_MINUTES = 5;
const PAUSE_MINUTES = 10;
const FEEDBACK_BATCH = 500; // decisions per /v1/feedback request (the companion's bound)
const { Message: MSG, StorageKey: KEY, Alarm: ALARM, Purpose: PURPOSE, FailMode: FAIL_MODE, Reason: REASON, CompanionState: STATE, Unchecked: UNCHECKED } = SecondLook; // shared/constants.js

async function pausedUntil() {
  const until = await stored(KEY.PAUSED_UNTIL);
  return typeof until === "number" && until > Date.now() ? until : 0;
}

function errorKind(err) {
  return err instanceof CompanionError ? err.kind : UNCHECKED.INTERNAL;
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
  const skippedTabs = (await stored(KEY.SKIPPED_TABS, chrome.storage.session)) || {};
  if (skipped) skippedTabs[tabId] = true;
  else delete skippedTabs[tabId];
  await chrome.storage.session.set({ [KEY.SKIPPED_TABS]: skippedTabs });
  showSkipped(tabId, skipped);
}

/** Why a draft could not be checked, as the page notice names it. */
function uncheckedReason(err) {
  const kind = errorKind(err);
  if (kind === "http") return err.status === 413 ? UNCHECKED.TOO_LONG : UNCHECKED.REFUSED;
  return kind; // unreachable, timeout, starting, unauthorized, unpaired (not verified), internal
}

/** The settings for the options page: never the secret itself. */
async function shownSettings() {
  const { secret, ...shown } = await SitePolicy.settings();
  return shown;
}

const HANDLERS = {
  /** Analyse a draft for a nudge, the badge's panel or before posting; the verdict is the policy's. */
  async [MSG.CHECK](msg, sender) {
    const policy = await SitePolicy.current();
    if (await pausedUntil()) return { ok: true, paused: true, policy };
    const settings = await SitePolicy.settings();
    const nudge = Analysis.signalFor(sender, msg.purpose);
    try {
      const result = await Analysis.analyze(settings, String(msg.text || ""), nudge.signal);
      if (policy.lastError) SitePolicy.refresh(); // the companion is back: pick up its policy
      if (msg.purpose === PURPOSE.SUBMIT && sender.tab) markTab(sender.tab.id, false);
      const verdict = SitePolicy.verdict(policy, result.risk);
      // not completely checked (the companion's deadline): the user is told before posting, whatever the risk found
      if (result.complete === false) verdict.warn = true;
      return { ok: true, result, policy, ...verdict };
    } catch (err) {
      if (errorKind(err) === REASON.ABORTED) return { ok: false, error: REASON.ABORTED, policy };
      if (errorKind(err) !== "http") SitePolicy.refresh();
      if (msg.purpose === PURPOSE.SUBMIT && sender.tab && policy.fail_mode !== FAIL_MODE.CLOSED) markTab(sender.tab.id, true);
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
  async [MSG.DECIDE](msg) {
    const policy = await SitePolicy.current();
    const settings = await SitePolicy.settings();
    try {
      const result = await Analysis.analyze(settings, String(msg.text || ""));
      return { ok: true, ...SitePolicy.verdict(policy, result.risk) };
    } catch (err) {
      const open = policy.fail_mode !== FAIL_MODE.CLOSED; // not checked: the fail mode decides
      return { ok: false, error: uncheckedReason(err), canPost: open, reason: open ? "" : uncheckedReason(err) };
    }
  },

  /** The personal "never flag this term" list (local storage, never synced). */
  async [MSG.ALLOW_ADD](msg) {
    return { ok: true, terms: await Analysis.addAllowTerms(Array.isArray(msg.terms) ? msg.terms : []) };
  },

  async [MSG.ALLOW_REMOVE](msg) {
    return { ok: true, terms: await Analysis.removeAllowTerm(String(msg.term || "")) };
  },

  async [MSG.ALLOW_LIST]() {
    return { ok: true, terms: await Analysis.allowList() };
  },

  /** Decision counts only: entity type and action, never the text. */
  async [MSG.FEEDBACK](msg) {
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
  async [MSG.REVIEW_OPEN](msg, sender) {
    if (!sender.tab || sender.frameId === 0) return { ok: false };
    try {
      const reply = await chrome.tabs.sendMessage(
        sender.tab.id,
        { type: MSG.REVIEW_SHOW, requestId: msg.requestId, sourceFrameId: sender.frameId, payload: msg.payload },
        { frameId: 0 },
      );
      return { ok: Boolean(reply && reply.ok) };
    } catch {
      return { ok: false }; // no SecondLook script in the top frame: the frame shows it itself
    }
  },

  /** The top frame reports the user's decision back to the frame that asked. */
  async [MSG.REVIEW_DECISION](msg, sender) {
    if (!sender.tab) return { ok: false };
    await chrome.tabs.sendMessage(
      sender.tab.id,
      { type: MSG.REVIEW_RESULT, requestId: msg.requestId, decision: msg.decision },
      { frameId: msg.targetFrameId },
    );
    return { ok: true };
  },

  async [MSG.STATUS](msg) {
    const settings = await SitePolicy.settings();
    const policy = await SitePolicy.current();
    let companion;
    try {
      const health = await CompanionClient.health(settings);
      companion = { state: health.compatible ? STATE.CONNECTED : STATE.INCOMPATIBLE, version: health.version, api: health.api, latency_ms: health.latency_ms };
      await CompanionClient.pair(settings); // is the program at this address this user's companion?
      companion.paired = true;
    } catch (err) {
      const kind = errorKind(err);
      companion = { state: [STATE.STARTING, STATE.UNAUTHORIZED, STATE.UNPAIRED].includes(kind) ? kind : STATE.UNREACHABLE };
      if (kind === STATE.UNPAIRED) companion.pairError = CompanionClient.lastPairError;
    }
    const active = msg.url ? SitePolicy.isActiveOn(policy, msg.url) : false;
    return { ok: true, companion, policy, active, pausedUntil: await pausedUntil(), port: settings.port, host: settings.host };
  },

  async [MSG.PAUSE](msg) {
    if (msg.paused) {
      const until = Date.now() + PAUSE_MINUTES * 60000;
      await chrome.storage.local.set({ [KEY.PAUSED_UNTIL]: until });
      chrome.alarms.create(ALARM.PAUSE_END, { when: until });
    } else {
      await chrome.storage.local.remove(KEY.PAUSED_UNTIL);
      chrome.alarms.clear(ALARM.PAUSE_END);
    }
    return { ok: true, pausedUntil: await pausedUntil() };
  },

  async [MSG.SETTINGS_GET]() {
    return { ok: true, settings: await shownSettings(), policy: await SitePolicy.current() };
  },

  /** The options page's port: a number, or empty for this user's own port (from the native host). */
  async [MSG.SETTINGS_SAVE](msg) {
    const raw = String(msg.port ?? "").trim();
    const port = Number(raw);
    if (raw && (!Number.isInteger(port) || port < 1 || port > 65535)) return { ok: false, error: "invalid-port" };
    if (raw) await chrome.storage.local.set({ [KEY.PORT]: port });
    else await chrome.storage.local.remove(KEY.PORT);
    CompanionClient.forgetNative(); // ask the native host again (it may just have been installed)
    const policy = await SitePolicy.refresh();
    return { ok: true, settings: await shownSettings(), policy };
  },

  async [MSG.POLICY_REFRESH]() {
    return { ok: true, policy: await SitePolicy.refresh() };
  },
};

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  const handler = msg && HANDLERS[msg.type];
  if (!handler) return false;
  handler(msg, sender).then(sendResponse, () => sendResponse({ ok: false, error: UNCHECKED.INTERNAL }));
  return true; // answer asynchronously
});

chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === ALARM.POLICY_REFRESH || alarm.name === ALARM.POLICY_RETRY) SitePolicy.refresh();
  if (alarm.name === ALARM.PAUSE_END) chrome.storage.local.remove(KEY.PAUSED_UNTIL);
});

chrome.tabs.onUpdated.addListener(async (tabId, change) => {
  if (change.status !== "loading") return;
  const skippedTabs = (await stored(KEY.SKIPPED_TABS, chrome.storage.session)) || {};
  if (skippedTabs[tabId]) showSkipped(tabId, true);
});

chrome.tabs.onRemoved.addListener(async (tabId) => {
  const skippedTabs = (await stored(KEY.SKIPPED_TABS, chrome.storage.session)) || {};
  if (skippedTabs[tabId]) {
    delete skippedTabs[tabId];
    await chrome.storage.session.set({ [KEY.SKIPPED_TABS]: skippedTabs });
  }
});

chrome.storage.onChanged.addListener((changes, area) => {
  if (area === "managed") {
    SitePolicy.managedChanged().then(() => SitePolicy.refresh());
  }
});

function start() {
  chrome.alarms.create(ALARM.POLICY_REFRESH, { periodInMinutes: POLICY_REFRESH_MINUTES });
  SitePolicy.refresh();
}

chrome.runtime.onInstalled.addListener(start);
chrome.runtime.onStartup.addListener(start);
