"""Speed and memory benchmark of the companion over real HTTP.

    .venv/bin/python tools/benchmark.py [--runs 200] [--corpus FILE.jsonl] [--secondlook PATH]

Starts ``secondlook serve`` on a free loopback port with an empty configuration, measures the cold
start (spawn → first 200 from ``/v1/health`` with the engine loaded), then times ``POST /v1/analyze``
for drafts of about 1,000 and 5,000 characters over one keep-alive connection (as the extension
does) and reports p50/p95 latency and the resident memory of the server's process tree.

Drafts are assembled from built-in sentences of the kind the boards see (names, hospitals,
contacts, drug and lab talk) or, with ``--corpus FILE.jsonl``, from the ``text`` of annotated
posts. Bars: p95 ≤ 25 ms (1,000 ch), ≤ 100 ms (5,000 ch), cold start ≤ 5 s, RSS ≤ 400 MB.
"""
from __future__ import annotations

import argparse
import http.client
import json
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from companion_runner import percentiles, rss_kb, running_companion  # noqa: E402

SENTENCES = [
    "전남대병원 소화기내과 2년차 탁은비가 어제 야간에 인턴한테 차트 집어던졌다는 얘기 돌아요.",
    "조영제 알러지 환자 전처치 오더 프레드니솔론 50mg 13시간 전 맞나요? 신경과 선생님들 의견 부탁드려요.",
    "황OO 교수 또 학회 뒤풀이 때 술 취해서 난리. H교수 라인이라 아무도 말을 못함 ㅋㅋ",
    "연락처 010-3172-5864, 메일 nurse.bong77@naver.com 으로 주세요. 카톡 아이디 bong_ward3.",
    "70대 여자 환자 eGFR 38, HbA1c 7.2% 메트포르민 계속 써도 될까요? E11.22 코드 청구 질문.",
    "Dr. Seo from nephrology at Chungbuk National University Hospital was rude to the new interns again 😡",
    "심평원 고객센터 1644-2000 전화해봤는데 대기만 20분.. 정말 이번에는 한번 더 확인해야겠어요.",
    "인하대병원 본관 61병동 수쌤, 작년 봄에 감염관리실에서 오신 분. 신규쌤들 다 나감.",
    "ㅎㅈㅁ 진짜 답이 없다. 남\u200b궁민 인스타 공개합니다 → @namgung.min_92",
    "파킨슨 환자 레보도파 용량 조절, 해리슨 기준으로 보면 될까요? 임상 강의 자료 공유합니다.",
]


def build_draft(size: int, pool: list[str]) -> str:
    parts: list[str] = []
    i = 0
    while sum(len(p) + 1 for p in parts) < size:
        parts.append(pool[i % len(pool)])
        i += 1
    return "\n".join(parts)[:size]


def time_analyze(conn: http.client.HTTPConnection, text: str, runs: int, headers: dict) -> list[float]:
    body = json.dumps({"text": text}).encode()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        conn.request("POST", "/v1/analyze", body=body, headers=headers)
        resp = conn.getresponse()
        resp.read()
        if resp.status != 200:
            raise SystemExit(f"analyze answered {resp.status}")
        times.append((time.perf_counter() - start) * 1000)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="requests per draft size (default 200)")
    parser.add_argument("--corpus", type=Path, help="build drafts from the texts of this JSONL corpus")
    parser.add_argument("--secondlook", default=str(Path(sys.executable).with_name("secondlook")),
                        help="the secondlook command (default: beside this Python)")
    args = parser.parse_args(argv)

    pool = SENTENCES
    if args.corpus:
        pool = [json.loads(line)["text"] for line in args.corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    with running_companion(config_text="", secondlook=args.secondlook) as (port, process, cold):
        headers = {"Content-Type": "application/json", "Host": f"127.0.0.1:{port}"}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.connect()
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        print(f"cold_start_s={cold:.2f}")
        for size, bar in ((1000, 25.0), (5000, 100.0)):
            draft = build_draft(size, pool)
            time_analyze(conn, draft, 5, headers)  # warm the connection and caches
            p50, p95 = percentiles(time_analyze(conn, draft, args.runs, headers), 0.5, 0.95)
            verdict = "ok" if p95 <= bar else "OVER"
            print(f"chars={len(draft)} runs={args.runs} p50_ms={p50:.1f} p95_ms={p95:.1f} bar_ms={bar:.0f} {verdict}")
        print(f"rss_mb={(rss_kb(process.pid, tree=True) or 0) / 1024:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
