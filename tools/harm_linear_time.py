"""Linear time of the harm stage: 1,000 vs 20,000 characters of adversarial drafts.

    .venv/bin/python tools/harm_linear_time.py

One insult repeated without spaces, spaced, with separators inside (병.신), spelled out one
syllable at a time (미 친 놈), digits inside (시1발), and mixed with medical accusations. Each
input goes through the whole engine (``Engine.analyze``) and through the harm recognizer alone;
the best of three runs is kept. Bars (issue 12): time at 20k ≤ 30 × time at 1k, and ≤ 1 s.
Exit status 1 when a bar fails.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

UNITS = {
    "repeated, no spaces": "미친놈",
    "repeated, spaced": "미친놈 ",
    "separators inside": "병.신.",
    "one syllable at a time": "미 친 놈 ",
    "digits inside": "시1발",
    "long Hangul run": "가나다라마바사아자차카타파하",
    "accusation phrases": "리베이트받았다는소문 ",
    "sentences": "그 교수 진짜 정신병 있는 거 아니냐. ",
    "spaces and dashes": " - ",
    "laughter": "ㅋ",
}


def best(fn, text: str, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn(text)
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> int:
    from companion.engine import build_engine
    from companion.engine.recognizers.harm import HarmRecognizer

    engine = build_engine()
    harm = HarmRecognizer()
    failed = False
    print(f"{'input':24s} {'stage':7s} {'1k ms':>8s} {'20k ms':>8s} {'ratio':>6s}")
    for name, unit in UNITS.items():
        small = (unit * (1000 // len(unit) + 1))[:1000]
        large = (unit * (20000 // len(unit) + 1))[:20000]
        for stage, fn in (("engine", engine.analyze), ("harm", lambda t: harm.analyze(t, None, None))):
            a, b = best(fn, small), best(fn, large)
            ratio = b / a if a else float("inf")
            bad = ratio > 30 or b > 1.0
            failed |= bad
            print(f"{name:24s} {stage:7s} {a * 1000:8.1f} {b * 1000:8.1f} {ratio:6.1f}{'  FAIL' if bad else ''}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
