"""Step 5: apply suggestions with Presidio's AnonymizerEngine.

Overlaps are resolved here first (the anonymizer would merge or drop them by its own rules),
then every finding becomes a RecognizerResult whose entity type is its id, so each gets its own
``OperatorConfig`` carrying its replacement.
"""
from __future__ import annotations

from bisect import bisect_left

from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig, RecognizerResult
from presidio_anonymizer.operators import Operator, OperatorType

from .entities import RANK
from .findings import Finding


class UseReplacement(Operator):
    """Replace the span with a precomputed, per-finding replacement (a person's placeholder …)."""

    def operate(self, text: str = None, params: dict = None) -> str:
        return params["replacement"]

    def validate(self, params: dict = None) -> None:
        if not isinstance((params or {}).get("replacement"), str):
            raise ValueError("replacement must be a string")

    def operator_name(self) -> str:
        return "use_replacement"

    def operator_type(self) -> OperatorType:
        return OperatorType.Anonymize


def non_overlapping(findings: list[Finding]) -> list[Finding]:
    """Keep the most important of overlapping findings: the higher rank (identity over harm), then
    the longer span, the higher score, the earlier start. The API sends each finding's rank, and
    the extension applies accepted findings by this same rule (content/redaction.js
    ``nonOverlapping``; both checked against tests/vectors/overlap.json)."""
    starts: list[int] = []  # chosen spans, sorted by start (they never overlap each other)
    ends: list[int] = []
    chosen: list[Finding] = []
    for f in sorted(findings, key=lambda f: (-RANK[f.category], -(f.end - f.start), -f.score, f.start)):
        i = bisect_left(starts, f.start)
        if (i < len(starts) and starts[i] < f.end) or (i > 0 and ends[i - 1] > f.start):
            continue
        starts.insert(i, f.start)
        ends.insert(i, f.end)
        chosen.insert(i, f)
    return chosen


class Redactor:
    def __init__(self) -> None:
        self._anonymizer = AnonymizerEngine()
        self._anonymizer.add_anonymizer(UseReplacement)

    def apply(self, text: str, findings: list[Finding], replacements: dict[str, str] | None = None) -> tuple[str, list[str]]:
        chosen = non_overlapping(findings)
        if not chosen:
            return text, []
        replacements = replacements or {}
        out: list[str] = []
        done = 0  # text before this offset is in ``out``
        for batch in _batches(chosen):
            lo, hi = batch[0].start, batch[-1].end
            results = [RecognizerResult(entity_type=f.id, start=f.start - lo, end=f.end - lo, score=f.score)
                       for f in batch]
            operators = {f.id: OperatorConfig("use_replacement", {"replacement": replacements.get(f.id, f.suggestion)})
                         for f in batch}
            out.append(text[done:lo])
            out.append(self._anonymizer.anonymize(text=text[lo:hi], analyzer_results=results, operators=operators).text)
            done = hi
        out.append(text[done:])
        return "".join(out), [f.id for f in chosen]


#: the anonymizer rebuilds its whole text once per replacement: it gets the findings in batches
#: of bounded extent so that a draft with thousands of findings is redacted in linear time
BATCH_CHARS = 1024
BATCH_FINDINGS = 64


def _batches(chosen: list[Finding]) -> list[list[Finding]]:
    """Consecutive runs of ``chosen`` (sorted, non-overlapping) spanning at most ``BATCH_CHARS``
    characters and ``BATCH_FINDINGS`` findings (a longer finding is a batch of its own)."""
    batches: list[list[Finding]] = []
    for f in chosen:
        if batches and len(batches[-1]) < BATCH_FINDINGS and f.end - batches[-1][0].start <= BATCH_CHARS:
            batches[-1].append(f)
        else:
            batches.append([f])
    return batches
