"""Local-service security beyond the API tests: pairing, DNS rebinding, origins, tokens, content
types, body limits, and no draft text in logs, responses or any file the companion writes."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import secrets
import socket
import time
from pathlib import Path

import pytest

from companion.config import EXTENSION_ID

TOKEN = "security-token-0123456789abcdef"
OTHER_ID = "abcdefghijklmnopabcdefghijklmnop"


def raw(port: int, method: str, path: str, body: bytes | None = None,
        headers: dict[str, str | None] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One request with exactly these headers (a None value leaves that header out)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        all_headers = {"Host": f"127.0.0.1:{port}", **(headers or {})}
        if body is not None:
            all_headers.setdefault("Content-Length", str(len(body)))
        for name, value in all_headers.items():
            if value is not None:
                conn.putheader(name, value)
        conn.endheaders(body)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def error_code(body: bytes) -> str:
    return json.loads(body)["error"]["code"]


def expected_proof(token: str, port: int, nonce: str) -> str:
    """The pairing proof exactly as docs/deploy.md specifies it (independent of companion.pairing)."""
    message = f"secondlook-pair-v1\n{port}\n{nonce}".encode()
    return hmac.new(token.encode(), message, hashlib.sha256).hexdigest()


# --- pairing ----------------------------------------------------------------------------

def test_documented_pairing_test_vector() -> None:
    from companion.pairing import pair_proof

    assert (pair_proof("example-token-0123456789", 47813, "00112233445566778899aabbccddeeff")
            == "4a46c2a8ee0badf7959af0df129aac5c2f6959d0536664c81cfc6ec95d019b5f")


def test_pairing_proves_the_token_without_receiving_it(companion_server) -> None:
    running = companion_server(env={"SECONDLOOK_TOKEN": TOKEN})
    nonce = secrets.token_hex(32)
    headers = {"Content-Type": "application/json", "Origin": f"chrome-extension://{EXTENSION_ID}"}
    status, _, body = raw(running.port, "POST", "/v1/pair", json.dumps({"nonce": nonce}).encode(), headers)
    assert status == 200, body
    answer = json.loads(body)
    assert answer["proof"] == expected_proof(TOKEN, running.port, nonce)
    assert answer["port"] == running.port
    # The proof is bound to the port: relayed from a companion on another port it does not verify.
    assert answer["proof"] != expected_proof(TOKEN, running.port + 1, nonce)
    assert answer["proof"] != expected_proof("another-users-token-012345", running.port, nonce)
    for bad in ("", "xyz", "ABCDEF" * 8, "0" * 31, "0" * 129, 12345, None):
        status, _, body = raw(running.port, "POST", "/v1/pair", json.dumps({"nonce": bad}).encode(), headers)
        assert status == 400 and error_code(body) == "bad_request", bad
    status, _, _ = raw(running.port, "POST", "/v1/pair", json.dumps({"nonce": nonce}).encode(),
                       {**headers, "Origin": "https://evil.example"})
    assert status == 403


def test_pairing_without_a_token_is_409(companion: object) -> None:
    status, _, body = raw(companion.port, "POST", "/v1/pair", json.dumps({"nonce": "ab" * 16}).encode(),
                          {"Content-Type": "application/json"})
    assert status == 409 and error_code(body) == "no_token"


# --- Host, Origin, token, content type, size --------------------------------------------

ENDPOINTS = [("GET", "/v1/health", None), ("POST", "/v1/analyze", {"text": "김민수 교수"}),
             ("POST", "/v1/redact", {"text": "김민수 교수"}), ("POST", "/v1/feedback",
             {"entity_type": "PERSON", "action": "accepted"}), ("GET", "/v1/stats", None),
             ("GET", "/v1/policy", None), ("POST", "/v1/pair", {"nonce": "ab" * 16})]
PROTECTED = [e for e in ENDPOINTS if e[1] not in ("/v1/health", "/v1/pair")]


@pytest.fixture
def tokened(companion_with_token):
    """The shared companion with a token, for the read-mostly security matrix."""
    return companion_with_token


def call(running, method: str, path: str, payload: object, headers: dict[str, str | None]):
    body = None if payload is None else json.dumps(payload).encode()
    base = {"Content-Type": "application/json" if body is not None else None,
            "Authorization": f"Bearer {running.token}"}
    return raw(running.port, method, path, body, {**base, **headers})


def test_every_endpoint_answers_a_valid_request(tokened) -> None:
    for method, path, payload in ENDPOINTS:
        status, _, body = call(tokened, method, path, payload, {})
        assert status == 200, (path, body)


@pytest.mark.parametrize("host", [
    "evil.example:{port}", "evil.localhost:{port}", "localhost.:{port}", "127.0.0.2:{port}", "0.0.0.0:{port}",
    "127.1:{port}", "2130706433:{port}", "[::ffff:127.0.0.1]:{port}", "127.0.0.1:{port}@evil.example",
    "127.0.0.1:{port}.evil.example", "localhost:{other}", "localhost", "",
])
def test_dns_rebinding_hosts_are_403_everywhere(tokened, host: str) -> None:
    value = host.format(port=tokened.port, other=tokened.port + 1)
    for method, path, payload in ENDPOINTS:
        status, headers, body = call(tokened, method, path, payload, {"Host": value})
        assert status == 403 and error_code(body) == "forbidden", (host, path, status)
        assert headers.get("access-control-allow-origin") in (None, f"chrome-extension://{EXTENSION_ID}")


@pytest.mark.parametrize("origin", [
    "https://evil.example", "https://www.medigate.net", "http://127.0.0.1:{port}", "http://localhost:{port}",
    "null", "file://", f"chrome-extension://{OTHER_ID}", f"chrome-extension://{EXTENSION_ID}.evil.example",
    f"https://{EXTENSION_ID}", "moz-extension://not-a-uuid",
])
def test_web_and_foreign_origins_are_403_without_cors(tokened, origin: str) -> None:
    value = origin.format(port=tokened.port)
    for method, path, payload in ENDPOINTS:
        status, headers, body = call(tokened, method, path, payload, {"Origin": value})
        assert status == 403 and error_code(body) == "forbidden", (origin, path, status)
        assert "access-control-allow-origin" not in headers
    status, headers, _ = raw(tokened.port, "OPTIONS", "/v1/analyze", None, {
        "Origin": value, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert status == 403 and "access-control-allow-origin" not in headers


def test_case_variant_of_the_extension_origin_is_403(tokened) -> None:
    status, _, body = call(tokened, "POST", "/v1/analyze", {"text": "x"},
                           {"Origin": f"chrome-extension://{EXTENSION_ID.upper()}"})
    assert status == 403 and error_code(body) == "forbidden"


@pytest.mark.parametrize("authorization", [
    lambda t: None, lambda t: "", lambda t: "Bearer", lambda t: "Bearer ", lambda t: "Bearer wrong-token-0123456789",
    lambda t: f"Bearer {t}x", lambda t: f"Bearer {t[:-1]}", lambda t: f"Token {t}", lambda t: f"Basic {t}",
    lambda t: t, lambda t: f"Bearer {t.upper()}", lambda t: f"Bearer x{t}",
])
def test_missing_or_wrong_tokens_are_401(tokened, authorization) -> None:
    authorization = authorization(tokened.token)
    for method, path, payload in PROTECTED:
        status, _, body = call(tokened, method, path, payload, {"Authorization": authorization})
        assert status == 401 and error_code(body) == "unauthorized", (authorization, path)
    status, _, _ = call(tokened, "GET", f"/v1/policy?token={tokened.token}", None, {"Authorization": None})
    assert status == 401, "a token in the URL is not a credential"


@pytest.mark.parametrize("content_type", [
    None, "text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x", "text/json", "application/jsonx", "application/json-seq",
])
def test_non_json_content_types_are_415(tokened, content_type: str | None) -> None:
    for method, path, payload in [e for e in ENDPOINTS if e[0] == "POST"]:
        status, _, body = call(tokened, method, path, payload, {"Content-Type": content_type})
        assert status == 415 and error_code(body) == "unsupported_media_type", (content_type, path)


def test_json_content_type_variants_are_accepted(tokened) -> None:
    for content_type in ("application/json; charset=utf-8", "Application/JSON", "application/json;charset=UTF-8"):
        status, _, _ = call(tokened, "POST", "/v1/analyze", {"text": "x"}, {"Content-Type": content_type})
        assert status == 200, content_type


def test_over_long_text_and_bodies_are_413(tokened) -> None:
    status, _, body = call(tokened, "POST", "/v1/analyze", {"text": "가" * 20001}, {})
    assert status == 413 and error_code(body) == "too_large"
    assert "가가" not in body.decode()
    status, _, body = call(tokened, "POST", "/v1/redact", {"text": "a" * 20001}, {})
    assert status == 413 and error_code(body) == "too_large"
    status, _, _ = call(tokened, "POST", "/v1/analyze", {"text": "a" * 20000, "pad": "b" * 200_000}, {})
    assert status == 413  # refused before the body is read (see test_robustness for its content type)


# --- no draft text anywhere -------------------------------------------------------------

def test_marker_never_reaches_logs_errors_or_files(companion_server, tmp_path: Path) -> None:
    root = tmp_path / "sandbox"
    env = {"SECONDLOOK_TOKEN": TOKEN}
    for name in ("HOME", "TMPDIR", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        (root / name).mkdir(parents=True)
        env[name] = str(root / name)
    running = companion_server(env=env)
    marker = "MARKER-2d9b-초안비밀"
    ascii_marker = "MARKER-2d9b"  # for headers, which are Latin-1
    draft = f"김민수 교수 {marker} 010-4444-5555"
    port = running.port
    requests = [
        ("POST", "/v1/analyze", {"text": draft}, {}),
        ("POST", "/v1/redact", {"text": draft}, {}),
        ("POST", "/v1/redact", {"text": draft, "accept": ["f_000000000000"]}, {}),
        ("POST", "/v1/analyze", {"text": draft, "language": marker}, {}),
        ("POST", "/v1/analyze", {"text": draft, "site": marker * 200}, {}),
        ("POST", "/v1/analyze", {"text": draft * 1000}, {}),
        ("POST", "/v1/analyze", {"text": draft}, {"Authorization": f"Bearer {ascii_marker}"}),
        ("POST", "/v1/analyze", {"text": draft}, {"Origin": f"https://{ascii_marker}.example"}),
        ("POST", "/v1/analyze", {"text": draft}, {"Host": f"{ascii_marker}.example:{port}"}),
        ("POST", "/v1/analyze", {"text": draft}, {"Content-Type": "text/plain"}),
        ("POST", f"/v1/analyze?draft={ascii_marker}", {"text": draft},
         {"User-Agent": ascii_marker, "X-Draft": ascii_marker}),
        ("POST", f"/v1/{ascii_marker}", {"text": draft}, {}),
        ("POST", "/v1/feedback", {"entity_type": marker, "action": "accepted"}, {}),
        ("POST", "/v1/feedback", {"entity_type": "PERSON", "action": marker}, {}),
        ("POST", "/v1/pair", {"nonce": marker}, {}),
    ]
    for method, path, payload, headers in requests:
        status, _, body = call(running, method, path, payload, headers)
        if status != 200:
            assert ascii_marker not in body.decode("utf-8", "replace"), (path, headers, status)
    invalid = json.dumps({"text": draft}).encode()[:-1] + b" garbage"
    status, _, body = raw(port, "POST", "/v1/analyze", invalid, {"Content-Type": "application/json",
                                                                 "Authorization": f"Bearer {TOKEN}"})
    assert status == 400 and marker not in body.decode()
    open_files = _open_regular_files(running.process.pid)
    running.stop()
    assert "POST /v1/analyze 200" in running.log()
    log_file = root / "XDG_STATE_HOME" / "secondlook" / "companion.log"  # the rotated log file, checked below too
    assert "POST /v1/analyze 200" in log_file.read_text(encoding="utf-8")
    assert "POST /v1/pair 400" in log_file.read_text(encoding="utf-8")
    written = [p for p in tmp_path.rglob("*") if p.is_file()] + [p for p in open_files if p.is_file()]
    for path in written:
        content = path.read_bytes()
        for needle in (marker, "010-4444-5555", "2d9b"):
            assert needle.encode() not in content, f"{needle} found in {path}"


def _open_regular_files(pid: int) -> list[Path]:
    """Regular files the process holds open (Linux), wherever they are."""
    files = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = Path(os.readlink(fd))
        except OSError:
            continue
        if target.is_absolute() and target.is_file() and not str(target).startswith(("/dev/", "/proc/")):
            files.append(target)
    return files


def test_large_answers_are_never_spooled_to_disk(companion_server) -> None:
    """A dense 20,000-character draft gives a >1 MB answer; a slow reader must not push it to a file."""
    running = companion_server()
    body = json.dumps({"text": "김철수 " * 5000}).encode()
    slow = socket.socket()
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.connect(("127.0.0.1", running.port))
    try:
        slow.sendall(b"POST /v1/analyze HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n" % (running.port, len(body)) + body)
        deadline = time.monotonic() + 30
        spooled: list[str] = []
        while time.monotonic() < deadline and not spooled:
            time.sleep(0.2)
            spooled = [link for link in _fd_links(running.process.pid) if link.startswith("/")
                       and not link.startswith(("/dev/", "/proc/")) and not link.endswith(".log")]
            if "POST /v1/analyze 200" in running.log():
                time.sleep(1)  # the answer is being written now
                spooled = spooled or [link for link in _fd_links(running.process.pid) if "(deleted)" in link]
                break
        assert not spooled, f"answer buffered in {spooled}"
    finally:
        slow.close()


def _fd_links(pid: int) -> list[str]:
    links = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            links.append(os.readlink(fd))
        except OSError:
            continue
    return links
