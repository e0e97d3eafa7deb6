/* extension/files.json, the one list of the extension's scripts (build.py reads it for the
 * packages and the Firefox manifest; background/site-policy.js for the content scripts). */
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { load, plain, EXTENSION } = require("./load.js");

const FILES = JSON.parse(fs.readFileSync(path.join(EXTENSION, "files.json"), "utf8"));
const CONSTANTS = "shared/constants.js";

test("files.json: the service worker and the content scripts load the constants module first, every file exists", () => {
  for (const list of [FILES.service_worker, FILES.content_scripts.js, FILES.content_scripts.css]) {
    assert.ok(list.length > 0);
    for (const file of list) {
      assert.ok(fs.statSync(path.join(EXTENSION, file)).isFile(), file);
      assert.ok(!file.startsWith("tests/"), `${file}: the tests are never packaged`);
    }
  }
  assert.equal(FILES.service_worker[0], CONSTANTS);
  assert.equal(FILES.content_scripts.js[0], CONSTANTS);
  assert.equal(FILES.service_worker.at(-1), "background/main.js", "the router starts once every module is loaded");
  assert.equal(FILES.content_scripts.js.at(-1), "content/main.js");
});

test("contentScriptsOf takes files.json's content scripts and refuses a malformed list", () => {
  const bg = load([CONSTANTS, "background/site-policy.js"], { URL });
  const contentScriptsOf = bg.get("contentScriptsOf");
  assert.deepEqual(plain(contentScriptsOf(FILES)), FILES.content_scripts);
  assert.deepEqual(plain(contentScriptsOf({ content_scripts: { js: ["a.js"] } })), { js: ["a.js"], css: [] });
  for (const bad of [null, {}, { content_scripts: { js: [] } }, { content_scripts: { js: "a.js" } },
    { content_scripts: { js: ["a.js", ""] } }, { content_scripts: { js: ["a.js"], css: [1] } }]) {
    assert.throws(() => contentScriptsOf(bad), /files\.json: content_scripts/, JSON.stringify(bad));
  }
});

test("SitePolicy.contentScripts fetches files.json from the extension once, and again after a failure", async () => {
  const fetched = [];
  let fail = true;
  const globals = {
    URL,
    chrome: { runtime: { getURL: (p) => `chrome-extension://id/${p}` } },
    fetch: async (url) => {
      fetched.push(url);
      if (fail) throw new TypeError("Failed to fetch");
      return { json: async () => FILES };
    },
  };
  const SitePolicy = load([CONSTANTS, "background/site-policy.js"], globals).get("SitePolicy");
  await assert.rejects(SitePolicy.contentScripts());
  fail = false;
  assert.deepEqual(plain(await SitePolicy.contentScripts()), FILES.content_scripts);
  assert.deepEqual(plain(await SitePolicy.contentScripts()), FILES.content_scripts);
  assert.deepEqual(fetched, ["chrome-extension://id/files.json", "chrome-extension://id/files.json"]);
});
