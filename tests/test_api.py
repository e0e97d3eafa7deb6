"""HTTP API v1, endpoint by endpoint: statuses, keys and types of every answer and error.

In this process, through ``create_app(...).test_client()`` with the real engine passed through
the app's engine seam (tests/app_client.py); the fixtures ``companion`` and ``companion_server``
are overridden here with that client, which pairs as the extension does. What needs the real
server (Host and Origin checks over loopback, body limits, logs, load, shutdown) is in
test_security.py, test_robustness.py and test_bounds.py.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from app_client import AppClient, app_client
from companion.config import EXTENSION_ID
from engine_support import engine_for

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


@pytest.fixture(scope="module")
def companion(tmp_path_factory: pytest.TempPathFactory) -> AppClient:
    """The app with default settings, shared by the read-only tests of this module."""
    return app_client(tmp_path_factory.mktemp("app"))


@pytest.fixture
def companion_server(tmp_path: Path):
    """Factory: a fresh app (its own stats) on ``config_text``."""
    return lambda config_text=None: app_client(tmp_path, config_text)


# --- health, policy -----------------------------------------------------------------------

def test_health_reports_engine(companion) -> None:
    status, headers, body = companion.request("GET", "/v1/health")
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    assert body["status"] == "ok" and body["api"] == 1 and body["version"]
    assert body["engine"]["ready"] is True
    assert "ko" in body["engine"]["languages"]
    assert body["engine"]["load_ms"] > 0


def test_health_is_503_starting_until_the_engine_is_loaded(tmp_path: Path) -> None:
    release = threading.Event()

    def held_engine(detection):
        assert release.wait(60)
        return engine_for(detection)

    app = app_client(tmp_path, engine_factory=held_engine, wait=False)
    try:
        status, _, body = app.request("GET", "/v1/health")
        assert (status, body) == (503, {"status": "starting"})
        status, _, body = app.request("POST", "/v1/analyze", {"text": "x"})  # refused, not queued
        assert_error(status, body, 503)
        assert body["error"]["code"] == "unavailable"
    finally:
        release.set()
    assert app.state.engine.wait(60)
    status, _, body = app.request("GET", "/v1/health")
    assert status == 200 and body["engine"]["ready"] is True


def test_policy_is_the_policy_section(companion_server) -> None:
    server = companion_server('[policy]\nsites = ["http://127.0.0.1/*"]\nmode = "block"\n'
                              'warn_level = "high"\nfail_mode = "closed"\n')
    status, _, body = server.request("GET", "/v1/policy")
    assert status == 200
    assert body == {"sites": ["http://127.0.0.1/*"], "mode": "block", "warn_level": "high",
                    "fail_mode": "closed", "allowed_extension_ids": [EXTENSION_ID]}


# --- analyze --------------------------------------------------------------------------------

def test_analyze_shape_and_offsets(companion) -> None:
    body = analyze(companion, DRAFT, redacted_text=True)
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


def test_stats_shape(companion) -> None:
    status, _, stats = companion.request("GET", "/v1/stats")
    assert status == 200
    assert set(stats) == {"requests", "statuses", "analyze_latency_ms", "feedback"}
    assert set(stats["analyze_latency_ms"]) == {"count", "p50", "p95", "p99"}
    assert all(isinstance(n, int) for n in stats["requests"].values())
    assert all(key.isdigit() and isinstance(n, int) for key, n in stats["statuses"].items())


def test_pair_shape(companion) -> None:
    challenge = {"nonce": "ab" * 32, "host": "127.0.0.1", "port": companion.port}
    status, _, body = companion.request("POST", "/v1/pair", challenge)
    assert status == 200
    assert set(body) == {"proof", "server_nonce", "expires_in_s", "version"}
    assert isinstance(body["proof"], str) and len(body["server_nonce"]) == 64 and body["expires_in_s"] > 0
    assert body["version"] == companion.request("GET", "/v1/health")[2]["version"]


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

