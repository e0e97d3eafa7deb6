"""Local-service security beyond the API tests: pairing, DNS rebinding, origins, tokens, content
types, body limits, and no draft text in logs, responses or any file the companion writes."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import secrets
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
