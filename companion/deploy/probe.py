"""Who answers on the companion's port: nobody, SecondLook (which version, whose), or something else."""

from __future__ import annotations

import errno
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..client import NotVerified, paired_request, request_json

FREE, SECONDLOOK, OTHER, SILENT = "free", "secondlook", "other", "silent"


@dataclass(frozen=True)
class Probe:
    """``state`` is FREE (nothing listens), SECONDLOOK, OTHER (an HTTP answer that is not
    ours) or SILENT (something holds the port but does not speak HTTP)."""

    state: str
    health: dict[str, Any] | None = None
    status: int | None = None


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
        status, _, body = request_json(host, port, "GET", "/v1/health", timeout=timeout)
    except OSError:
        return Probe(FREE if port_bindable(host, port) else SILENT)
    if isinstance(body, dict) and (body.get("api") is not None or body.get("status") in ("starting", "failed")):
        return Probe(SECONDLOOK, body, status)
    return Probe(OTHER, body if isinstance(body, dict) else None, status)


def verified(host: str, port: int, secret: str, timeout: float = 3.0) -> str:
    """"" when the companion at host:port proves ``secret`` and accepts a request authenticated
    with it (GET /v1/policy); else why not ("mismatch", "not_here", "http-401", …)."""
    try:
        status, _, _ = paired_request(host, port, secret, "GET", "/v1/policy", timeout=timeout)
    except NotVerified as exc:
        return exc.reason
    except OSError:
        return "unreachable"
    return "" if status == 200 else f"http-{status}"


@dataclass(frozen=True)
class Owner:
    uid: int
    user: str
    process: str | None  # "name (pid N)" when this user may see it


_LISTEN = "0A"


def port_owner(port: int) -> Owner | None:
    """Who listens on ``port``, from /proc (Linux); None where the OS does not tell."""
    sockets: dict[str, int] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text(encoding="ascii").splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] == _LISTEN and int(fields[1].rsplit(":", 1)[1], 16) == port:
                sockets[f"socket:[{fields[9]}]"] = int(fields[7])
    if not sockets:
        return None
    uid = next(iter(sockets.values()))
    try:
        import pwd
        user = pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        user = str(uid)
    return Owner(uid, user, _process_holding(set(sockets)))


def _process_holding(links: set[str]) -> str | None:
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                if os.readlink(fd) in links:
                    return f"{(proc / 'comm').read_text().strip()} (pid {proc.name})"
        except OSError:  # another user's process, or gone
            continue
    return None
