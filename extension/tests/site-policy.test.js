/* background/site-policy.js: which match patterns are valid, what they match, the verdict. */
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { load, plain } = require("./load.js");

const bg = load(["shared/constants.js", "background/site-policy.js"], { URL });
const isValidMatchPattern = bg.get("isValidMatchPattern");
const matchesPattern = bg.get("matchesPattern");
const SitePolicy = bg.get("SitePolicy");

test("valid match patterns", () => {
  for (const p of ["<all_urls>", "https://board.example/*", "*://*.example.com/forum/*", "http://127.0.0.1:8080/*",
    "https://*/*", "http://localhost:*/*", "file:///*", "wss://chat.example/*", "https://example.com/"]) {
    assert.equal(isValidMatchPattern(p), true, p);
  }
});

test("invalid match patterns", () => {
  for (const p of ["", "example.com", "https://example.com", "https://*example.com/*", "https://ex*ample.com/*",
    "chrome://extensions/*", "https://example.com:99999x/*", "https://a.*/*", "<all-urls>", " https://a.example/*",
    null, undefined, 42, ["https://a.example/*"]]) {
    assert.equal(isValidMatchPattern(p), false, String(p));
  }
});

test("what a pattern matches: scheme, host, subdomains, port, path", () => {
  const cases = [
    ["https://board.example/*", "https://board.example/post/1?x=2", true],
    ["https://board.example/*", "http://board.example/post", false],
    ["*://board.example/*", "http://board.example/", true],
    ["*://board.example/*", "ftp://board.example/", false],
    ["https://*.example.com/*", "https://example.com/a", true],
    ["https://*.example.com/*", "https://a.b.example.com/a", true],
    ["https://*.example.com/*", "https://badexample.com/a", false],
    ["http://127.0.0.1/*", "http://127.0.0.1:8080/a", true], // no port in the pattern: any port
    ["http://127.0.0.1:8080/*", "http://127.0.0.1:9090/a", false],
    ["http://127.0.0.1:80/*", "http://127.0.0.1/a", true],
    ["https://board.example/forum/*", "https://board.example/other", false],
    ["<all_urls>", "ws://chat.example/", true],
    ["<all_urls>", "chrome://settings/", false],
    ["https://board.example/*", "not a url", false],
  ];
  for (const [pattern, url, expected] of cases) assert.equal(matchesPattern(pattern, url), expected, `${pattern} ${url}`);
});

test("isActiveOn uses only valid patterns", () => {
  assert.equal(SitePolicy.isActiveOn({ sites: ["https://*example.com/*", "https://board.example/*"] }, "https://board.example/x"), true);
  assert.equal(SitePolicy.isActiveOn({ sites: ["https://*example.com/*"] }, "https://example.com/x"), false);
});

test("the verdict: review at warn_level, block mode refuses at the block level", () => {
  const warn = { mode: "warn", warn_level: "medium" };
  const block = { mode: "block", warn_level: "medium" };
  assert.deepEqual(plain(SitePolicy.verdict(warn, { level: "low" })), { warn: false, canPost: true, reason: "", level: "low" });
  assert.deepEqual(plain(SitePolicy.verdict(warn, { level: "critical" })), { warn: true, canPost: true, reason: "", level: "critical" });
  assert.deepEqual(plain(SitePolicy.verdict(block, { level: "medium" })), { warn: true, canPost: true, reason: "", level: "medium" });
  assert.deepEqual(plain(SitePolicy.verdict(block, { level: "high" })), { warn: true, canPost: false, reason: "blocked", level: "high" });
  assert.equal(SitePolicy.verdict({ mode: "block", warn_level: "critical" }, { level: "high" }).canPost, true);
  assert.equal(SitePolicy.verdict(block, undefined).level, "none");
});
