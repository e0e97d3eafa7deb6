"""Matching the harm lexicon against a (normalised) text: anchors, windows, traps, evasions.

One scan per call finds every anchor (``harm_lexicon``); each pattern then runs only in small
windows around its own anchors. A second pass runs on the evasion-folded text (``harm_fold``),
only near what was removed, and keeps only matches that read across a removal. A hit that
overlaps a trap (쓰레기통, 미친 듯이, killer headache) close by is dropped.

Time is linear in the text: patterns have bounded repeats and run in bounded windows; a hit that
ends inside a Korean word is extended to the end of that word by at most ``WORD_TAIL``
characters; traps are looked for once, in the merged windows of ``TRAP_REACH`` characters around the hits.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from typing import Iterable, Optional

from ...budget import out_of_time
from .harm_fold import FOLD_REACH, Projection, around, fold, gap_points, identity, removals
from .harm_lexicon import Entry, Lexicon

_WORD = re.compile(r"[a-z]+")
_WORD_ANCHOR = 4  # English anchors are the first letters of a word, at most this many
_HANGUL_CHAR = re.compile("[가-힣]")
_LATIN = re.compile("[A-Za-z]")
WORD_TAIL = 8  # a stem hit covers the rest of its word, up to this many more syllables
_HANGUL_TAIL = re.compile(f"[가-힣]{{0,{WORD_TAIL}}}")
TRAP_REACH = 24  # traps are local: 쓰레기통, 미친 듯이, 불이 꺼져
_LOOKAHEAD = 8  # extra characters after a window so that lookaheads see the real text
_MERGE_GAP = 32  # windows of one pattern this close are scanned as one (fewer calls; same matches)

Hit = tuple[int, int, Entry]


def _overlapping(pattern: re.Pattern, text: str, lo: int, hi: int) -> Iterable[tuple[int, str]]:
    """(start, match) for every match, including those that overlap an earlier one."""
    m = pattern.search(text, lo, hi)
    while m is not None:
        yield m.start(), m.group()
        m = pattern.search(text, m.start() + 1, hi)


class LexiconMatcher:
    """Every lexicon hit in a text; built once per process around the compiled lexicon."""

    def __init__(self, lexicon: Lexicon) -> None:
        self._lexicon = lexicon

    def find(self, text: str) -> list[Hit]:
        """(start, end, entry) for every harm phrase in ``text``, offsets into ``text``; overlapping
        hits of one type are merged."""
        return merge(self.find_all(text))

    def find_all(self, text: str) -> list[Hit]:
        """Every hit of every lexicon line, unmerged (which concept matched what: the lexicon's tests)."""
        hits = self._scan(text, identity(text), english=True)
        cuts = removals(text)
        if cuts:
            folded = fold(text, cuts)
            points = gap_points(cuts)
            limits = around(points, FOLD_REACH, len(folded.text))
            seen = {(s, e) for s, e, _ in hits}
            for s, e, entry in self._scan(folded.text, folded, english=False, limits=limits, must_cross=points):
                if (s, e) not in seen:
                    hits.append((s, e, entry))
        return hits

    def _windows(self, view: str, english: bool, limits: list[tuple[int, int]]) -> dict[int, list[int]]:
        """Branch index -> positions of its anchors in ``view`` (within ``limits``)."""
        lexicon = self._lexicon
        at: dict[int, list[int]] = defaultdict(list)
        by_char = lexicon.by_char
        seen: dict[str, list[int]] = defaultdict(list)  # anchor -> positions, handed to its branches at once
        for lo, hi in limits:
            if lexicon.trigger is not None:  # a character class: no overlaps to worry about
                for m in lexicon.trigger.finditer(view, lo, hi):
                    seen[m.group()].append(m.start())
            if lexicon.gram_trigger is not None:  # a loose class pair, checked exactly here
                for m in lexicon.gram_trigger.finditer(view, lo, hi):
                    p = m.start()
                    gram = view[p:p + 2]
                    if gram in by_char:
                        seen[gram].append(p)
        for anchor, positions in seen.items():
            for i in by_char[anchor]:
                at[i].extend(positions)
        if english and lexicon.word_trigger is not None:
            low = view.lower()
            if len(low) != len(view):  # a character whose lowercase is longer: keep it simple
                low = view
            by_word = lexicon.by_word
            for lo, hi in limits:
                for p, _ in _overlapping(lexicon.word_trigger, low, lo, hi):
                    if p and low[p - 1].isalpha() and low[p - 1].isascii():
                        continue  # anchors start words
                    word = _WORD.match(low, p).group()
                    for size in range(1, min(len(word), _WORD_ANCHOR) + 1):  # "sto" and "stol" both
                        for i in by_word.get(word[:size], ()):
                            at[i].append(p)
        return at

    def _scan(self, view: str, projection: Projection, english: bool,
              limits: Optional[list[tuple[int, int]]] = None,
              must_cross: Optional[list[int]] = None) -> list[Hit]:
        """Hits in ``view`` (only inside ``limits`` when given), mapped to the original offsets."""
        lexicon = self._lexicon
        branches = lexicon.branches
        n = len(view)
        limits = limits if limits is not None else [(0, n)]
        spans: dict[int, list[tuple[int, int]]] = {}
        for i, positions in self._windows(view, english, limits).items():
            reach = branches[i].reach
            if len(positions) == 1:  # the usual case: one anchor, one window
                p = positions[0]
                spans[i] = [(max(0, p - reach), min(n, p + reach + _LOOKAHEAD))]
                continue
            merged: list[tuple[int, int]] = []
            for p in sorted(set(positions)):
                lo, hi = max(0, p - reach), min(n, p + reach + _LOOKAHEAD)
                if merged and lo <= merged[-1][1] + _MERGE_GAP:
                    merged[-1] = (merged[-1][0], hi)
                else:
                    merged.append((lo, hi))
            spans[i] = merged
        for i in lexicon.unanchored:
            if english or branches[i].script == "ko":
                spans[i] = limits
        found: list[Hit] = []
        for i, windows in spans.items():
            if out_of_time("harm"):
                break
            branch = branches[i]
            for lo, hi in windows:
                for m in branch.regex.finditer(view, lo, hi):
                    s, e = m.span()
                    while e > s and view[e - 1].isspace():
                        e -= 1
                    if e > s:
                        if _HANGUL_CHAR.match(view, e - 1):  # a stem: cover the rest of its word
                            e = _HANGUL_TAIL.match(view, e).end()
                        found.append((s, e, branch.entry))
        if must_cross is not None:
            found = [h for h in found if _crosses(h[0], h[1], must_cross)]
        if found and lexicon.traps:
            found = self._untrapped(view, found)
        return [(projection.start(s), projection.end(e), entry) for s, e, entry in found]

    def _untrapped(self, view: str, found: list[Hit]) -> list[Hit]:
        """The hits that overlap no trap (쓰레기통, 미친 듯이, killer headache) close by.

        Traps are looked for once in the merged windows of ``TRAP_REACH`` characters around the
        hits (not once per hit), so a text made of thousands of hits stays linear."""
        lexicon = self._lexicon
        n = len(view)
        windows: list[tuple[int, int]] = []
        for s, e, _ in sorted(found, key=lambda h: h[0]):
            lo, hi = max(0, s - TRAP_REACH), min(n, e + TRAP_REACH)
            if windows and lo <= windows[-1][1]:
                windows[-1] = (windows[-1][0], max(windows[-1][1], hi))
            else:
                windows.append((lo, hi))
        traps: set[tuple[int, int]] = set()
        for lo, hi in windows:
            candidates: set[int] = set()
            if lexicon.trap_trigger is not None:
                by_anchor = lexicon.traps_by_anchor
                for _, anchor in _overlapping(lexicon.trap_trigger, view, lo, hi):
                    candidates.update(by_anchor.get(anchor, ()))
                    candidates.update(by_anchor.get(anchor[0], ()))  # "x" hides behind a longer "xy"
            if lexicon.latin_traps and _LATIN.search(view, lo, hi):
                candidates.update(lexicon.latin_traps)
            for k in candidates:
                traps.update(t.span() for t in lexicon.traps[k].finditer(view, lo, hi) if t.end() > t.start())
        if not traps:
            return found
        spans = sorted(traps)
        starts = [s for s, _ in spans]
        longest = max(e - s for s, e in spans)
        out = []
        for hit in found:
            s, e = hit[0], hit[1]
            k = bisect_left(starts, s - longest)
            trapped = False
            while k < len(spans) and spans[k][0] < e:
                if spans[k][1] > s:
                    trapped = True
                    break
                k += 1
            if not trapped:
                out.append(hit)
        return out


def _crosses(start: int, end: int, points: list[int]) -> bool:
    """Whether a removal point lies strictly inside [start, end) (points are sorted)."""
    k = bisect_right(points, start)
    return k < len(points) and points[k] < end


def merge(hits: list[Hit]) -> list[Hit]:
    """Union overlapping hits of the same type, keeping the highest-scoring entry."""
    out: list[Hit] = []
    for s, e, entry in sorted(hits, key=lambda h: (h[2].entity_type, h[0], -h[1])):
        if out and out[-1][2].entity_type == entry.entity_type and s < out[-1][1]:
            ps, pe, pentry = out[-1]
            out[-1] = (ps, max(pe, e), pentry if pentry.score >= entry.score else entry)
        else:
            out.append((s, e, entry))
    return sorted(out, key=lambda h: (h[0], h[1]))
