"""Load benchmark: many concurrent clients analysing long drafts; latency percentiles and memory.

    .venv/bin/python tools/benchmark_load.py [--clients 50] [--requests 20] [--min-chars 1000]
                                             [--max-chars 5000] [--port P] [--seed 1]

Without ``--port`` it starts its own ``secondlook serve`` on a free loopback port (and can
then report the server's resident memory before and after the run). Each client keeps one
HTTP connection and sends its analyses one after another, each paired first with this
user's secret (as the extension does). The drafts are synthetic: random
Korean ward-talk sentences with names, phone numbers, hospitals and training years mixed in,
so every pipeline stage does real work.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from companion_runner import percentiles, rss_kb, running_companion  # noqa: E402

from companion.client import NotVerified, authorization_for, paired_request  # noqa: E402
from companion.config import load_config  # noqa: E402
from companion.secret import resolve_secret  # noqa: E402

# Generic building blocks for synthetic drafts (no real people: names are drawn at random).
_SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
_SYLLABLES = "민서준지현우하윤도예은수영진성호재경미혜정석"
_TITLES = ("교수", "선생님", "간호사", "전공의", "과장님", "수간호사")
_PLACES = ("대학병원", "의료원", "성모병원", "기독병원")
_DEPARTMENTS = ("내과", "외과", "소아과", "응급의학과", "정형외과", "마취과")
_SENTENCES = (
    "오늘 병동 분위기가 너무 안 좋았어요.",
    "인수인계 시간이 길어져서 퇴근이 늦었습니다.",
    "다들 비슷한 경험 있으신가요?",
    "환자 보호자 민원이 계속 들어와서 힘드네요.",
    "당직 스케줄이 또 바뀌었다고 합니다.",
    "The night shift was short-staffed again.",
    "회의 때 분명히 말했는데 기록에는 없더라고요.",
)


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_SYLLABLES) for _ in range(2))


def _identifying(rng: random.Random) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return f"{_name(rng)} {rng.choice(_TITLES)}이 또 그랬어요."
    if kind == 1:
        return f"연락처는 010-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)} 입니다."
    if kind == 2:
        return f"{rng.choice('서울부산대구광주')}{rng.choice(_PLACES)} {rng.choice(_DEPARTMENTS)} {rng.randrange(1, 5)}년차요."
    return f"{_name(rng)[0]}{rng.choice(_TITLES)} 얘기 들으셨어요?"


def make_drafts(count: int, min_chars: int = 1000, max_chars: int = 5000, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    drafts = []
    for _ in range(count):
        target = rng.randrange(min_chars, max_chars + 1)
        parts: list[str] = []
        size = 0
        while size <= target:  # size counts a separator after every part
            part = _identifying(rng) if rng.random() < 0.15 else rng.choice(_SENTENCES)
            parts.append(part)
            size += len(part) + 1
        drafts.append(" ".join(parts)[:target])
    return drafts


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall_s: float = 0.0

    def summary(self) -> dict[str, float]:
        p50, p95, p99 = percentiles(self.latencies_ms, 0.5, 0.95, 0.99)
        return {"p50": round(p50, 1), "p95": round(p95, 1), "p99": round(p99, 1),
                "max": round(max(self.latencies_ms), 1) if self.latencies_ms else 0.0}


def run_load(port: int, drafts: list[str], clients: int, per_client: int, secret: str = "",
             host: str = "127.0.0.1", timeout: float = 120) -> LoadResult:
    """``clients`` threads, each sending ``per_client`` analyses over one keep-alive connection;
    with ``secret``, each analysis is paired first, as the extension does (an empty secret
    sends the analyses unpaired, which the companion answers by default: ``open_analysis``)."""
    result = LoadResult()
    lock = threading.Lock()
    start = threading.Barrier(clients)
    headers = {"Content-Type": "application/json", "Host": f"{host}:{port}"}

    def client(index: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        start.wait()
        for i in range(per_client):
            body = json.dumps({"text": drafts[(index * per_client + i) % len(drafts)]}).encode()
            began = time.perf_counter()
            try:
                auth = ({"Authorization": authorization_for(host, port, secret, "POST", "/v1/analyze", timeout)}
                        if secret else {})
                conn.request("POST", "/v1/analyze", body=body, headers={**headers, **auth})
                response = conn.getresponse()
                payload = response.read()
                elapsed = (time.perf_counter() - began) * 1000
                ok = response.status == 200 and "findings" in json.loads(payload)
                error = None if ok else f"HTTP {response.status}"
            except (OSError, http.client.HTTPException, ValueError, NotVerified) as exc:
                elapsed, error = 0.0, type(exc).__name__
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=timeout)
            with lock:
                if error:
                    result.errors.append(error)
                else:
                    result.latencies_ms.append(elapsed)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.wall_s = time.perf_counter() - began
    return result


def server_stats(port: int, secret: str) -> dict:
    return paired_request("127.0.0.1", port, secret, "GET", "/v1/stats", timeout=10)[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/benchmark_load.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20, help="analyses per client")
    parser.add_argument("--min-chars", type=int, default=1000)
    parser.add_argument("--max-chars", type=int, default=5000)
    parser.add_argument("--port", type=int, help="use the companion already running on this port")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    with running_companion(args.port) as (port, process, _):
        secret = resolve_secret(load_config())[0]  # this user's, as the companion has it
        drafts = make_drafts(args.clients * args.requests, args.min_chars, args.max_chars, args.seed)
        warm = run_load(port, drafts, args.clients, 2, secret)  # warm-up: same concurrency, fewer requests
        before = rss_kb(process.pid) if process else None
        result = run_load(port, drafts, args.clients, args.requests, secret)
        after = rss_kb(process.pid) if process else None
        stats = server_stats(port, secret)
    total = args.clients * args.requests
    s = result.summary()
    print(f"SecondLook load: {args.clients} clients x {args.requests} analyses, "
          f"drafts {args.min_chars}-{args.max_chars} characters ({os.cpu_count()} CPUs)")
    print(f"requests {total}, errors {len(result.errors) + len(warm.errors)}, wall {result.wall_s:.1f} s, "
          f"{len(result.latencies_ms) / result.wall_s:.1f} analyses/s")
    print(f"latency under load (client, ms): p50 {s['p50']}  p95 {s['p95']}  p99 {s['p99']}  max {s['max']}")
    if result.errors or warm.errors:
        print("errors: " + ", ".join(f"{kind} x{n}" for kind, n in Counter(result.errors + warm.errors).items()))
    latency = stats.get("analyze_latency_ms", {})
    print(f"analysis time in the server (ms): p50 {latency.get('p50')}  p95 {latency.get('p95')}")
    if before and after:
        print(f"server resident memory: {before / 1024:.0f} MB after warm-up, {after / 1024:.0f} MB after the run "
              f"({(after - before) / before:+.1%})")
    return 1 if result.errors or warm.errors else 0


if __name__ == "__main__":
    sys.exit(main())
