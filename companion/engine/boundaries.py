"""Step 2b: findings on word boundaries, so a redaction never leaves half a word behind.

A hospital's name found as a listed prefix of a longer word (삼성 in 삼성서울 쪽은) covers the
whole word up to its particle (삼성서울), else the redaction reads 한 병원서울. What may follow a
name inside its word without being part of it (출신, 쪽 …) is listed in data/not_place_tails.txt.
"""
from __future__ import annotations

from .findings import Finding
from .lexicon import Lexicon

#: a name is not extended by more than this many syllables (a long glued run is something else)
MAX_TAIL = 4


def _hangul(ch: str) -> bool:
    return "가" <= ch <= "힣"


class WordBoundaries:
    def __init__(self, lexicon: Lexicon) -> None:
        self._particles = lexicon.particles  # longest first
        self._not_tails = tuple(lexicon.not_place_tails)

    def _stem(self, rest: str) -> str:
        """The part of ``rest`` before a particle glued at its end (서울에서 → 서울)."""
        for p in self._particles:
            if rest.endswith(p):
                return rest[: -len(p)]
        return rest

    def extend(self, findings: list[Finding], text: str) -> None:
        for f in findings:
            if f.entity_type != "HOSPITAL" or not f.text or not _hangul(f.text[-1]):
                continue
            j = f.end
            while j < len(text) and j - f.end <= MAX_TAIL + 3 and _hangul(text[j]):
                j += 1
            if j == f.end or (j < len(text) and _hangul(text[j])):
                continue
            stem = self._stem(text[f.end:j])
            if 0 < len(stem) <= MAX_TAIL and not stem.startswith(self._not_tails):
                f.end += len(stem)
                f.text = text[f.start:f.end]
