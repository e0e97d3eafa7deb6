"""Harm figures through the real engine on the held-out parts of train_harm's splits.

    .venv/bin/python tools/eval_harm.py [--threshold P]

Post level, as the scorer counts: a text is flagged when the engine returns at least one harm
finding. Held-out BEEP! comments (hate/offensive vs none), held-out KLUE sentences (clean),
held-out own drafts, and held-out dev posts (harmful vs not). Nothing here was fitted or tuned on.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

import json  # noqa: E402

import train_harm as th  # noqa: E402


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threshold", type=float, default=None, help="override the model's threshold")
    args = parser.parse_args(argv)
    from companion.engine import build_engine
    from companion.engine.recognizers import harm_model

    engine = build_engine()
    if args.threshold is not None:
        for rec in engine.registry.recognizers:
            if hasattr(rec, "_model"):
                rec._model = harm_model.HarmModel(rec._model.weights, rec._model.bias, args.threshold)

    def flagged(text: str) -> bool:
        return any(f["category"] == "harm" for f in engine.analyze(text)["findings"])

    beep = [(t, y) for t, y in th.read_beep(th.BEEP) if th.bucket(t, 10) < 2]
    drafts = [(t, y) for t, y in th.read_drafts(th.DRAFTS) if th.bucket(t, 4) == 0]
    klue = [t for t in th.read_klue(th.KLUE) if th.bucket(t, 5) == 0]
    dev = [json.loads(line) for line in th.DEV.read_text(encoding="utf-8").splitlines()]
    dev = [(p["text"], int(p["harmful"])) for p in dev if th.bucket(p["id"], 3) == 0]
    sets = {
        "beep_heldout": [(t, int(y != "none")) for t, y in beep],
        "drafts_heldout": drafts,
        "dev_heldout_posts": dev,
        "klue_heldout_clean": [(t, 0) for t in klue],
    }
    for name, rows in sets.items():
        pos = [flagged(t) for t, y in rows if y]
        neg = [flagged(t) for t, y in rows if not y]
        recall = sum(pos) / len(pos) if pos else float("nan")
        alarm = sum(neg) / len(neg) if neg else float("nan")
        print(f"{name:20s} n={len(rows):5d}  harm_recall={recall:.3f} ({sum(pos)}/{len(pos)})  "
              f"harm_false_alarm={alarm:.3f} ({sum(neg)}/{len(neg)})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
