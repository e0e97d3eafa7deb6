/* shared/constants.js: one frozen set of names, loaded first in every context; the service
 * worker (every files.json script, in order) answers every message type sent to it. */
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const { load, plain, EXTENSION } = require("./load.js");

const FILES = JSON.parse(fs.readFileSync(path.join(EXTENSION, "files.json"), "utf8"));

/** The chrome.* the service worker's scripts touch when they load, and local storage in memory. */
function fakeChrome(local = {}) {
  const event = () => ({ listeners: [], addListener(f) { this.listeners.push(f); } });
  const area = (data) => ({
    get: async (key) => (key in data ? { [key]: data[key] } : {}),
    set: async (items) => Object.assign(data, items),
    remove: async (key) => delete data[key],
  });
  return {
    runtime: { onMessage: event(), onInstalled: event(), onStartup: event(), getURL: (p) => `chrome-extension://id/${p}` },
    alarms: { onAlarm: event() },
    tabs: { onUpdated: event(), onRemoved: event() },
    storage: { onChanged: event(), local: area(local), session: area({}) },
  };
}

test("the constants are frozen, message types and storage keys unique, risk levels lowest first", () => {
  const { SL } = load(["shared/constants.js"]);
  for (const name of ["Message", "Purpose", "StorageKey", "Alarm", "RISK_LEVELS", "Mode", "FailMode", "POLICY_DEFAULTS", "Unchecked", "Reason", "CompanionState", "SitesSource", "Companion"]) {
    assert.ok(Object.isFrozen(SL[name]), name);
  }
  for (const name of ["Message", "StorageKey", "Alarm", "Unchecked"]) {
    const values = Object.values(SL[name]);
    assert.equal(new Set(values).size, values.length, `${name} values are unique`);
  }
  assert.deepEqual(plain(SL.RISK_LEVELS), ["none", "low", "medium", "high", "critical"]);
  assert.ok(SL.RISK_LEVELS.includes(SL.POLICY_DEFAULTS.warn_level) && SL.RISK_LEVELS.includes(SL.BLOCK_LEVEL));
  assert.equal(SL.SEPARATOR, "\n\n");
});

test("loaded again into the same context (a frame injected twice) the constants stay the same objects", () => {
  const context = vm.createContext({});
  const code = fs.readFileSync(path.join(EXTENSION, "shared/constants.js"), "utf8");
  vm.runInContext(code, context);
  const first = context.SecondLook.Message;
  vm.runInContext(code, context);
  assert.equal(context.SecondLook.Message, first);
});

test("the service worker's scripts load in files.json's order and handle every message type sent to it", () => {
  const chrome = fakeChrome();
  const bg = load(FILES.service_worker, { URL, chrome });
  const MSG = bg.SL.Message;
  const toContent = [MSG.REVIEW_SHOW, MSG.REVIEW_RESULT]; // sent by the service worker to frames
  const toWorker = Object.values(MSG).filter((type) => !toContent.includes(type)).sort();
  assert.deepEqual(Object.keys(bg.get("HANDLERS")).sort(), toWorker);
  assert.equal(chrome.runtime.onMessage.listeners.length, 1);
  assert.equal(chrome.runtime.onMessage.listeners[0]({ type: MSG.REVIEW_SHOW }, {}, () => {}), false, "not the worker's to answer");
});

test("the router answers a message by its constant type, reading storage by its constant key", async () => {
  const chrome = fakeChrome({ allowTerms: ["김민수", 7] });
  const bg = load(FILES.service_worker, { URL, chrome });
  const reply = await new Promise((resolve) => {
    assert.equal(chrome.runtime.onMessage.listeners[0]({ type: bg.SL.Message.ALLOW_LIST }, {}, resolve), true);
  });
  assert.deepEqual(plain(reply), { ok: true, terms: ["김민수"] });
});
