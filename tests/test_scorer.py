"""The shared scorer judges the real companion end to end over HTTP on the dev corpus, and on
the drafts other hands wrote for the project (``tests/drafts``).

Runs where the project sits beside ``shared/`` (as in CI). Quality bars of the engine issue
are enforced here; speed and memory bars live in the benchmark scripts, not in tests. The
scorer speaks plain HTTP and cannot pair: the companion answers analyses of the caller's own
text without pairing (``[server] open_analysis``, docs/trust.md), so it runs as a user starts it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from companion_process import SECONDLOOK

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SCORER = SHARED / "eval" / "evaluate.py"
CORPUS = SHARED / "corpus" / "dev.jsonl"

MIN = {"core_recall": 0.95, "name_recall": 0.93, "precision": 0.90, "warn_recall": 0.95, "harm_recall": 0.85}
MAX = {"false_alarm": 0.05, "coverage_leak": 0.03, "text_leak": 0.02, "harm_false_alarm": 0.05,
       "offset_errors": 0, "utf16_errors": 0, "http_errors": 0}


#: drafts by other hands (tests/drafts/README.md): floors a little under their figures of the day they came
DRAFTS = ROOT / "tests" / "drafts"
DRAFT_BARS = {
    "tuned_on.jsonl": ({"core_recall": 0.92, "name_recall": 0.93, "precision": 0.91},
                       {"text_leak": 0.07, "false_alarm": 0.12}),
    "tuned_on_2.jsonl": ({"core_recall": 0.92, "name_recall": 0.92, "precision": 0.86},
                         {"text_leak": 0.09, "false_alarm": 0.20}),
    "tuned_on_3.jsonl": ({"core_recall": 0.92, "name_recall": 0.94, "precision": 0.84},
                         {"text_leak": 0.10, "false_alarm": 0.18}),
    "held_out.jsonl": ({"core_recall": 0.85, "name_recall": 0.85, "precision": 0.90},
                       {"text_leak": 0.14, "false_alarm": 0.13}),
}


def _score(corpus: Path, minimum: dict, maximum: dict, out: Path) -> None:
    """Run the shared scorer on ``corpus`` against a companion it starts; fail on any bar missed."""
    cmd = [sys.executable, str(SCORER), "--corpus", str(corpus), "--start-cmd", f"{SECONDLOOK} serve --port {{port}}",
           "--redact", "--quiet", "--json", str(out),
           "--min", *(f"{k}={v}" for k, v in minimum.items()), "--max", *(f"{k}={v}" for k, v in maximum.items())]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT)
    last_line = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr
    assert result.returncode == 0, f"{result.stdout[-3000:]}\n{result.stderr[-2000:]}"
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["violations"] == [], last_line
    assert report["metrics"]["posts"] == sum(1 for _ in corpus.open(encoding="utf-8"))


@pytest.mark.skipif(not (SCORER.exists() and CORPUS.exists()), reason="../shared (scorer and corpus) not beside the project")
def test_dev_corpus_meets_the_engine_bars(tmp_path: Path) -> None:
    _score(CORPUS, MIN, MAX, tmp_path / "eval.json")


@pytest.mark.skipif(not SCORER.exists(), reason="../shared (the scorer) not beside the project")
@pytest.mark.parametrize("name", sorted(DRAFT_BARS))
def test_drafts_by_other_hands_keep_their_figures(tmp_path: Path, name: str) -> None:
    minimum, maximum = DRAFT_BARS[name]
    _score(DRAFTS / name, minimum, {**maximum, "offset_errors": 0, "utf16_errors": 0, "http_errors": 0},
           tmp_path / "eval.json")
