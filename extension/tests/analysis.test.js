/* background/analysis.js: well-formed text, allow terms, windows and their merged result. */
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { load, plain } = require("./load.js");

const bg = load(["shared/constants.js", "background/site-policy.js", "background/analysis.js"], { URL });
const wellFormed = bg.get("wellFormed");
const allowTerm = bg.get("allowTerm");
const windowsOf = bg.get("windowsOf");
const mergeWindows = bg.get("mergeWindows");

test("lone surrogates become U+FFFD, pairs stay, the UTF-16 length is kept", () => {
  const text = "a\ud83db😡c\ude00";
  const out = wellFormed(text);
  assert.equal(out, "a\ufffdb😡c\ufffd");
  assert.equal(out.length, text.length);
});

test("an allow term is trimmed, non-empty and at most 100 characters", () => {
  assert.equal(allowTerm("  김민수 "), "김민수");
  assert.equal(allowTerm("   "), "");
  assert.equal(allowTerm(null), "");
  assert.equal(allowTerm("가".repeat(101)), "");
  assert.equal(allowTerm("가".repeat(100)), "가".repeat(100));
});

test("windows cover the text, cut at a paragraph or space, never inside a surrogate pair", () => {
  const text = `${"가나다 ".repeat(30)}\n${"라마 ".repeat(40)}😡${"바".repeat(90)}`;
  const windows = windowsOf(text, 100);
  assert.equal(windows.map((w) => w.text).join(""), text);
  let cp = 0;
  let start = 0;
  for (const w of windows) {
    assert.ok(w.text.length <= 100);
    assert.equal(w.start, start);
    assert.equal(w.cpStart, cp);
    const last = w.text.charCodeAt(w.text.length - 1);
    assert.ok(!(last >= 0xd800 && last <= 0xdbff), "a window never ends inside a surrogate pair");
    start += w.text.length;
    cp += [...w.text].length;
  }
  assert.ok(windows.slice(0, -1).some((w) => w.text.endsWith("\n") || w.text.endsWith(" ")));
  assert.deepEqual(plain(windowsOf("짧은 글", 100)), [{ text: "짧은 글", start: 0, cpStart: 0 }]);
});

test("merged windows: findings in draft offsets (code points and UTF-16), the highest risk, complete only if all are", () => {
  const windows = [{ text: "😡 김민수 ", start: 0, cpStart: 0 }, { text: "010-1234-5678", start: 8, cpStart: 7 }];
  const finding = (id, start, end, start16, end16) => ({ id, rank: 4, start, end, start_utf16: start16, end_utf16: end16 });
  const results = [
    { findings: [finding("n", 2, 5, 3, 6)], risk: { level: "medium", reasons: ["a", "b"] }, language: "ko", complete: true },
    { findings: [finding("p", 0, 13, 0, 13)], risk: { level: "high", reasons: ["b", "c"] }, language: "ko", complete: false },
  ];
  const merged = plain(mergeWindows(windows, results));
  assert.deepEqual(merged.findings, [finding("n", 2, 5, 3, 6), finding("p", 7, 20, 8, 21)]);
  assert.deepEqual(merged.risk, { level: "high", reasons: ["a", "b", "c"] });
  assert.equal(merged.complete, false);
  assert.equal(merged.windows, 2);
  assert.ok(!("redacted_text" in merged), "the extension never asks for the companion's redaction");
});
