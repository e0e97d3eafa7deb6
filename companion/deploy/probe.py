"""Who answers on the companion's port: nobody, SecondLook (which version, whose), or something else."""

from __future__ import annotations

import errno
import http.client
import json
import secrets
import socket
from dataclasses import dataclass
from typing import Any

from ..pairing import proof_matches

FREE, SECONDLOOK, OTHER, SILENT = "free", "secondlook", "other", "silent"


@dataclass(frozen=True)
class Probe:
    """``state`` is FREE (nothing listens), SECONDLOOK, OTHER (an HTTP answer that is not
    ours) or SILENT (something holds the port but does not speak HTTP)."""

    state: str
    health: dict[str, Any] | None = None
    status: int | None = None


def host_header(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def request_json(host: str, port: int, method: str, path: str, body: dict | None = None,
                 timeout: float = 3.0) -> tuple[int, Any]:
    """One request to the companion; (status, parsed JSON or None). Raises OSError when unreachable."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Host": host_header(host, port)}
        if data is not None:
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        try:
            return response.status, json.loads(raw)
        except ValueError:
            return response.status, None
    except http.client.HTTPException as exc:
        raise OSError(f"not an HTTP answer ({type(exc).__name__})") from None
    finally:
        conn.close()


def port_bindable(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def probe(host: str, port: int, timeout: float = 3.0) -> Probe:
    try:
        status, body = request_json(host, port, "GET", "/v1/health", timeout=timeout)
    except OSError:
        return Probe(FREE if port_bindable(host, port) else SILENT)
    if isinstance(body, dict) and (body.get("api") is not None or body.get("status") in ("starting", "failed")):
        return Probe(SECONDLOOK, body, status)
    return Probe(OTHER, body if isinstance(body, dict) else None, status)


def paired(host: str, port: int, token: str, timeout: float = 3.0) -> bool | None:
    """Whether the companion on ``port`` proves it knows ``token`` (None: it cannot pair at all)."""
    nonce = secrets.token_hex(32)
    try:
        status, body = request_json(host, port, "POST", "/v1/pair", {"nonce": nonce}, timeout=timeout)
    except OSError:
        return None
    if status != 200 or not isinstance(body, dict):
        return None
    return proof_matches(token, port, nonce, body.get("proof"))
