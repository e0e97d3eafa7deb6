"""One redaction path: the overlap rule shared with the extension, `redacted_text` only on request,
`/v1/redact` in the analysis's language, feedback in one request (real `secondlook serve` over HTTP)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from companion.engine.entities import RANK
from companion.engine.findings import Finding
from companion.engine.redact import Redactor

ROOT = Path(__file__).resolve().parent.parent
VECTORS = json.loads((ROOT / "tests" / "vectors" / "overlap.json").read_text(encoding="utf-8"))["cases"]
NODE = "/usr/bin/node"
DRAFT = "외과 김성호 교수 번호 010-1234-5678 입니다."


def _utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


# --- the overlap rule: the same vectors as extension/tests/redaction.test.js -------------------

@pytest.mark.parametrize("case", VECTORS, ids=[c["name"] for c in VECTORS])
def test_the_shared_overlap_vectors_hold_for_the_companion(case: dict) -> None:
    text = case["text"]
    findings = {}
    for f in case["findings"]:
        assert f["rank"] == RANK[f["category"]], "the vector's rank must be the one /v1/analyze sends"
        assert (f["start_utf16"], f["end_utf16"]) == (_utf16(text, f["start"]), _utf16(text, f["end"]))
        findings[f["id"]] = Finding(f["entity_type"], f["category"], f["start"], f["end"], f["score"],
                                    text[f["start"]:f["end"]], suggestion=f["suggestion"], id=f["id"])
    redacted, _ = Redactor().apply(text, [findings[i] for i in case["accept"]], case["replacements"])
    assert redacted == case["expected"]


_APPLY_IN_NODE = """
const vm = require("node:vm");
const fs = require("node:fs");
const input = JSON.parse(fs.readFileSync(0, "utf8"));
const context = vm.createContext({});
for (const file of process.argv.slice(1)) vm.runInContext(fs.readFileSync(file, "utf8"), context);
const R = context.SecondLook.Redaction;
const field = { model: { text: () => input.text } };
const [edit] = R.plan(R.combine([field]), input.findings, input.accept, input.replacements);
process.stdout.write(JSON.stringify(edit.result));
"""


@pytest.mark.parametrize("draft", [
    "이수진 미친년 진짜 싫다. 이수진 선생님 번호 010-2222-3333",  # harm beside a name
    "삼성서울 쪽은 요즘 어때요? 김민수 교수 또 소리질렀대",
    "2021년에 서울대병원 정형외과 치프였던 김민수 알아요? 😡 kim.minsu@snu.ac.kr",
    "세브란스 신경과 김성호 교수 또 소리질렀대. 김 교수 라인이라 아무도 말 못함. 이수진 선생님만 불쌍",
])
def test_the_extension_applies_a_real_analysis_as_the_companion_redacts_it(companion, draft: str) -> None:
    """The extension's content/redaction.js, run in node on the findings of a real analysis, gives
    exactly what /v1/redact gives for the same accepted ids and replacements."""
    status, _, analysis = companion.request("POST", "/v1/analyze", {"text": draft})
    assert status == 200 and analysis["findings"]
    accept = [f["id"] for f in analysis["findings"]][1:]  # all but the first, one replacement edited
    replacements = {accept[0]: "[편집함]"}
    status, _, expected = companion.request("POST", "/v1/redact", {"text": draft, "accept": accept,
                                                                  "replacements": replacements})
    assert status == 200
    payload = {"text": draft, "findings": analysis["findings"], "accept": accept, "replacements": replacements}
    scripts = [str(ROOT / "extension" / name) for name in ("shared/constants.js", "content/redaction.js")]
    done = subprocess.run([NODE, "-e", _APPLY_IN_NODE, *scripts],
                          input=json.dumps(payload), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == expected["redacted_text"] != draft


# --- /v1/analyze: rank per finding, redacted_text only on request -----------------------------

def test_every_finding_carries_the_rank_the_overlap_rule_orders_by(companion) -> None:
    status, _, body = companion.request("POST", "/v1/analyze", {"text": "이수진 미친년 " + DRAFT})
    assert status == 200
    assert {f["category"] for f in body["findings"]} >= {"name", "contact", "harm"}
    assert all(f["rank"] == RANK[f["category"]] for f in body["findings"])


def test_redacted_text_is_computed_only_when_asked_for(companion) -> None:
    status, _, plain = companion.request("POST", "/v1/analyze", {"text": DRAFT})
    assert status == 200 and "redacted_text" not in plain and plain["findings"]
    status, _, unasked = companion.request("POST", "/v1/analyze", {"text": DRAFT, "redacted_text": False})
    assert status == 200 and "redacted_text" not in unasked
    status, _, asked = companion.request("POST", "/v1/analyze", {"text": DRAFT, "redacted_text": True})
    assert status == 200 and asked["findings"] == plain["findings"]
    status, _, redacted = companion.request("POST", "/v1/redact", {"text": DRAFT})
    assert status == 200 and asked["redacted_text"] == redacted["redacted_text"]
    assert "010-1234-5678" not in asked["redacted_text"]


@pytest.mark.parametrize("value", ["yes", 1, [True]])
def test_redacted_text_must_be_a_boolean(companion, value) -> None:
    status, _, body = companion.request("POST", "/v1/analyze", {"text": DRAFT, "redacted_text": value})
    assert status == 400 and 'field "redacted_text" must be true or false' in body["error"]["message"]


# --- /v1/redact in the analysis's language ---------------------------------------------------

def test_redact_uses_the_language_asked_for(companion) -> None:
    """An English analysis's ids are redacted with its English suggestions, not re-read as Korean."""
    text = "Call 김민수 at 010-1234-5678"
    status, _, en = companion.request("POST", "/v1/analyze", {"text": text, "language": "en", "redacted_text": True})
    assert status == 200 and en["language"] == "en"
    ids = [f["id"] for f in en["findings"]]
    status, _, body = companion.request("POST", "/v1/redact", {"text": text, "accept": ids, "language": "en"})
    assert status == 200 and body["redacted_text"] == en["redacted_text"] and sorted(body["applied"]) == sorted(ids)
    status, _, ko = companion.request("POST", "/v1/redact", {"text": text, "accept": ids, "language": "ko"})
    assert status == 200 and ko["redacted_text"] != body["redacted_text"], "suggestions follow the language"
    phone = next(f for f in en["findings"] if f["category"] == "contact")
    assert body["redacted_text"] == text.replace("010-1234-5678", phone["suggestion"]).replace("김민수", next(
        f["suggestion"] for f in en["findings"] if f["category"] == "name"))


@pytest.mark.parametrize("language", ["fr", 3])
def test_redact_rejects_a_language_it_does_not_know(companion, language) -> None:
    status, _, body = companion.request("POST", "/v1/redact", {"text": DRAFT, "language": language})
    assert status == 400 and '"language"' in body["error"]["message"]


# --- /v1/feedback: one request per review ----------------------------------------------------

def _feedback_counts(server) -> dict:
    status, _, stats = server.request("GET", "/v1/stats")
    assert status == 200
    return stats["feedback"]


def test_a_reviews_decisions_are_counted_in_one_request(companion_server) -> None:
    server = companion_server()
    items = [{"entity_type": "PERSON_FULL_NAME", "action": "accepted"},
             {"entity_type": "PERSON_FULL_NAME", "action": "edited"},
             {"entity_type": "KR_MOBILE_PHONE", "action": "dismissed"}]
    status, _, body = server.request("POST", "/v1/feedback", {"items": items})
    assert status == 200 and body == {"ok": True}
    assert _feedback_counts(server) == {"KR_MOBILE_PHONE": {"accepted": 0, "edited": 0, "dismissed": 1},
                                        "PERSON_FULL_NAME": {"accepted": 1, "edited": 1, "dismissed": 0}}
    status, _, stats = server.request("GET", "/v1/stats")
    assert stats["requests"]["/v1/feedback"] == 1


@pytest.mark.parametrize("items, message", [
    ([{"entity_type": "PERSON", "action": "accepted"}, {"entity_type": "PERSON", "action": "liked"}],
     'items[1]: field "action" must be one of'),
    ([{"entity_type": "PERSON", "action": "accepted"}, "PERSON"], "items[1]: a decision must be an object"),
    ([{"action": "accepted"}], 'items[0]: missing field "entity_type"'),
    ([{"entity_type": "phone number", "action": "accepted"}], 'items[0]: field "entity_type" must be an entity type'),
    ([], 'field "items" must have 1 to 500 decisions'),
    ([{"entity_type": "PERSON", "action": "accepted"}] * 501, 'field "items" must have 1 to 500 decisions'),
    ("PERSON", 'field "items" must be an array'),
])
def test_a_bad_decision_names_its_index_and_nothing_is_counted(companion_server, items, message: str) -> None:
    server = companion_server()
    status, _, body = server.request("POST", "/v1/feedback", {"items": items})
    assert status == 400 and body["error"]["code"] == "bad_request"
    assert body["error"]["message"].startswith(message), body
    assert _feedback_counts(server) == {}, "all or nothing"


def test_a_batch_overflowing_the_entity_types_counts_nothing(companion_server) -> None:
    server = companion_server()
    items = [{"entity_type": f"TYPE_{i}", "action": "accepted"} for i in range(250)]
    assert server.request("POST", "/v1/feedback", {"items": items})[0] == 200
    more = [{"entity_type": "TYPE_0", "action": "edited"}] + [
        {"entity_type": f"OTHER_{i}", "action": "accepted"} for i in range(10)]
    status, _, body = server.request("POST", "/v1/feedback", {"items": more})
    assert status == 400 and "too many distinct entity types" in body["error"]["message"]
    counts = _feedback_counts(server)
    assert len(counts) == 250 and counts["TYPE_0"] == {"accepted": 1, "edited": 0, "dismissed": 0}
