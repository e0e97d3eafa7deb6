"""The companion as a measured process, shared by the benchmark scripts in tools/ and the tests:
a free loopback port, ``secondlook serve`` started and waited for until ``/v1/health`` is 200,
the resident memory of its process tree, latency percentiles.
"""
from __future__ import annotations

import http.client
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from companion.stats import percentile  # noqa: E402

HEALTH_TIMEOUT_S = 60


class NotHealthy(RuntimeError):
    """The companion exited, or did not answer ``/v1/health`` with 200 in time."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def health_status(port: int, host: str = "127.0.0.1", timeout: float = 2) -> int | None:
    """The status of ``GET /v1/health``; None when nothing answers HTTP."""
    name = f"[{host}]" if ":" in host else host
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", "/v1/health", headers={"Host": f"{name}:{port}"})
        response = conn.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def wait_healthy(port: int, process: subprocess.Popen | None = None, timeout: float = HEALTH_TIMEOUT_S,
                 host: str = "127.0.0.1") -> float:
    """Seconds until ``/v1/health`` on ``port`` answered 200 (its engine loaded); NotHealthy when
    ``process`` exits first or ``timeout`` passes."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process is not None and process.poll() is not None:
            raise NotHealthy(f"the companion exited with status {process.returncode}")
        if health_status(port, host) == 200:
            return time.perf_counter() - started
        time.sleep(0.02)
    raise NotHealthy(f"no healthy companion on port {port} after {timeout:.0f} s")


@contextmanager
def running_companion(port: int | None = None, config_text: str | None = None,
                      secondlook: str | None = None) -> Iterator[tuple[int, subprocess.Popen | None, float | None]]:
    """(port, process, cold start in seconds) of a healthy companion: the one already on ``port``
    (process and cold start None), or one started here on a free port (``config_text`` as its
    config file; None: the user's own config) and stopped on exit. ``secondlook``: the command
    to start (default: this Python's ``-m companion.cli``)."""
    try:
        if port is not None:
            wait_healthy(port)
            yield port, None, None
            return
        port = free_port()
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [secondlook] if secondlook else [sys.executable, "-m", "companion.cli"]
            cmd += ["serve", "--port", str(port)]
            if config_text is not None:
                config = Path(tmp) / "config.toml"
                config.write_text(config_text, encoding="utf-8")
                cmd += ["--config", str(config)]
            process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                cold = wait_healthy(port, process)
                yield port, process, cold
            finally:
                stop_process(process)
    except NotHealthy as exc:
        raise SystemExit(f"benchmark: {exc}") from None


def stop_process(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 10) -> int:
    """Send ``sig`` (if it still runs), wait up to ``timeout`` s, then kill; its exit status."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def rss_kb(pid: int, tree: bool = False) -> int | None:
    """Resident memory (VmRSS, kB) of ``pid`` and, with ``tree``, its descendants, from /proc
    (Linux); None where the OS does not tell."""
    pids = [pid]
    if tree:
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children.setdefault(parent, []).append(int(entry.name))
        todo = [pid]
        while todo:
            kids = children.get(todo.pop(), [])
            pids += kids
            todo += kids
    total = None
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total = (total or 0) + int(line.split()[1])
        except OSError:
            continue
    return total


def percentiles(values: list[float], *qs: float) -> list[float]:
    """Linear-interpolated percentiles (``q`` in 0..1) of unsorted ``values``, as /v1/stats reports them."""
    ordered = sorted(values)
    return [percentile(ordered, q) for q in qs]
