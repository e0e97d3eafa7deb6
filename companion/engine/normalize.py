"""Step 1 of the pipeline: normalise a draft and keep a map back to the original offsets.

Recognizers see one canonical spelling: NFC (decomposed jamo composed), invisible characters
removed (zero-widths, bidi controls, variation selectors, tag characters, Hangul fillers, NUL …:
``_INVISIBLE_RANGES``), full-width ASCII folded to ASCII, and runs of Hangul digit words
(공일공 팔이칠삼 …) spelled as digits. Every normalised character remembers the span of
original characters it came from, so a finding on the normalised text maps back exactly.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .lexicon import load_lexicon

#: characters that show nothing (or only steer the display) and can hide a name or a number
#: from a pattern: removed, each position remembered (see ``Normalized.joins``)
_INVISIBLE_RANGES = (
    ("\u0000", "\u0000"),          # NUL
    ("\u00ad", "\u00ad"),          # soft hyphen
    ("\u034f", "\u034f"),          # combining grapheme joiner
    ("\u061c", "\u061c"),          # Arabic letter mark (bidi)
    ("\u115f", "\u115f"),          # Hangul choseong filler
    ("\u1160", "\u1160"),          # Hangul jungseong filler
    ("\u180e", "\u180e"),          # Mongolian vowel separator
    ("\u200b", "\u200f"),          # zero-width space, non-joiner, joiner; LRM, RLM
    ("\u202a", "\u202e"),          # bidi embeddings and overrides
    ("\u2060", "\u2064"),          # word joiner, invisible operators
    ("\u2066", "\u2069"),          # bidi isolates
    ("\u3164", "\u3164"),          # Hangul filler
    ("\ufe00", "\ufe0f"),          # variation selectors
    ("\ufeff", "\ufeff"),          # zero-width no-break space (BOM)
    ("\uffa0", "\uffa0"),          # halfwidth Hangul filler
    ("\U000e0000", "\U000e007f"),  # tag characters
    ("\U000e0100", "\U000e01ef"),  # variation selectors supplement
)
_INVISIBLE = frozenset(chr(c) for lo, hi in _INVISIBLE_RANGES for c in range(ord(lo), ord(hi) + 1))
_INVISIBLE_CLASS = "".join(re.escape(lo) if lo == hi else f"{re.escape(lo)}-{re.escape(hi)}" for lo, hi in _INVISIBLE_RANGES)


def _cue(name: str) -> tuple[str, ...]:
    return load_lexicon().cue(f"normalize.{name}")


#: the Hangul syllables read as each digit (data/cues/normalize.txt)
_READINGS = (_cue("zero"), _cue("one"), _cue("two"), _cue("three"), _cue("four"), _cue("five"), _cue("six"),
             _cue("seven"), _cue("eight"), _cue("nine"))
_HANGUL_DIGITS = {syllable: str(digit) for digit, syllables in enumerate(_READINGS) for syllable in syllables}
if any(len(syllable) != 1 for syllable in _HANGUL_DIGITS):
    raise ValueError("cues/normalize.txt: each digit is read as one syllable")
# A phone-like run of Hangul digit words: at least nine digit syllables, separators allowed.
_DIGIT_CLASS = "[" + "".join(_HANGUL_DIGITS) + "]"
_HANGUL_NUMBER = re.compile(
    rf"{_DIGIT_CLASS}{{3}}(?:[\s\-.]?{_DIGIT_CLASS}{{3,4}}){{2}}")
# characters that start a cluster needing work: invisible, combining/jamo (NFD), full-width,
# and any starter followed by a combining mark or jamo
_SPECIAL = re.compile(rf"[{_INVISIBLE_CLASS}\uff01-\uff5e\u3000]|.(?=[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u1160-\u11ff\u3099\u309a])|[\u1100-\u11ff\u0300-\u036f]", re.S)
_NEEDS_WORK = _SPECIAL


@dataclass(frozen=True)
class Normalized:
    original: str
    text: str
    #: original start offset of each normalised character, plus len(original) at the end
    starts: tuple[int, ...] | None
    #: original end offset of each normalised character
    ends: tuple[int, ...] | None
    #: normalised positions where invisible characters were removed just before (name evasion: 윤\u200b태오)
    joins: frozenset[int] = frozenset()

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised span [start, end) to the original text."""
        if self.starts is None:
            return start, end
        if end <= start:
            pos = self.starts[start]
            return pos, pos
        return self.starts[start], self.ends[end - 1]


def _is_starter(ch: str) -> bool:
    code = ord(ch)
    if 0x1160 <= code <= 0x11FF:  # medial vowels and final consonants join the syllable before
        return False
    return unicodedata.combining(ch) == 0


def normalize(original: str) -> Normalized:
    """Normalise ``original``; cheap (no copy of maps) when nothing needs changing."""
    hangul_numbers = list(_HANGUL_NUMBER.finditer(original))
    if not hangul_numbers and not _NEEDS_WORK.search(original) and unicodedata.is_normalized("NFC", original):
        return Normalized(original, original, None, None)

    digit_positions: set[int] = set()
    for match in hangul_numbers:
        digits = [i for i in range(match.start(), match.end()) if original[i] in _HANGUL_DIGITS]
        if len(digits) >= 9 and original[digits[0]] in _READINGS[0] and original[digits[1]] in _READINGS[1]:
            digit_positions.update(digits)

    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    joins: set[int] = set()
    n = len(original)
    i = 0
    while i < n:
        special = _SPECIAL.search(original, i)
        stop = special.start() if special else n
        # copy the ordinary run before the next special character in one go; positions of
        # Hangul digit words inside it are rewritten below, one character for one
        if stop > i:
            out.extend(original[i:stop])
            starts.extend(range(i, stop))
            ends.extend(range(i + 1, stop + 1))
            i = stop
            continue
        ch = original[i]
        if ch in _INVISIBLE:
            joins.add(len(out))
            i += 1
            continue
        # one cluster: a starter and the combining marks / jamo that follow it
        j = i + 1
        while j < n and not _is_starter(original[j]) and original[j] not in _INVISIBLE:
            j += 1
        cluster = original[i:j]
        code = ord(ch)
        if len(cluster) == 1 and 0xFF01 <= code <= 0xFF5E:
            piece = chr(code - 0xFEE0)
        elif len(cluster) == 1 and code == 0x3000:
            piece = " "
        else:
            piece = unicodedata.normalize("NFC", cluster)
        for p in piece:
            out.append(p)
            starts.append(i)
            ends.append(j)
        i = j
    if digit_positions:
        for k, start in enumerate(starts):
            if start in digit_positions and ends[k] == start + 1:
                out[k] = _HANGUL_DIGITS[original[start]]
    starts.append(n)
    return Normalized(original, "".join(out), tuple(starts), tuple(ends), frozenset(joins))
