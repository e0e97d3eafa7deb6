"""Linear time of the whole analysis over loopback HTTP: adversarial drafts at 1,000 and 20,000 characters.

    .venv/bin/python tools/bench_linear_time.py [--family NAME ...] [--sizes 1000,20000] [--runs 3]
                                                [--deadline-ms 600000] [--port P] [--in-process]

Starts the real ``secondlook serve`` on a free loopback port (its own empty configuration, a
deadline far above any measured time so the full analysis is timed; or uses the one on ``--port``), sends each family's draft
to ``POST /v1/analyze`` and reports the server's own ``elapsed_ms`` (best of ``--runs``; a run
over 5 s is not repeated). ``--in-process`` times ``Engine.analyze``
in this process instead (for profiling).

The families are the inputs issue 12 found quadratic plus the degenerate shapes a draft can
take (one character class for thousands of characters, no spaces, no sentence ends) and an
ordinary draft of ``max_chars``. Bars: ≤ 1 s at 20,000 characters and time(20k) ≤ 30 × time(1k).
Exit status 1 when a bar fails.
"""
from __future__ import annotations

import argparse
import http.client
import json
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmark import SENTENCES, build_draft  # noqa: E402
from companion_runner import running_companion  # noqa: E402

_SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
_GIVEN = "민서준지현우하윤도예은수영진성호재경미혜정석"


def repeat(unit: str, tail: str = "") -> Callable[[int], str]:
    """``unit`` repeated to ``n`` characters, ending in ``tail``."""
    def make(n: int) -> str:
        body = n - len(tail)
        return (unit * (body // len(unit) + 1))[:body] + tail
    return make


def names_with(joiner: str) -> Callable[[int], str]:
    """Different names chained with ``joiner`` (김민수랑 이영희랑 …)."""
    def make(n: int) -> str:
        parts, size, k = [], 0, 0
        while size < n:
            name = _SURNAMES[k % len(_SURNAMES)] + _GIVEN[(k * 7) % len(_GIVEN)] + _GIVEN[(k * 3 + 1) % len(_GIVEN)]
            parts.append(name + joiner)
            size += len(name) + len(joiner)
            k += 1
        return "".join(parts)[:n]
    return make


def full_and_given(n: int) -> str:
    """Different full names, each followed by its given name with a title (김민수 민수쌤 …)."""
    full = names_with(" ")(n).split()
    return " ".join(f"{name} {name[1:]}쌤" for name in full)[:n]


def ordinary(n: int) -> str:
    return build_draft(n, SENTENCES)


FAMILIES: dict[str, Callable[[int], str]] = {
    "e-mail-like a-a-…@": repeat("a-", "@"),
    "e-mail-like a.a.…@x": repeat("a.", "@x"),
    "insult, no spaces": repeat("미친놈"),
    "insult, spaced": repeat("미친놈 "),
    "insult, separators": repeat("병.신."),
    "insult, one syllable": repeat("미 친 놈 "),
    "insult, digits inside": repeat("시1발"),
    "URL with @": lambda n: "https://open.kakao.com/o/" + repeat("ab/")(n - 27) + "@x",
    "ㅋ~ㅋ~…@": repeat("ㅋ~", "@"),
    "names with 이랑": names_with("랑 "),
    "names with 이랑, no spaces": names_with("랑"),
    "names with 와/과, 및": names_with(" 및 "),
    "full and given names": full_and_given,
    "workplaces and years": repeat("서울대병원 흉부외과 3년차 치프 "),
    "names, then workplaces": lambda n: names_with(" ")(n // 2) + repeat("세브란스 흉부외과 ")(n - n // 2),
    "long Hangul run": repeat("가나다라마바사아자차카타파하"),
    "digits run": repeat("0123456789"),
    "phone numbers": repeat("010-1234-5678 "),
    "ID numbers with context": repeat("주민번호 900101-1234567 여권 M12345678 "),
    "digits with dashes": repeat("010-"),
    "repeated titles": repeat("교수님 "),
    "masks 김OO": repeat("김OO "),
    "masks 김OO교수": repeat("김OO교수"),
    "chosung run": repeat("ㄱㅊㅅ"),
    "long line, no spaces": lambda n: ordinary(2 * n).replace(" ", "").replace("\n", "")[:n],
    "many short lines": repeat("김\n"),
    "mixed scripts": repeat("Kim김ㄱ1@가a.ㅋ"),
    "accusation phrases": repeat("리베이트받았다는소문 "),
    "harm sentences": repeat("그 교수 진짜 정신병 있는 거 아니냐. "),
    "spaces and dashes": repeat(" - "),
    "laughter ㅋ": repeat("ㅋ"),
    "ordinary draft": ordinary,
}


def _analyze(conn: http.client.HTTPConnection, port: int, text: str) -> tuple[float, bool]:
    """(server elapsed ms, complete) of one analysis."""
    conn.request("POST", "/v1/analyze", body=json.dumps({"text": text}).encode(),
                 headers={"Content-Type": "application/json", "Host": f"127.0.0.1:{port}"})
    resp = conn.getresponse()
    raw = resp.read()
    if resp.status != 200:
        raise SystemExit(f"analyze answered {resp.status}: {raw[:200]!r}")
    body = json.loads(raw)
    return float(body["elapsed_ms"]), bool(body.get("complete", True))


def best(measure: Callable[[], float], runs: int) -> float:
    times = []
    for _ in range(runs):
        times.append(measure())
        if times[-1] > 5000:
            break
    return min(times)


def http_timer(args) -> tuple[Callable[[str], Callable[[], float]], Callable[[], None]]:
    companion = ExitStack()
    config = f"[server]\ndeadline_ms = {args.deadline_ms}\n" if args.deadline_ms else ""
    port, _, _ = companion.enter_context(running_companion(args.port, config))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    incomplete: list[int] = []

    def timer(text: str) -> Callable[[], float]:
        def run() -> float:
            ms, complete = _analyze(conn, port, text)
            if not complete:
                incomplete.append(len(text))
            return ms / 1000
        return run

    def stop() -> None:
        companion.close()
        if incomplete:
            print(f"note: {len(incomplete)} answers were incomplete (deadline reached)")
    return timer, stop


def in_process_timer(args) -> tuple[Callable[[str], Callable[[], float]], Callable[[], None]]:
    from companion.engine import build_engine

    engine = build_engine()

    def timer(text: str) -> Callable[[], float]:
        def run() -> float:
            t0 = time.perf_counter()
            engine.analyze(text)
            return time.perf_counter() - t0
        return run
    return timer, lambda: None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", action="append", help="only this family (repeatable; substring match)")
    parser.add_argument("--sizes", default="1000,20000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--deadline-ms", type=int, default=600000,
                        help="[server] deadline_ms of the measured server (0: leave the key out)")
    parser.add_argument("--port", type=int, help="measure the companion already running on this port")
    parser.add_argument("--in-process", action="store_true", help="time Engine.analyze in this process")
    args = parser.parse_args(argv)
    small, large = (int(s) for s in args.sizes.split(","))
    families = {k: v for k, v in FAMILIES.items() if not args.family or any(f in k for f in args.family)}

    timer, stop = (in_process_timer if args.in_process else http_timer)(args)
    failed = False
    print(f"{'family':30s} {small:>9d} ms {large:>9d} ms {'ratio':>6s}")
    try:
        timer("김성호 교수 010-1234-5678")()
        for name, make in families.items():
            a = best(timer(make(small)), args.runs)
            b = best(timer(make(large)), args.runs)
            ratio = b / a if a else float("inf")
            bad = ratio > 30 or b > 1.0
            failed |= bad
            print(f"{name:30s} {a * 1000:12.1f} {b * 1000:12.1f} {ratio:6.1f}{'  FAIL' if bad else ''}", flush=True)
    finally:
        stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
