"""HTTP API v1 against the real `secondlook serve` over loopback."""

from __future__ import annotations

import json
import time

import pytest

from companion.config import EXTENSION_ID

DRAFT = "외과 김성호 교수 번호 010-1234-5678 입니다."
PHONE = "010-1234-5678"


def analyze(companion, text: str, **extra) -> dict:
    status, _, body = companion.request("POST", "/v1/analyze", {"text": text, **extra})
    assert status == 200, body
    return body


def assert_error(status: int, body: dict, expected: int) -> None:
    assert status == expected, body
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["message"]


# --- health, policy -----------------------------------------------------------------------

def test_health_reports_engine(companion) -> None:
    status, headers, body = companion.request("GET", "/v1/health")
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    assert body["status"] == "ok" and body["api"] == 1 and body["version"]
    assert body["engine"]["ready"] is True
    assert "ko" in body["engine"]["languages"]
    assert body["engine"]["load_ms"] > 0


def test_health_is_503_starting_until_the_engine_is_loaded(companion_server) -> None:
    server = companion_server(wait=False)
    seen: list[tuple[int, dict]] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _, body = server.request("GET", "/v1/health", timeout=2)
        except OSError:
            time.sleep(0.01)
            continue
        seen.append((status, body))
        if status == 200:
            break
        # Analysis is refused, not queued, while the engine loads.
        a_status, _, a_body = server.request("POST", "/v1/analyze", {"text": "x"})
        if a_status == 503:
            assert a_body["error"]["code"] == "unavailable"
        time.sleep(0.01)
    assert seen[0] == (503, {"status": "starting"})
    assert seen[-1][0] == 200


def test_policy_is_the_policy_section(companion_server) -> None:
    server = companion_server('[policy]\nsites = ["http://127.0.0.1/*"]\nmode = "block"\n'
                              'warn_level = "high"\nfail_mode = "closed"\n')
    status, _, body = server.request("GET", "/v1/policy")
    assert status == 200
    assert body == {"sites": ["http://127.0.0.1/*"], "mode": "block", "warn_level": "high",
                    "fail_mode": "closed", "allowed_extension_ids": [EXTENSION_ID]}


# --- analyze --------------------------------------------------------------------------------

def test_analyze_shape_and_offsets(companion) -> None:
    body = analyze(companion, DRAFT)
    assert set(body) >= {"findings", "risk", "redacted_text", "language", "elapsed_ms"}
    assert body["language"] == "ko"
    assert body["risk"]["level"] in ("none", "low", "medium", "high", "critical")
    assert isinstance(body["risk"]["reasons"], list)
    assert body["findings"], "a phone number must be found"
    for f in body["findings"]:
        assert f["category"] in ("name", "contact", "id", "affiliation", "detail", "harm")
        assert DRAFT[f["start"]:f["end"]] == f["text"]
        assert (f["start_utf16"], f["end_utf16"]) == (f["start"], f["end"])  # no astral characters
        assert 0 <= f["score"] <= 1 and f["reason"] and isinstance(f["suggestion"], str)
    phone = [f for f in body["findings"] if f["category"] == "contact"]
    assert [f["text"] for f in phone] == [PHONE]
    assert body["risk"]["level"] in ("high", "critical"), "an exposed contact is at least high"
    assert PHONE not in body["redacted_text"]


def test_utf16_offsets_after_emoji(companion) -> None:
    text = "😡🙏 급하면 " + PHONE + " 로 연락"
    body = analyze(companion, text)
    (phone,) = [f for f in body["findings"] if f["category"] == "contact"]
    assert text[phone["start"]:phone["end"]] == PHONE
    utf16 = text.encode("utf-16-le")
    assert utf16[phone["start_utf16"] * 2:phone["end_utf16"] * 2].decode("utf-16-le") == PHONE
    assert phone["start_utf16"] == phone["start"] + 2


def test_ids_are_stable_for_the_same_text(companion) -> None:
    first = [f["id"] for f in analyze(companion, DRAFT)["findings"]]
    second = [f["id"] for f in analyze(companion, DRAFT)["findings"]]
    assert first == second and len(set(first)) == len(first)


def test_english_draft_and_explicit_language(companion) -> None:
    body = analyze(companion, "Call me at 010-9876-5432 tomorrow", language="en")
    assert body["language"] == "en"
    assert any(f["category"] == "contact" for f in body["findings"])


def test_clean_draft_has_no_risk(companion) -> None:
    body = analyze(companion, "오늘 당직 너무 힘드네요. 다들 화이팅입니다!")
    assert body["findings"] == [] and body["risk"]["level"] == "none"


# --- redact -------------------------------------------------------------------------------

def test_redact_all_and_selected(companion) -> None:
    findings = analyze(companion, DRAFT)["findings"]
    status, _, body = companion.request("POST", "/v1/redact", {"text": DRAFT})
    assert status == 200
    assert sorted(body["applied"]) == sorted(f["id"] for f in findings)
    assert PHONE not in body["redacted_text"]

    phone_id = next(f["id"] for f in findings if f["category"] == "contact")
    status, _, body = companion.request("POST", "/v1/redact", {
        "text": DRAFT, "accept": [phone_id], "replacements": {phone_id: "[번호]"}})
    assert status == 200 and body["applied"] == [phone_id]
    assert body["redacted_text"] == DRAFT.replace(PHONE, "[번호]")

    status, _, body = companion.request("POST", "/v1/redact", {"text": DRAFT, "accept": []})
    assert status == 200 and body == {"redacted_text": DRAFT, "applied": [], "complete": True}


def test_redact_unknown_id_is_400(companion) -> None:
    status, _, body = companion.request("POST", "/v1/redact", {"text": DRAFT, "accept": ["nope"]})
    assert_error(status, body, 400)
    assert body["error"]["code"] == "unknown_finding"
    status, _, body = companion.request("POST", "/v1/redact", {"text": DRAFT, "replacements": {"nope": "x"}})
    assert_error(status, body, 400)


# --- the request's own allow list ---------------------------------------------------------

def test_allow_list_in_the_request_is_never_flagged(companion) -> None:
    flagged = analyze(companion, DRAFT)
    assert any(f["text"] == "김성호" for f in flagged["findings"])
    allowed = analyze(companion, DRAFT, allow=["김성호"])
    assert [f["text"] for f in allowed["findings"] if f["category"] == "name"] == []
    assert any(f["text"] == PHONE for f in allowed["findings"])  # only the listed term is let through
    assert analyze(companion, DRAFT)["findings"] == flagged["findings"]  # nothing is remembered
    status, _, body = companion.request("POST", "/v1/redact", {"text": DRAFT, "allow": ["김성호"]})
    assert status == 200 and "김성호" in body["redacted_text"] and PHONE not in body["redacted_text"]


@pytest.mark.parametrize("allow", ["김성호", [1], ["가" * 101], ["a"] * 501])
def test_bad_allow_list_is_400(companion, allow) -> None:
    for path in ("/v1/analyze", "/v1/redact"):
        status, _, body = companion.request("POST", path, {"text": DRAFT, "allow": allow})
        assert_error(status, body, 400)
        assert '"allow"' in body["error"]["message"]


# --- feedback and stats -------------------------------------------------------------------

def test_feedback_counts_show_in_stats(companion_server) -> None:
    server = companion_server()
    for action in ("accepted", "accepted", "dismissed"):
        status, _, body = server.request("POST", "/v1/feedback", {"entity_type": "PHONE_NUMBER", "action": action})
        assert status == 200 and body == {"ok": True}
    analyze(server, DRAFT)
    status, _, stats = server.request("GET", "/v1/stats")
    assert status == 200
    assert stats["feedback"]["PHONE_NUMBER"] == {"accepted": 2, "edited": 0, "dismissed": 1}
    assert stats["requests"]["/v1/feedback"] == 3
    assert stats["analyze_latency_ms"]["count"] == 1 and stats["analyze_latency_ms"]["p95"] > 0
    assert "김성호" not in json.dumps(stats, ensure_ascii=False)


@pytest.mark.parametrize("body", [
    {"entity_type": "PHONE_NUMBER", "action": "liked"},
    {"entity_type": "phone number with spaces", "action": "accepted"},
    {"entity_type": 5, "action": "accepted"},
    {"action": "accepted"},
])
def test_feedback_rejects_bad_input(companion, body: dict) -> None:
    status, _, reply = companion.request("POST", "/v1/feedback", body)
    assert_error(status, reply, 400)


# --- errors -------------------------------------------------------------------------------

@pytest.mark.parametrize("data, message", [
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe{}", "not valid UTF-8"),
    (b"[1, 2]", "JSON object"),
    (b"{}", 'missing field "text"'),
    (b'{"text": 12}', 'field "text" must be a string'),
    (b'{"text": "a", "language": "fr"}', 'field "language"'),
    (b'{"text": "\\ud800 lone"}', "not valid Unicode"),
    (b"[" * 50000 + b"]" * 50000, "not valid JSON"),
])
def test_malformed_bodies_are_400(companion, data: bytes, message: str) -> None:
    status, _, body = companion.request("POST", "/v1/analyze", data)
    assert_error(status, body, 400)
    assert message in body["error"]["message"]


def test_unknown_path_and_wrong_method(companion) -> None:
    status, _, body = companion.request("GET", "/v1/nothing")
    assert_error(status, body, 404)
    status, _, body = companion.request("GET", "/v1/analyze")
    assert_error(status, body, 405)
    status, _, body = companion.request("POST", "/v1/health", {})
    assert_error(status, body, 405)

