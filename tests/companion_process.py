"""The real `secondlook serve` as a test subject: start it on a free loopback port, talk to it, stop it.

``Companion.request`` pairs before every request but health and pair, as the extension does
(companion/client.py), with the secret the companion has: ``$SECONDLOOK_TOKEN`` when the test
sets it, else the per-user secret file the companion created in its XDG_CONFIG_HOME.
``http_request`` is the tests' one raw HTTP request (exact headers, early answers read);
``isolated_env`` and ``run_secondlook`` run the command line away from this user's settings.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from companion.client import authorization_for, host_header
from companion.pairing import OPEN_PATHS

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

from companion_runner import HEALTH_TIMEOUT_S, NotHealthy, free_port, stop_process, wait_healthy  # noqa: E402,F401

SECONDLOOK = Path(sys.executable).with_name("secondlook")


def isolated_env(tmp: Path, **extra: str) -> dict[str, str]:
    """This process's environment without any SECONDLOOK_ setting, with its own
    XDG_CONFIG_HOME (``tmp``/xdg, where the per-user secret is created) and ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECONDLOOK_")}
    env.update({"XDG_CONFIG_HOME": str(tmp / "xdg"), **extra})
    return env


def run_secondlook(args: list[str], env: dict[str, str], stdin: str | None = None,
                   timeout: float = 120) -> subprocess.CompletedProcess:
    """``secondlook ARGS`` to completion, its output captured as text."""
    return subprocess.run([str(SECONDLOOK), *args], input=stdin, capture_output=True, text=True, env=env,
                          timeout=timeout)


def http_request(port: int, method: str, path: str, body: bytes | None = None,
                 headers: dict[str, str | None] | None = None, host: str = "127.0.0.1",
                 timeout: float = 30) -> tuple[int, http.client.HTTPMessage, bytes]:
    """(status, headers, raw body) of one request that sends exactly these headers: ``Host``
    defaults to host:port, a None value leaves a header out. An answer the server gives before
    it has read the body (a 413 on the headers) is read as browsers do."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        sent = {"Host": host_header(host, port), **(headers or {})}
        if body is not None:
            sent.setdefault("Content-Length", str(len(body)))
        for name, value in sent.items():
            if value is not None:
                conn.putheader(name, value)
        try:
            conn.endheaders(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered early and closed: read that answer
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


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
                headers: dict[str, str | None] | None = None,
                timeout: float = 30) -> tuple[int, http.client.HTTPMessage, object]:
        """(status, headers, parsed JSON or raw bytes) of one HTTP request; paired first unless
        the path is open or ``headers`` has an "Authorization" entry (None: send none)."""
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        hdrs: dict[str, str | None] = {"Content-Type": "application/json"} if data is not None else {}
        if path.split("?", 1)[0] not in OPEN_PATHS and "Authorization" not in (headers or {}):
            hdrs["Authorization"] = self.auth(method, path)
        hdrs.update(headers or {})
        status, answer_headers, raw = http_request(self.port, method, path, data, hdrs, self.host, timeout)
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = raw
        return status, answer_headers, parsed

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10) -> int:
        return stop_process(self.process, sig, timeout)


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
    full_env = isolated_env(tmp, **{"XDG_STATE_HOME": str(tmp / "state"), **(env or {})})
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


def wait_ready(companion: Companion, timeout: float = HEALTH_TIMEOUT_S) -> None:
    try:
        wait_healthy(companion.port, companion.process, timeout, companion.host)
    except NotHealthy as exc:
        companion.stop()
        raise RuntimeError(f"{exc}:\n{companion.log()}") from None
