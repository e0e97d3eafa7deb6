/* The names every part of the extension shares, in one place: chrome.runtime message types,
 * storage keys, alarm names, risk levels, policy values, why a draft was not checked, the review
 * dialog's modes and actions, feedback outcomes, the companion's default address and the field
 * separator. Loaded first everywhere (files.json: the service worker's scripts and the content
 * scripts; the pages by <script>), as globalThis.SecondLook.*, frozen. A value here is the
 * protocol between contexts: change it here only. */
"use strict";

(() => {
  const SL = (globalThis.SecondLook = globalThis.SecondLook || {});
  if (SL.Message) return; // injected again into a frame that has it: nothing to do

  const frozen = (value) => Object.freeze(value);

  /**
   * chrome.runtime message types. Every one but REVIEW_SHOW and REVIEW_RESULT goes to the
   * service worker, which answers it (the one source of truth: policy, verdicts, the companion);
   * those two go from the service worker to a tab's frames.
   */
  SL.Message = frozen({
    CHECK: "check", // analyse a draft (purpose: SL.Purpose); the answer carries the verdict
    DECIDE: "decide", // judge the text a review decision would post
    FEEDBACK: "feedback", // one review's decision counts
    ALLOW_ADD: "allow-add",
    ALLOW_REMOVE: "allow-remove",
    ALLOW_LIST: "allow-list",
    REVIEW_OPEN: "review-open", // a sub-frame asks for the dialog in the top frame
    REVIEW_DECISION: "review-decision", // the top frame's answer for that sub-frame
    REVIEW_SHOW: "review-show", // service worker → top frame
    REVIEW_RESULT: "review-result", // service worker → the sub-frame that asked
    STATUS: "status",
    PAUSE: "pause",
    SETTINGS_GET: "settings-get",
    SETTINGS_SAVE: "settings-save",
    POLICY_REFRESH: "policy-refresh",
  });

  /** Why a draft is checked (Message.CHECK's `purpose`): a nudge may be superseded, a submit decides. */
  SL.Purpose = frozen({ NUDGE: "nudge", SUBMIT: "submit", PANEL: "panel" });

  /** chrome.storage keys: settings and policy only, never draft text, never the secret. */
  SL.StorageKey = frozen({
    PORT: "port", // local: the options page's port
    PAUSED_UNTIL: "pausedUntil", // local
    ALLOW_TERMS: "allowTerms", // local (never sync): the personal allow list
    POLICY_CACHE: "policyCache", // local: the companion's last good policy
    EFFECTIVE_POLICY: "effectivePolicy", // local
    MANAGED_CACHE: "managedCache", // local: managed policy without its token
    SKIPPED_TABS: "skippedTabs", // session: tabs whose last pre-post check was skipped
  });

  /** chrome.alarms names. */
  SL.Alarm = frozen({ POLICY_REFRESH: "policy-refresh", POLICY_RETRY: "policy-retry", PAUSE_END: "pause-end" });

  /** The companion's risk levels, lowest first. */
  SL.RISK_LEVELS = frozen(["none", "low", "medium", "high", "critical"]);

  /** Policy values (the companion's GET /v1/policy and managed storage) and their defaults. */
  SL.Mode = frozen({ WARN: "warn", BLOCK: "block" });
  SL.FailMode = frozen({ OPEN: "open", CLOSED: "closed" });
  SL.POLICY_DEFAULTS = frozen({ sites: frozen([]), mode: SL.Mode.WARN, warn_level: "medium", fail_mode: SL.FailMode.OPEN });
  /** In block mode a draft at or above this level (or warn_level if higher) cannot be posted. */
  SL.BLOCK_LEVEL = "high";

  /** Why a draft was not checked, as the service worker reports it and the page notice explains it. */
  SL.Unchecked = frozen({
    UNREACHABLE: "unreachable",
    TIMEOUT: "timeout",
    REFUSED: "refused",
    TOO_LONG: "too-long",
    STARTING: "starting",
    UNPAIRED: "unpaired",
    UNAUTHORIZED: "unauthorized",
    INTERNAL: "internal", // anything else (a bug, the extension reloaded)
  });

  /**
   * Why a check or a decision came to nothing: a superseded nudge (the service worker's answer),
   * a post refused by the policy (its verdict), the editor not taking a redaction, the draft
   * changed under the dialog (the content script's). The dialog names the last three.
   */
  SL.Reason = frozen({ ABORTED: "aborted", BLOCKED: "blocked", NOT_APPLIED: "not-applied", CHANGED: "changed" });

  /**
   * The review dialog (it may be shown in the top frame for a sub-frame: Message.REVIEW_SHOW
   * carries the mode, Message.REVIEW_RESULT the decision): what it is opened for, and the
   * actions a decision names (also the buttons' data-action).
   */
  SL.DialogMode = frozen({ SUBMIT: "submit", PANEL: "panel", ERROR: "error" });
  SL.Action = frozen({ APPLY: "apply", EDIT: "edit", POST: "post", CANCEL: "cancel", RETRY: "retry", RECHECK: "recheck" });

  /** What became of a finding, as /v1/feedback counts it. */
  SL.Outcome = frozen({ ACCEPTED: "accepted", DISMISSED: "dismissed", EDITED: "edited" });

  /** Where pairing's secret comes from (the options page shows it). */
  SL.SecretSource = frozen({ MANAGED: "managed", NATIVE: "native", NONE: "none" });

  /** The companion's state as Message.STATUS reports it to the popup and the options page. */
  SL.CompanionState = frozen({
    CONNECTED: "connected",
    INCOMPATIBLE: "incompatible",
    STARTING: "starting",
    UNAUTHORIZED: "unauthorized",
    UNPAIRED: "unpaired", // something answers, but it did not prove this user's secret
    UNREACHABLE: "unreachable",
  });

  /** Where the effective policy's sites come from. */
  SL.SitesSource = frozen({ MANAGED: "managed", COMPANION: "companion", NONE: "none" });

  /** Where the companion is when neither IT nor the native host says (its base port on loopback). */
  SL.Companion = frozen({ FALLBACK_HOST: "127.0.0.1", FALLBACK_PORT: 47813, REQUEST_TIMEOUT_MS: 2000 });

  /** The badge's level when the draft could not be checked (beside the risk levels). */
  SL.BADGE_SKIPPED = "skipped";

  /** Fields posted together (title + body) are analysed as one text joined by this. */
  SL.SEPARATOR = "\n\n";
})();
