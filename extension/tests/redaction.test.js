/* content/redaction.js: the overlap rule shared with the companion (tests/vectors/overlap.json,
 * also read by tests/test_redaction_path.py), the plan over several fields, the editors' write. */
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { load, plain, EXTENSION } = require("./load.js");

const { SL } = load(["shared/constants.js", "content/text-model.js", "content/redaction.js"]); // write() compares with SL.sameText
const R = SL.Redaction;
const VECTORS = JSON.parse(fs.readFileSync(path.join(EXTENSION, "..", "tests", "vectors", "overlap.json"), "utf8")).cases;

/** A field whose editor holds `text` and applies replacements (records them). */
function field(text) {
  const model = {
    value: text,
    edits: [],
    text: () => model.value,
    async replace(start, end, data) {
      model.edits.push([start, end, data]);
      model.value = model.value.slice(0, start) + data + model.value.slice(end);
      return true;
    },
    async settle() {
      return model.value;
    },
  };
  return { model };
}

for (const c of VECTORS) {
  test(`shared vector: ${c.name}`, () => {
    const [edit] = R.plan(R.combine([field(c.text)]), c.findings, c.accept, c.replacements);
    assert.equal(edit.result, c.expected);
  });
}

test("nonOverlapping keeps the companion's choice, sorted by start", () => {
  const f = (id, start, end, rank, score) => ({ id, start, end, rank, score });
  const chosen = R.nonOverlapping([f("a", 0, 7, 2, 0.9), f("b", 2, 12, 2, 0.5), f("c", 7, 14, 2, 0.9), f("d", 20, 22, 0, 1)]);
  assert.deepEqual(plain(chosen.map((x) => x.id)), ["b", "d"]);
  assert.deepEqual(plain(R.nonOverlapping([])), []);
});

test("the length compared is in code points, as the companion counts it", () => {
  // "😡😡" is 2 code points but 4 UTF-16 units: the 3-code-point finding is the longer one
  const text = "😡😡가나";
  const emoji = { id: "e", rank: 2, score: 0.9, start: 0, end: 2, start_utf16: 0, end_utf16: 4, suggestion: "[e]" };
  const word = { id: "w", rank: 2, score: 0.5, start: 1, end: 4, start_utf16: 2, end_utf16: 6, suggestion: "[w]" };
  const [edit] = R.plan(R.combine([field(text)]), [emoji, word], ["e", "w"], {});
  assert.equal(edit.result, "😡[w]");
});

test("combine joins the fields with the separator and gives each field's bounds", () => {
  const combined = R.combine([field("제목"), field("본문 😡 끝")]);
  assert.equal(combined.text, "제목\n\n본문 😡 끝");
  assert.deepEqual(plain(combined.bounds), [{ start: 0, end: 2 }, { start: 4, end: 11 }]);
});

test("plan maps each finding to its field, in local offsets", () => {
  const fields = [field("김민수 교수 건"), field("연락처 010-1234-5678 로")];
  const combined = R.combine(fields);
  const at = (part, id, suggestion, rank) => {
    const start = combined.text.indexOf(part);
    return { id, rank, score: 0.9, start, end: start + part.length, start_utf16: start, end_utf16: start + part.length, suggestion };
  };
  const findings = [at("김민수", "n", "한", 4), at("010-1234-5678", "p", "[연락처]", 5)];
  const edits = R.plan(combined, findings, ["n", "p"], { n: "그" });
  assert.deepEqual(plain(edits), [
    { spans: [{ id: "n", start: 0, end: 3, text: "그" }], result: "그 교수 건" },
    { spans: [{ id: "p", start: 4, end: 17, text: "[연락처]" }], result: "연락처 [연락처] 로" },
  ]);
  assert.equal(edits.map((e) => e.result).join(SL.SEPARATOR), "그 교수 건\n\n연락처 [연락처] 로");
});

test("a finding over the separator is replaced where it starts and its rest leaves the next field", () => {
  const combined = R.combine([field("어제 세브란스"), field("흉부외과 회식")]);
  const start = combined.text.indexOf("세브란스");
  const end = combined.text.indexOf("흉부외과") + 4;
  const merged = { id: "m", rank: 2, score: 0.8, start, end, start_utf16: start, end_utf16: end, suggestion: "한 병원" };
  const edits = R.plan(combined, [merged], ["m"], {});
  assert.deepEqual(plain(edits.map((e) => e.result)), ["어제 한 병원", " 회식"]);
});

test("write edits last span first and verifies every field after settling", async () => {
  const fields = [field("김민수 교수 김민수")];
  const combined = R.combine(fields);
  const findings = [
    { id: "a", rank: 4, score: 0.9, start: 0, end: 3, start_utf16: 0, end_utf16: 3, suggestion: "한" },
    { id: "b", rank: 4, score: 0.9, start: 7, end: 10, start_utf16: 7, end_utf16: 10, suggestion: "그" },
  ];
  const edits = R.plan(combined, findings, ["a", "b"], {});
  assert.equal(await R.write(fields, edits), true);
  assert.deepEqual(fields[0].model.edits, [[7, 10, "그"], [0, 3, "한"]]);
  assert.equal(fields[0].model.value, "한 교수 그");

  const nbsp = field("김민수 교수"); // a rich editor's U+00A0 for a space is the same text
  nbsp.model.settle = async () => nbsp.model.value.replace(" ", "\u00a0");
  assert.equal(await R.write([nbsp], R.plan(R.combine([nbsp]), findings.slice(0, 1), ["a"], {})), true);

  const refusing = field("김민수 교수");
  refusing.model.replace = async () => false; // an editor that does not take the edit
  const plan = R.plan(R.combine([refusing]), findings.slice(0, 1), ["a"], {});
  assert.equal(await R.write([refusing], plan), false);
});
