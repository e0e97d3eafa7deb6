/* Settings and policy: where the companion is, which sites are watched, how strict.
 * Managed storage (browser policy set by IT) wins over the companion's GET /v1/policy,
 * which wins over defaults. The last good companion policy is cached so that sites
 * stay active while the companion restarts. Only settings live in storage, never text. */
"use strict";

const CONTENT_SCRIPT_ID = "secondlook-editors";
/** The extension's declared file list, also read by build.py: the content scripts are in it once. */
const FILES_JSON = "files.json";
const MATCH_PATTERN = /^(\*|https?|wss?|file|ftp):\/\/(\*|\*\.[^/*:]+|[^/*:]*)(:(\*|\d{1,5}))?\/.*$/;

/** One value of chrome.storage (keys: SecondLook.StorageKey); undefined when unset. */
async function stored(key, area = chrome.storage.local) {
  return (await area.get(key))[key];
}

/** files.json's content scripts, checked: {js, css}, lists of extension paths in injection order. */
function contentScriptsOf(files) {
  const scripts = files && files.content_scripts;
  const paths = (list) => Array.isArray(list) && list.length > 0 && list.every((f) => typeof f === "string" && f !== "");
  if (!scripts || !paths(scripts.js) || !(scripts.css === undefined || paths(scripts.css))) {
    throw new Error(`${FILES_JSON}: content_scripts must list js (and css) files`);
  }
  return { js: [...scripts.js], css: scripts.css ? [...scripts.css] : [] };
}

function isValidMatchPattern(pattern) {
  return typeof pattern === "string" && (pattern === "<all_urls>" || MATCH_PATTERN.test(pattern));
}

/** Chrome match-pattern semantics; a pattern without a port matches any port. */
function matchesPattern(pattern, url) {
  let target;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  const scheme = target.protocol.slice(0, -1);
  if (pattern === "<all_urls>") return ["http", "https", "file", "ftp", "ws", "wss"].includes(scheme);
  const parts = MATCH_PATTERN.exec(pattern);
  if (!parts) return false;
  const [, pScheme, pHost, , pPort] = parts;
  const pPath = pattern.slice(pattern.indexOf("/", pattern.indexOf("://") + 3));
  if (pScheme === "*" ? !["http", "https"].includes(scheme) : pScheme !== scheme) return false;
  const host = target.hostname;
  if (pHost !== "*") {
    if (pHost.startsWith("*.")) {
      const base = pHost.slice(2);
      if (host !== base && !host.endsWith(`.${base}`)) return false;
    } else if (host !== pHost) {
      return false;
    }
  }
  if (pPort !== undefined && pPort !== "*") {
    const port = target.port || (scheme === "https" ? "443" : scheme === "http" ? "80" : "");
    if (port !== pPort) return false;
  }
  const escaped = pPath.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`).test(target.pathname + target.search);
}

const SitePolicy = {
  _refreshing: null,
  _contentScripts: null,
  _refreshAgain: null,

  /** The managed policy as last read (memory); the browser's read can take seconds on a fresh profile. */
  _managed: null,
  _managedRead: null,

  /** Read managed storage once (again after it changed), keep a copy, refresh when it differs. */
  readManaged() {
    if (!this._managedRead) {
      this._managedRead = (async () => {
        let managed = {};
        try {
          managed = (await chrome.storage.managed.get(null)) || {};
        } catch {
          managed = {}; // no policy installed, or the browser does not support managed storage
        }
        const managedCache = await stored(SecondLook.StorageKey.MANAGED_CACHE);
        const copy = { ...managed };
        delete copy.token; // the secret is never copied; requests that carry drafts wait for the real read
        const changed = JSON.stringify(copy) !== JSON.stringify(managedCache || {});
        this._managed = managed;
        if (changed) await chrome.storage.local.set({ [SecondLook.StorageKey.MANAGED_CACHE]: copy });
        if (changed || typeof managed.token === "string") this.refresh(); // refine what was decided from the copy
        return managed;
      })();
    }
    return this._managedRead;
  },

  /** Managed storage changed: read it again. */
  managedChanged() {
    this._managed = null;
    this._managedRead = null;
    return this.readManaged();
  },

  /** The managed policy: awaited (secret and port for requests), or `quick`: the last copy at once. */
  async managed({ quick = false } = {}) {
    if (this._managed) return this._managed;
    const read = this.readManaged();
    if (!quick) return read;
    return (await stored(SecondLook.StorageKey.MANAGED_CACHE)) || {};
  },

  /**
   * Where the companion is and the secret it must prove. Secret: managed storage's `token`
   * (IT) wins, else this user's `secondlook native-host`. Port: managed storage, else the
   * options page, else the native host (this user's own port), else the base port.
   */
  async settings({ quick = false } = {}) {
    const managed = await this.managed({ quick });
    const localPort = await stored(SecondLook.StorageKey.PORT);
    const managedToken = typeof managed.token === "string" && managed.token !== "";
    const managedPort = Number.isInteger(managed.port);
    const native = managedToken && (managedPort || Number.isInteger(localPort)) ? {} : await CompanionClient.native();
    const port = managedPort ? managed.port : Number.isInteger(localPort) ? localPort : native.port || SecondLook.Companion.FALLBACK_PORT;
    const secret = managedToken ? managed.token : native.secret || "";
    const { SecretSource } = SecondLook;
    const secretSource = managedToken ? SecretSource.MANAGED : native.secret ? SecretSource.NATIVE : SecretSource.NONE;
    return { host: native.host || SecondLook.Companion.FALLBACK_HOST, port, secret, secretSource, managedPort, managedToken, portSet: Number.isInteger(localPort) };
  },

  /** The effective policy as last computed (cheap; no network). */
  async current() {
    return (await stored(SecondLook.StorageKey.EFFECTIVE_POLICY)) || { ...SecondLook.POLICY_DEFAULTS, sitesSource: SecondLook.SitesSource.NONE, lastError: "never-fetched" };
  },

  /** Fetch the companion's policy, merge with managed storage, (re)register content scripts. */
  refresh() {
    // Serialise: one fetch at a time. A trigger while one runs (managed storage read meanwhile,
    // options saved) may bring newer settings, so it gets one more run after it; triggers
    // during that wait share it.
    if (this._refreshing) {
      if (!this._refreshAgain) {
        this._refreshAgain = this._refreshing.catch(() => {}).then(() => {
          this._refreshAgain = null;
          return this.refresh();
        });
      }
      return this._refreshAgain;
    }
    this._refreshing = this._refresh().finally(() => {
      this._refreshing = null;
    });
    return this._refreshing;
  },

  async _refresh() {
    // Never wait on managed storage here: the copy (or defaults) now, the real read refines it.
    const settings = await this.settings({ quick: true });
    const managed = await this.managed({ quick: true });
    // the sites last decided stay guarded while the companion is asked (it may be slow or down)
    const last = await this.current();
    if (last.sites.length) await this.registerContentScripts(last.sites.filter(isValidMatchPattern));
    let fetched = null;
    let lastError = "";
    try {
      fetched = await CompanionClient.policy(settings);
    } catch (err) {
      lastError = err instanceof CompanionError ? err.kind : "unreachable";
    }
    const defaults = SecondLook.POLICY_DEFAULTS;
    const policyCache = await stored(SecondLook.StorageKey.POLICY_CACHE);
    if (fetched) {
      const cache = {};
      for (const key of Object.keys(defaults)) if (key in fetched) cache[key] = fetched[key];
      await chrome.storage.local.set({ [SecondLook.StorageKey.POLICY_CACHE]: cache });
    }
    const base = { ...defaults, ...(fetched ? fetched : policyCache || {}) };
    const pick = (key, allowed) => (allowed.includes(managed[key]) ? managed[key] : allowed.includes(base[key]) ? base[key] : defaults[key]);
    const managedSites = Array.isArray(managed.sites);
    const effective = {
      sites: (managedSites ? managed.sites : Array.isArray(base.sites) ? base.sites : []).filter((s) => typeof s === "string"),
      sitesSource: managedSites ? SecondLook.SitesSource.MANAGED : fetched || policyCache ? SecondLook.SitesSource.COMPANION : SecondLook.SitesSource.NONE,
      mode: pick("mode", Object.values(SecondLook.Mode)),
      warn_level: pick("warn_level", SecondLook.RISK_LEVELS),
      fail_mode: pick("fail_mode", Object.values(SecondLook.FailMode)),
      fetchedAt: fetched ? Date.now() : null,
      lastError,
    };
    effective.invalidSites = effective.sites.filter((s) => !isValidMatchPattern(s));
    await chrome.storage.local.set({ [SecondLook.StorageKey.EFFECTIVE_POLICY]: effective });
    await this.registerContentScripts(effective.sites.filter(isValidMatchPattern));
    if (lastError) chrome.alarms.create(SecondLook.Alarm.POLICY_RETRY, { delayInMinutes: 0.5 });
    return effective;
  },

  /** The content scripts and styles as files.json declares them (read once per worker start). */
  contentScripts() {
    if (!this._contentScripts) {
      this._contentScripts = fetch(chrome.runtime.getURL(FILES_JSON))
        .then((response) => response.json())
        .then(contentScriptsOf)
        .catch((err) => {
          this._contentScripts = null; // asked again next time
          throw err;
        });
    }
    return this._contentScripts;
  },

  /** Inject the content scripts on exactly the policy's sites, nowhere else. */
  async registerContentScripts(matches) {
    const existing = await chrome.scripting.getRegisteredContentScripts({ ids: [CONTENT_SCRIPT_ID] });
    const same =
      existing.length === 1 &&
      existing[0].matches.length === matches.length &&
      existing[0].matches.every((m, i) => m === matches[i]);
    if (same) return this.injectOpenTabs(matches); // e.g. after an update: tabs still open may lack the scripts
    if (existing.length) await chrome.scripting.unregisterContentScripts({ ids: [CONTENT_SCRIPT_ID] });
    if (!matches.length) return;
    const { js, css } = await this.contentScripts();
    const script = {
      id: CONTENT_SCRIPT_ID,
      matches,
      js,
      css,
      allFrames: true,
      runAt: "document_start",
      persistAcrossSessions: true,
      matchOriginAsFallback: true,
    };
    try {
      await chrome.scripting.registerContentScripts([script]);
    } catch {
      // Browsers without matchOriginAsFallback (Firefox) reject the key: register without it.
      delete script.matchOriginAsFallback;
      await chrome.scripting.registerContentScripts([script]);
    }
    await this.injectOpenTabs(matches);
  },

  /**
   * Registered scripts run on the next load only: inject them into the frames of tabs already
   * open on these sites. Each frame is asked first where it is and whether our script already
   * runs there, so no other site's frame gets it and no frame gets it twice.
   */
  async injectOpenTabs(matches) {
    let tabs = [];
    try {
      tabs = await chrome.tabs.query({ url: matches });
    } catch {
      return; // a pattern tabs.query does not take: those tabs pick the scripts up on reload
    }
    const { js, css } = await this.contentScripts();
    await Promise.allSettled(tabs.map(async (tab) => {
      const probes = await chrome.scripting.executeScript({
        target: { tabId: tab.id, allFrames: true },
        func: () => ({ url: location.href, origin: location.origin, started: Boolean(globalThis.SecondLook && globalThis.SecondLook.started) }),
      });
      const frameIds = probes
        .filter(({ result }) => result && !result.started)
        .filter(({ result }) => {
          const url = /^https?:/.test(result.url) ? result.url : result.origin !== "null" ? `${result.origin}/` : "";
          return url && matches.some((m) => matchesPattern(m, url));
        })
        .map((p) => p.frameId);
      if (!frameIds.length) return;
      const target = { tabId: tab.id, frameIds };
      await chrome.scripting.insertCSS({ target, files: css });
      await chrome.scripting.executeScript({ target, files: js });
    }));
  },

  isActiveOn(policy, url) {
    return policy.sites.some((pattern) => isValidMatchPattern(pattern) && matchesPattern(pattern, url));
  },

  riskAtLeast(level, threshold) {
    const levels = SecondLook.RISK_LEVELS;
    return levels.indexOf(level) >= levels.indexOf(threshold);
  },

  /**
   * The one place the policy is applied to a draft's risk: whether it is held for review
   * (warn_level) and whether it may be posted (block mode: not at or above the block level,
   * "high" or the warn level if that is higher). The dialog only shows this verdict.
   */
  verdict(policy, risk) {
    const level = (risk && risk.level) || SecondLook.RISK_LEVELS[0];
    const levels = SecondLook.RISK_LEVELS;
    const blockAt = levels[Math.max(levels.indexOf(SecondLook.BLOCK_LEVEL), levels.indexOf(policy.warn_level))];
    const blocked = policy.mode === SecondLook.Mode.BLOCK && this.riskAtLeast(level, blockAt);
    return { warn: this.riskAtLeast(level, policy.warn_level), canPost: !blocked, reason: blocked ? SecondLook.Reason.BLOCKED : "", level };
  },
};
