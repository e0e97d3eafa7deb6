"""Presidio's ``AnalysisExplanation`` for our recognizers' results, one shape for all of them."""
from __future__ import annotations

from presidio_analyzer import AnalysisExplanation


def explanation(recognizer: str, rule: str, score: float, detail: str = "", pattern: str | None = None) -> AnalysisExplanation:
    """Which recognizer, which of its rules (``pattern_name``, stable: ``korean_name.full_name_titled``)
    and the score the rule gave; ``detail``: what else decided it (figures, never the draft)."""
    text = f"Detected by `{recognizer}` using rule `{rule}`" + (f": {detail}" if detail else "")
    return AnalysisExplanation(recognizer=recognizer, original_score=score, pattern_name=rule, pattern=pattern,
                               textual_explanation=text)
