"""Can other local clients starve the extension's request? Slow drafts plus idle connections.

    .venv/bin/python tools/bench_connections.py [--slow 6] [--idle 100] [--probes 10] [--port P]

Starts the real ``secondlook serve`` (or uses the one on ``--port``), then, from this process:
``--slow`` clients send the slowest adversarial draft of tools/bench_linear_time.py (names
chained with 이랑, 20,000 characters) over and over; ``--idle`` connections are opened and held
half-open (half of them silent, half with the first line of a request and nothing more); then
``--probes`` ordinary drafts are sent one after another, each on a new connection as the
extension does, and their latency is reported. Bar (issue 12): every probe answered within 2 s.
Exit status 1 when a probe is late or fails.
"""
from __future__ import annotations

import argparse
import http.client
import json
import socket
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_linear_time import FAMILIES  # noqa: E402
from benchmark import SENTENCES, build_draft  # noqa: E402
from companion_runner import running_companion  # noqa: E402

BAR_S = 2.0
SLOW_DRAFT = FAMILIES["names with 이랑"](20000)
ORDINARY_DRAFT = build_draft(1000, SENTENCES)


def _post(port: int, text: str, timeout: float = 30) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", "/v1/analyze", body=json.dumps({"text": text}).encode(),
                     headers={"Content-Type": "application/json", "Host": f"127.0.0.1:{port}"})
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read())
    finally:
        conn.close()


def _idle_connections(port: int, count: int) -> list[socket.socket]:
    socks = []
    for k in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        if k % 2:
            sock.sendall(b"POST /v1/analyze HTTP/1.1\r\n")  # a request that never arrives in full
        socks.append(sock)
    return socks


def measure(port: int, slow: int = 6, idle: int = 100, probes: int = 10) -> dict:
    """Latencies (s) of ``probes`` ordinary drafts while ``slow`` clients send slow drafts and
    ``idle`` half-open connections are held; also the slow drafts' statuses and completeness."""
    stop = threading.Event()
    slow_results: list[tuple[int, bool]] = []
    lock = threading.Lock()

    def slow_client() -> None:
        while not stop.is_set():
            try:
                status, body = _post(port, SLOW_DRAFT)
                outcome = (status, bool(body.get("complete", True)) if isinstance(body, dict) else False)
            except OSError:
                outcome = (0, False)
            with lock:
                slow_results.append(outcome)

    workers = [threading.Thread(target=slow_client, daemon=True) for _ in range(slow)]
    for w in workers:
        w.start()
    socks = _idle_connections(port, idle)
    try:
        time.sleep(0.5)  # let the slow drafts occupy the workers
        latencies, statuses = [], []
        for _ in range(probes):
            t0 = time.perf_counter()
            try:
                status, _ = _post(port, ORDINARY_DRAFT, timeout=BAR_S * 5)
            except OSError:
                status = 0
            latencies.append(time.perf_counter() - t0)
            statuses.append(status)
    finally:
        stop.set()
        for sock in socks:
            sock.close()
        for w in workers:
            w.join(30)
    return {"latencies": latencies, "statuses": statuses, "slow": slow_results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=int, default=6)
    parser.add_argument("--idle", type=int, default=100)
    parser.add_argument("--probes", type=int, default=10)
    parser.add_argument("--port", type=int, help="measure the companion already running on this port")
    args = parser.parse_args(argv)
    with running_companion(args.port, "") as (port, _, _):
        result = measure(port, args.slow, args.idle, args.probes)
    lat = sorted(result["latencies"])
    slow = result["slow"]
    print(f"{args.slow} slow clients, {args.idle} idle connections, {args.probes} ordinary drafts")
    print(f"ordinary draft latency (s): min {lat[0]:.3f}  median {lat[len(lat) // 2]:.3f}  max {lat[-1]:.3f}  "
          f"bar {BAR_S:.1f}")
    print(f"ordinary statuses: {sorted(set(result['statuses']))}; slow drafts answered: {len(slow)}, "
          f"incomplete {sum(1 for s, c in slow if s == 200 and not c)}, failed {sum(1 for s, _ in slow if s != 200)}")
    return 0 if lat[-1] <= BAR_S and set(result["statuses"]) == {200} else 1


if __name__ == "__main__":
    sys.exit(main())
