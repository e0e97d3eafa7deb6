"""Evasion folding for the harm lexicon: a copy of the text with separators inside words removed.

People dodge filters with separators inside a word (시1발, 병.신, 병*신) and with spaces between
spelled-out syllables (미 친 놈, 신 상 털 자). ``fold`` deletes them in a projection of the text
whose offsets map back to the original. The pipeline has already normalised the text (NFC,
zero-width characters, full-width forms: ``companion/engine/normalize.py``), so nothing else is
rewritten here. Every pattern is bounded (no open-ended repeat), so folding is linear.
"""
from __future__ import annotations

import re
from bisect import bisect_right

_HANGUL = "가-힣ㄱ-ㅎ"
#: characters people put inside a word to dodge filters (시1발, 병.신, 병*신)
_INNER_SEPARATORS = r".·ㆍ*_\-~^,'\"`|/\\!:;+=@#$%&0-9"
_INNER_GAP = re.compile(rf"[{_HANGUL}]([{_INNER_SEPARATORS}]{{1,3}})(?=[{_HANGUL}])")
#: a word spelled out one syllable at a time: 미 친 놈, 신 상 털 자, ㅂ ㅅ (at most 12 syllables)
_SPACED_RUN = re.compile(
    rf"(?<![{_HANGUL}])[{_HANGUL}](?:[ \t{_INNER_SEPARATORS}]{{1,2}}[{_HANGUL}](?![{_HANGUL}])){{1,11}}"
)
_RUN_GAP = re.compile(rf"[ \t{_INNER_SEPARATORS}]{{1,2}}")
#: a digit before 동/가/로/길 is part of an address, not an evasion: 대야1동에서 must not fold into 야동
_PLACE = re.compile(r"[가-힣]{1,4}[0-9]{1,2}(?:동|가|로|길)")
FOLD_REACH = 16  # an evaded word is short: matches in the fold are looked for this close to a removal


class Projection:
    """A rewritten copy of a text, built from copied segments, mapping offsets back to the original."""

    def __init__(self, text: str, starts: list[int], origins: list[int]):
        self.text = text
        self._starts = starts  # projection offset where each copied segment begins
        self._origins = origins  # original offset of that segment's first character

    def start(self, i: int) -> int:
        """Original offset of projection character ``i``."""
        k = bisect_right(self._starts, i) - 1
        return self._origins[k] + (i - self._starts[k])

    def end(self, i: int) -> int:
        """Original exclusive end for projection exclusive end ``i``."""
        return self.start(i - 1) + 1 if i > 0 else self.start(0)


def identity(text: str) -> Projection:
    return Projection(text, [0], [0])


def removals(text: str) -> list[tuple[int, int]]:
    """Spans to delete so that evasive spellings read as plain words (sorted, merged)."""
    in_place = {i for m in _PLACE.finditer(text) for i in range(*m.span())}
    gaps = [m.span(1) for m in _INNER_GAP.finditer(text) if m.start(1) not in in_place]
    for run in _SPACED_RUN.finditer(text):
        base = run.start()
        gaps.extend((base + g.start(), base + g.end()) for g in _RUN_GAP.finditer(run.group()))
    if not gaps:
        return []
    gaps.sort()
    merged = [gaps[0]]
    for s, e in gaps[1:]:
        if s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def gap_points(cuts: list[tuple[int, int]]) -> list[int]:
    """Where each removal sits in the folded text (a match there reads across an evasion)."""
    points, removed = [], 0
    for s, e in cuts:
        points.append(s - removed)
        removed += e - s
    return points


def around(points: list[int], reach: int, n: int) -> list[tuple[int, int]]:
    """Merged windows of ``reach`` characters around each point."""
    out: list[tuple[int, int]] = []
    for p in points:
        lo, hi = max(0, p - reach), min(n, p + reach)
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def fold(text: str, cuts: list[tuple[int, int]]) -> Projection:
    """``text`` without the spans ``cuts``, offsets mapped back."""
    pieces: list[str] = []
    starts: list[int] = []
    origins: list[int] = []
    cursor = pos = 0
    for s, e in cuts:
        if s > cursor:
            pieces.append(text[cursor:s])
            starts.append(pos)
            origins.append(cursor)
            pos += s - cursor
        cursor = e
    pieces.append(text[cursor:])
    starts.append(pos)
    origins.append(cursor)
    return Projection("".join(pieces), starts, origins)
