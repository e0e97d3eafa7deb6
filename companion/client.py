"""A command-line client of the companion that pairs before every request, as the extension does.

Used by ``doctor``, the benchmark scripts and the tests: each authenticated request is
preceded by ``POST /v1/pair`` with a fresh nonce and the exact host and port connected to;
the proof is checked in constant time before anything else is sent (pairing.py).
"""

from __future__ import annotations

import http.client
import json
import secrets
import time
from typing import Any, Callable

from .pairing import OPEN_PATHS, authorization, proof_matches


class NotVerified(Exception):
    """The program at this address did not prove it holds the secret; nothing was sent to it.
    ``reason``: "mismatch" (a wrong proof), "not_here" (421), "rate_limited" (429), "http-<status>"."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"companion not verified ({reason})")
        self.reason = reason


def host_header(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def request_json(host: str, port: int, method: str, path: str, body: Any = None,
                 headers: dict[str, str | None] | None = None, timeout: float = 3.0) -> tuple[int, dict, Any]:
    """One request: (status, response headers, parsed JSON or the raw bytes). ``body`` may be
    bytes (sent as is) or a JSON value. Raises OSError when nothing answers HTTP."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        sent = {"Host": host_header(host, port)}
        if data is not None:
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        conn.request(method, path, body=data, headers={k: v for k, v in sent.items() if v is not None})
        response = conn.getresponse()
        raw = response.read()
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = raw
        return response.status, dict(response.headers), parsed
    except http.client.HTTPException as exc:
        raise OSError(f"not an HTTP answer ({type(exc).__name__})") from None
    finally:
        conn.close()


#: Waits before asking again when /v1/pair answers 429 (many clients at once, e.g. a load test).
RATE_LIMIT_BACKOFF_S = (0.05, 0.1, 0.2, 0.4, 0.8)


#: How a request is sent: ``request_json``'s signature (the tests send through Flask's test client).
Send = Callable[..., tuple[int, Any, Any]]


def pair(host: str, port: int, secret: str, timeout: float = 3.0, send: Send = request_json) -> str:
    """A verified server nonce from the companion at host:port; NotVerified otherwise."""
    nonce = secrets.token_hex(32)
    challenge = {"nonce": nonce, "host": host, "port": port}
    for wait in (*RATE_LIMIT_BACKOFF_S, None):
        status, _, body = send(host, port, "POST", "/v1/pair", challenge, timeout=timeout)
        if status != 429 or wait is None:
            break
        time.sleep(wait)
    if status != 200 or not isinstance(body, dict):
        code = body.get("error", {}).get("code") if isinstance(body, dict) and isinstance(body.get("error"), dict) else None
        raise NotVerified(code if code in ("not_here", "rate_limited") else f"http-{status}")
    server_nonce = body.get("server_nonce")
    if not proof_matches(secret, host, port, nonce, body.get("proof")) or not isinstance(server_nonce, str):
        raise NotVerified("mismatch")
    return server_nonce


def authorization_for(host: str, port: int, secret: str, method: str, path: str, timeout: float = 3.0,
                      send: Send = request_json) -> str:
    """Pair, then the Authorization header for one request of ``method`` on ``path``."""
    return authorization(secret, pair(host, port, secret, timeout, send), method, path.split("?", 1)[0])


def paired_request(host: str, port: int, secret: str, method: str, path: str, body: Any = None,
                   headers: dict[str, str | None] | None = None, timeout: float = 30.0,
                   send: Send = request_json) -> tuple[int, dict, Any]:
    """One request, paired first unless its path is open (health, pair) or ``headers`` name
    their own Authorization."""
    sent = dict(headers or {})
    if path.split("?", 1)[0] not in OPEN_PATHS and "Authorization" not in sent:
        sent["Authorization"] = authorization_for(host, port, secret, method, path, min(timeout, 10), send)
    return send(host, port, method, path, body, sent, timeout)
