"""Local-service security beyond the API tests: pairing v2 (proof bound to host and port, single-use
server nonces, request MACs, rate limit), DNS rebinding, origins, content types, body limits, and
no draft text in logs, responses or any file the companion writes."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import socket
import time
import urllib.parse
from pathlib import Path

import pytest

from companion.config import EXTENSION_ID
from companion_process import http_request

TOKEN = "security-token-0123456789abcdef"
OTHER_ID = "abcdefghijklmnopabcdefghijklmnop"


def error_code(body: bytes) -> str:
    return json.loads(body)["error"]["code"]


def expected_proof(secret: str, host: str, port: int, nonce: str) -> str:
    """The pairing proof exactly as docs/trust.md specifies it (independent of companion.pairing)."""
    message = f"secondlook-pair-v2\n{host}\n{port}\n{nonce}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def expected_mac(secret: str, server_nonce: str, method: str, path: str) -> str:
    message = f"secondlook-request-v2\n{server_nonce}\n{method}\n{path}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def challenge(port: int, host: str = "127.0.0.1", nonce: str | None = None, **extra) -> bytes:
    return json.dumps({"nonce": nonce or secrets.token_hex(32), "host": host, "port": port, **extra}).encode()


JSON = {"Content-Type": "application/json"}


# --- pairing ----------------------------------------------------------------------------

def test_documented_test_vectors() -> None:
    from companion.pairing import pair_proof, request_mac

    assert (pair_proof("example-secret-0123456789", "127.0.0.1", 47813, "00112233445566778899aabbccddeeff")
            == "3015a8ba77abd08733243f731eca2ec5fed80d1fb40d7c16856114c1207f0de3")
    assert (request_mac("example-secret-0123456789", "ab" * 32, "POST", "/v1/analyze")
            == "057f139251334c838e4a7692d245df7e9d1dd21fb93fe7b499ee57f0513f2334")


def test_pairing_proves_the_secret_for_the_exact_address_only(companion_server) -> None:
    running = companion_server(env={"SECONDLOOK_TOKEN": TOKEN})
    nonce = secrets.token_hex(32)
    headers = {**JSON, "Origin": f"chrome-extension://{EXTENSION_ID}"}
    status, _, body = http_request(running.port, "POST", "/v1/pair", challenge(running.port, nonce=nonce), headers)
    assert status == 200, body
    answer = json.loads(body)
    assert answer["proof"] == expected_proof(TOKEN, "127.0.0.1", running.port, nonce)
    assert len(answer["server_nonce"]) == 64 and 0 < answer["expires_in_s"] <= 60
    assert TOKEN not in body.decode()
    # Asked for another address or port (a relay from where the extension connected): no proof at all.
    for host, port in (("::1", running.port), ("[::1]", running.port), ("127.0.0.2", running.port),
                       ("localhost", running.port), ("127.0.0.1", running.port + 1)):
        status, _, body = http_request(running.port, "POST", "/v1/pair", challenge(port, host=host), headers)
        assert status == 421 and error_code(body) == "not_here", (host, port)
        assert b"proof" not in body and b"server_nonce" not in body
    for bad in ("", "xyz", "ABCDEF" * 8, "0" * 31, "0" * 129, 12345, None):
        bad_challenge = json.dumps({"nonce": bad, "host": "127.0.0.1", "port": running.port}).encode()
        status, _, body = http_request(running.port, "POST", "/v1/pair", bad_challenge, headers)
        assert status == 400 and error_code(body) == "bad_request", bad
    for missing in ({"nonce": nonce, "port": running.port}, {"nonce": nonce, "host": "127.0.0.1"},
                    {"nonce": nonce, "host": "127.0.0.1", "port": str(running.port)}):
        status, _, body = http_request(running.port, "POST", "/v1/pair", json.dumps(missing).encode(), headers)
        assert status == 400, missing
    status, _, _ = http_request(running.port, "POST", "/v1/pair", challenge(running.port), {**headers, "Origin": "https://evil.example"})
    assert status == 403


def test_companion_on_another_loopback_address_refuses_to_prove_for_127_0_0_1(companion_server) -> None:
    """What a relay on 127.0.0.1 would forward to the user's companion on 127.0.0.2 or ::1."""
    for host in ("127.0.0.2", "::1"):
        running = companion_server(env={"SECONDLOOK_TOKEN": TOKEN}, host=host)
        status, _, body = running.request("POST", "/v1/pair", challenge(running.port), headers=JSON)
        assert status == 421 and body["error"]["code"] == "not_here", host
        nonce = secrets.token_hex(32)
        status, _, body = running.request("POST", "/v1/pair", challenge(running.port, host=host, nonce=nonce), headers=JSON)
        assert status == 200 and body["proof"] == expected_proof(TOKEN, host, running.port, nonce)
        assert body["proof"] != expected_proof(TOKEN, "127.0.0.1", running.port, nonce)
        assert running.request("GET", "/v1/stats")[0] == 200  # its own client pairs for its own address


def test_each_request_needs_its_own_mac_over_a_fresh_server_nonce(companion_with_token) -> None:
    running = companion_with_token
    port, secret = running.port, running.secret

    def server_nonce() -> str:
        status, _, body = http_request(port, "POST", "/v1/pair", challenge(port), JSON)
        assert status == 200
        return json.loads(body)["server_nonce"]

    def stats(authorization: str | None) -> int:
        return http_request(port, "GET", "/v1/stats", None, {"Authorization": authorization})[0]

    nonce = server_nonce()
    good = f"SecondLook nonce={nonce}, mac={expected_mac(secret, nonce, 'GET', '/v1/stats')}"
    assert stats(good) == 200
    assert stats(good) == 401, "a server nonce is accepted once"
    nonce = server_nonce()
    assert http_request(port, "GET", "/v1/policy", None, {  # a MAC for another path
        "Authorization": f"SecondLook nonce={nonce}, mac={expected_mac(secret, nonce, 'GET', '/v1/stats')}"})[0] == 401
    nonce = server_nonce()
    assert stats(f"SecondLook nonce={nonce}, mac={expected_mac('another-users-secret-0123', nonce, 'GET', '/v1/stats')}") == 401
    made_up = secrets.token_hex(32)
    assert stats(f"SecondLook nonce={made_up}, mac={expected_mac(secret, made_up, 'GET', '/v1/stats')}") == 401
    nonce = server_nonce()
    mac = expected_mac(secret, nonce, "GET", "/v1/stats")
    for wrong in (f"Bearer {secret}", secret, f"SecondLook nonce={nonce}", f"SecondLook mac={mac}",
                  f"SecondLook nonce={nonce.upper()}, mac={mac}", f"secondlook nonce={nonce},mac={mac}"):
        assert stats(wrong) == 401, wrong
    assert stats(f"SecondLook nonce={nonce}, mac={mac}") == 200, "none of those was a credential"
    nonce = server_nonce()
    wrong_mac = expected_mac(secret, nonce, "GET", "/v1/policy")
    assert stats(f"SecondLook nonce={nonce}, mac={wrong_mac}") == 401
    assert stats(f"SecondLook nonce={nonce}, mac={expected_mac(secret, nonce, 'GET', '/v1/stats')}") == 401, \
        "a wrong MAC uses the nonce up: no second guess"


def test_unauthenticated_requests_get_nothing_of_the_user(companion) -> None:
    """Another local user (no secret) gets a 401 and no content for usage, policy and feedback;
    an analysis of its own text (which tells nothing of the user's) is answered, a bearer
    header or not."""
    for method, path, payload in PROTECTED + [("GET", "/v1/nope", None)]:
        status, _, body = http_request(companion.port, method, path, None if payload is None else json.dumps(payload).encode(),
                              JSON if payload is not None else {})
        assert status == 401 and set(json.loads(body)) == {"error"}, (path, status)
        assert error_code(body) == "unauthorized"
    for method, path, payload in ANALYSIS:
        for headers in (JSON, {**JSON, "Authorization": "Bearer some-evaluation-token-0123"}):
            status, _, body = http_request(companion.port, method, path, json.dumps(payload).encode(), headers)
            assert status == 200 and "redacted_text" in json.loads(body), (path, status)
    status, _, body = http_request(companion.port, "POST", "/v1/analyze", json.dumps({"text": "김민수 교수"}).encode(), JSON)
    assert status == 200 and json.loads(body)["findings"], "an analysis of one's own text needs no pairing"
    assert http_request(companion.port, "GET", "/v1/stats", None, {"Authorization": companion.auth("GET", "/v1/stats")})[0] == 200


def test_pair_is_rate_limited_with_a_json_429(companion_server) -> None:
    running = companion_server()
    started = time.monotonic()
    statuses = []
    for _ in range(120):
        status, headers, body = http_request(running.port, "POST", "/v1/pair", challenge(running.port), JSON)
        statuses.append(status)
        if status == 429:
            assert headers["content-type"] == "application/json" and error_code(body) == "rate_limited"
    elapsed = time.monotonic() - started
    proved = statuses.count(200)
    assert statuses.count(429) > 0 and proved + statuses.count(429) == 120
    assert proved <= 40 + 20 * elapsed + 2, (proved, elapsed)  # burst 40, then 20 a second
    time.sleep(0.2)
    assert running.request("GET", "/v1/policy")[0] == 200, "the limit recovers"
    # a client that redeems every pairing with an authenticated request is never limited
    assert all(running.request("GET", "/v1/policy")[0] == 200 for _ in range(60))


# --- Host, Origin, MAC, content type, size ----------------------------------------------

ENDPOINTS = [("GET", "/v1/health", None), ("POST", "/v1/analyze", {"text": "김민수 교수", "redacted_text": True}),
             ("POST", "/v1/redact", {"text": "김민수 교수"}), ("POST", "/v1/feedback",
             {"entity_type": "PERSON", "action": "accepted"}), ("GET", "/v1/stats", None),
             ("GET", "/v1/policy", None), ("POST", "/v1/pair", None)]
#: what tells of the user (usage, policy, feedback): a MAC always
PROTECTED = [e for e in ENDPOINTS if e[1] not in ("/v1/health", "/v1/pair", "/v1/analyze", "/v1/redact")]
#: the caller's own text in, its analysis out: open unless ``[server] open_analysis = false``
ANALYSIS = [e for e in ENDPOINTS if e[1] in ("/v1/analyze", "/v1/redact")]


@pytest.fixture
def tokened(companion_with_token):
    """The shared companion with an IT-set secret, for the read-mostly security matrix."""
    return companion_with_token


def call(running, method: str, path: str, payload: object, headers: dict[str, str | None], auth: bool = True,
         raw_body: bytes | None = None):
    """One request with a fresh MAC (unless ``auth`` is False or headers set Authorization);
    ``raw_body``: these bytes instead of ``payload`` as JSON."""
    if path == "/v1/pair" and payload is None and raw_body is None:
        payload = json.loads(challenge(running.port))
    body = raw_body if raw_body is not None else None if payload is None else json.dumps(payload).encode()
    base = {"Content-Type": "application/json" if body is not None else None}
    if auth and "Authorization" not in headers and path.split("?")[0] not in ("/v1/health", "/v1/pair"):
        base["Authorization"] = running.auth(method, path)
    return http_request(running.port, method, path, body, {**base, **headers})


def test_every_endpoint_answers_a_valid_request(tokened) -> None:
    for method, path, payload in ENDPOINTS:
        status, _, body = call(tokened, method, path, payload, {})
        assert status == 200, (path, body)


@pytest.mark.parametrize("host", [
    "evil.example:{port}", "evil.localhost:{port}", "localhost.:{port}", "127.0.0.2:{port}", "0.0.0.0:{port}",
    "127.1:{port}", "2130706433:{port}", "[::ffff:127.0.0.1]:{port}", "127.0.0.1:{port}@evil.example",
    "127.0.0.1:{port}.evil.example", "localhost:{other}", "localhost", "", "127.0.0.1:1", "127.0.0.1.nip.io:{port}",
])
def test_dns_rebinding_hosts_are_403_everywhere(tokened, host: str) -> None:
    value = host.format(port=tokened.port, other=tokened.port + 1)
    for method, path, payload in ENDPOINTS:  # refused before any credential is looked at
        status, headers, body = call(tokened, method, path, payload, {"Host": value}, auth=False)
        assert status == 403 and error_code(body) == "forbidden", (host, path, status)
        assert headers.get("access-control-allow-origin") in (None, f"chrome-extension://{EXTENSION_ID}")


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "[::1]:{port}", "LOCALHOST:{port}"])
def test_loopback_host_headers_are_accepted(companion, host: str) -> None:
    status, _, _ = companion.request("GET", "/v1/health", headers={"Host": host.format(port=companion.port)})
    assert status == 200


@pytest.mark.parametrize("origin", [
    "https://evil.example", "https://www.medigate.net", "http://127.0.0.1:{port}", "http://localhost:{port}",
    "null", "file://", f"chrome-extension://{OTHER_ID}", f"chrome-extension://{EXTENSION_ID}.evil.example",
    f"https://{EXTENSION_ID}", "moz-extension://not-a-uuid",
])
def test_web_and_foreign_origins_are_403_without_cors(tokened, origin: str) -> None:
    value = origin.format(port=tokened.port)
    for method, path, payload in ENDPOINTS:
        status, headers, body = call(tokened, method, path, payload, {"Origin": value}, auth=False)
        assert status == 403 and error_code(body) == "forbidden", (origin, path, status)
        assert "access-control-allow-origin" not in headers
    status, headers, _ = http_request(tokened.port, "OPTIONS", "/v1/analyze", None, {
        "Origin": value, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert status == 403 and "access-control-allow-origin" not in headers


def test_case_variant_of_the_extension_origin_is_403(tokened) -> None:
    status, _, body = call(tokened, "POST", "/v1/analyze", {"text": "x"},
                           {"Origin": f"chrome-extension://{EXTENSION_ID.upper()}"}, auth=False)
    assert status == 403 and error_code(body) == "forbidden"


def test_firefox_origins_are_allowed_because_the_mac_authenticates(tokened) -> None:
    firefox = "moz-extension://1c5e8d4a-2b3f-4a6b-9c7d-0e1f2a3b4c5d"
    status, headers, _ = call(tokened, "GET", "/v1/stats", None, {"Origin": firefox})
    assert status == 200 and headers["access-control-allow-origin"] == firefox
    status, _, body = call(tokened, "GET", "/v1/stats", None, {"Origin": firefox}, auth=False)
    assert status == 401 and error_code(body) == "unauthorized"


def test_extension_origin_gets_cors(companion) -> None:
    origin = f"chrome-extension://{EXTENSION_ID}"
    status, headers, _ = companion.request("POST", "/v1/analyze", {"text": "x"}, headers={"Origin": origin})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == origin
    status, headers, _ = companion.request("OPTIONS", "/v1/analyze", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, authorization"})
    assert status == 200 and headers["Access-Control-Allow-Origin"] == origin
    assert "authorization" in headers["Access-Control-Allow-Headers"].lower()


@pytest.mark.parametrize("authorization", [
    lambda t: None, lambda t: "", lambda t: "Bearer", lambda t: "Bearer ", lambda t: "Bearer wrong-token-0123456789",
    lambda t: f"Bearer {t}", lambda t: f"Token {t}", lambda t: f"Basic {t}", lambda t: t,
    lambda t: "SecondLook nonce=, mac=", lambda t: f"SecondLook nonce={'0' * 64}, mac={'0' * 64}",
])
def test_missing_or_wrong_credentials_are_401(tokened, authorization) -> None:
    authorization = authorization(tokened.secret)
    for method, path, payload in PROTECTED:
        status, _, body = call(tokened, method, path, payload, {"Authorization": authorization})
        assert status == 401 and error_code(body) == "unauthorized", (authorization, path)
    status, _, _ = call(tokened, "GET", f"/v1/policy?token={tokened.secret}", None, {"Authorization": None})
    assert status == 401, "a secret in the URL is not a credential"


@pytest.mark.parametrize("content_type", [
    None, "text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x", "text/json", "application/jsonx", "application/json-seq",
])
def test_non_json_content_types_are_415(tokened, content_type: str | None) -> None:
    for method, path, payload in [e for e in ENDPOINTS if e[0] == "POST"]:
        status, _, body = call(tokened, method, path, payload, {"Content-Type": content_type})
        assert status == 415 and error_code(body) == "unsupported_media_type", (content_type, path)
        assert set(json.loads(body)) == {"error"} and json.loads(body)["error"]["message"]


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
    assert status == 413 and error_code(body) == "too_large"  # refused before the body is read
    status, headers, body = call(tokened, "POST", "/v1/analyze", {"text": "\U0001F600" * 100_000}, {})
    assert status == 413 and error_code(body) == "too_large" and headers["content-type"].startswith("application/json")


def test_the_configured_max_chars_bounds_the_text_and_the_body(companion_server) -> None:
    running = companion_server("[server]\nmax_chars = 100\n")
    status, _, body = call(running, "POST", "/v1/analyze", {"text": "가" * 100}, {})
    assert status == 200 and json.loads(body)["risk"]["level"] == "none"
    status, _, body = call(running, "POST", "/v1/analyze", {"text": "가" * 101}, {})
    assert status == 413 and error_code(body) == "too_large"
    assert "가" not in body.decode()
    status, _, body = call(running, "POST", "/v1/analyze", None, {}, raw_body=b'{"text": "' + b"a" * 200_000 + b'"}')
    assert status == 413 and error_code(body) == "too_large"


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
        ("POST", "/v1/analyze?q=" + urllib.parse.quote(marker), {"text": draft}, {}),
        ("POST", "/v1/feedback", {"entity_type": marker, "action": "accepted"}, {}),
        ("POST", "/v1/feedback", {"entity_type": "PERSON", "action": marker}, {}),
        ("POST", "/v1/pair", {"nonce": marker, "host": marker, "port": port}, {}),
        ("POST", "/v1/pair", {"nonce": "ab" * 16, "host": marker, "port": port}, {}),
    ]
    for method, path, payload, headers in requests:
        status, _, body = call(running, method, path, payload, headers)
        if status != 200:
            assert ascii_marker not in body.decode("utf-8", "replace"), (path, headers, status)
    invalid = json.dumps({"text": draft}).encode()[:-1] + b" garbage"
    status, _, body = http_request(port, "POST", "/v1/analyze", invalid, {"Content-Type": "application/json",
                                                                 "Authorization": running.auth("POST", "/v1/analyze")})
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
                     b"Authorization: %s\r\nContent-Length: %d\r\n\r\n"
                     % (running.port, running.auth("POST", "/v1/analyze").encode(), len(body)) + body)
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


def test_open_analysis_can_be_turned_off(companion_server) -> None:
    """``[server] open_analysis = false`` (a managed policy, say): analysis needs pairing too."""
    locked = companion_server("[server]\nopen_analysis = false\n")
    for method, path, payload in ANALYSIS:
        status, _, body = http_request(locked.port, method, path, json.dumps(payload).encode(), JSON)
        assert status == 401 and error_code(body) == "unauthorized", path
    status, _, _ = locked.request("POST", "/v1/analyze", {"text": "김민수 교수"})  # paired
    assert status == 200
