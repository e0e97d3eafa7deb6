"""The real `secondlook serve` as a test subject: start it on a free loopback port, talk to it, stop it.

``Companion.request`` pairs before every request but health and pair, as the extension does
(companion/client.py), with the secret the companion has: ``$SECONDLOOK_TOKEN`` when the test
sets it, else the per-user secret file the companion created in its XDG_CONFIG_HOME.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from companion.client import authorization_for, host_header
from companion.pairing import OPEN_PATHS

SECONDLOOK = Path(sys.executable).with_name("secondlook")
START_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Companion:
    """A running companion process: its URL, config, log and how to stop it."""

    port: int
    process: subprocess.Popen
    log_path: Path
    config_path: Path | None
    secret: str = ""
    env: dict = field(default_factory=dict)
    host: str = "127.0.0.1"

    @property
    def url(self) -> str:
        return f"http://{host_header(self.host, self.port)}"

    def auth(self, method: str, path: str) -> str:
        """Pair (verifying the proof) and return the Authorization header for one request."""
        if not self.secret:  # started with wait=False: the companion creates its secret as it starts
            self.secret = read_secret(secret_file(Path(self.env.get("XDG_CONFIG_HOME", ""))))
        return authorization_for(self.host, self.port, self.secret, method, path)

    def request(self, method: str, path: str, body: object | bytes | None = None,
                headers: dict[str, str | None] | None = None, timeout: float = 30) -> tuple[int, dict, object]:
        """(status, headers, parsed JSON or raw bytes) of one HTTP request; paired first unless
        the path is open or ``headers`` has an "Authorization" entry (None: send none)."""
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        hdrs: dict[str, str | None] = {"Content-Type": "application/json"} if data is not None else {}
        if path.split("?", 1)[0] not in OPEN_PATHS and "Authorization" not in (headers or {}):
            hdrs["Authorization"] = self.auth(method, path)
        hdrs.update(headers or {})
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={k: v for k, v in hdrs.items() if v is not None})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                status, raw, rh = resp.status, resp.read(), dict(resp.headers)
        except urllib.error.HTTPError as exc:
            status, raw, rh = exc.code, exc.read(), dict(exc.headers)
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = raw
        return status, rh, parsed

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def secret_file(xdg: Path) -> Path:
    return xdg / "secondlook" / "private" / "pairing-secret"


def start_companion(tmp: Path, config_text: str | None = None, env: dict[str, str] | None = None,
                    args: list[str] | None = None, wait: bool = True, port: int | None = None,
                    host: str = "127.0.0.1") -> Companion:
    """Start `secondlook serve` with an optional config file; wait until /v1/health is 200."""
    port = port or free_port()
    config_path = None
    if config_text is not None:
        config_path = tmp / f"config-{port}.toml"
        config_path.write_text(config_text, encoding="utf-8")
    log_path = tmp / f"companion-{port}.log"
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SECONDLOOK_")}
    full_env.update({"XDG_CONFIG_HOME": str(tmp / "xdg"), "XDG_STATE_HOME": str(tmp / "state"), **(env or {})})
    cmd = [str(SECONDLOOK), "serve", "--port", str(port)] + (["--host", host] if host != "127.0.0.1" else [])
    if config_path:
        cmd += ["--config", str(config_path)]
    cmd += args or []
    with log_path.open("wb") as log:
        process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=full_env,
                                   start_new_session=True)
    companion = Companion(port, process, log_path, config_path, env=full_env, host=host)
    if wait:
        wait_ready(companion)
    companion.secret = full_env.get("SECONDLOOK_TOKEN") or read_secret(secret_file(Path(full_env["XDG_CONFIG_HOME"])))
    return companion


def read_secret(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return ""  # not started yet (wait=False): set it once it runs


def wait_ready(companion: Companion, timeout: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if companion.process.poll() is not None:
            raise RuntimeError(f"companion exited with {companion.process.returncode}:\n{companion.log()}")
        try:
            status, _, _ = companion.request("GET", "/v1/health", timeout=2)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    companion.stop()
    raise RuntimeError(f"companion not ready after {timeout}s:\n{companion.log()}")
