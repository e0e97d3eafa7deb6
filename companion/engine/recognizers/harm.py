"""Harm recognizer: words that attack a person — insults, sexual rumours, accusations, threats, doxing.

The lexicons are regex stems in ``companion/engine/data/harm/<type>.<script>.tsv`` (``regex<TAB>score``).
Korean stems match anywhere, so particles and endings may follow (치근덕대는, 더듬었다는, 털어봅시다);
English stems are wrapped in letter boundaries and matched case-insensitively. Every lexicon is loaded
by every instance: drafts mix Korean and English whatever language the engine picked. A hit that
overlaps a trap in ``exclusions.*.tsv`` (쓰레기통, 미친 듯이, killer headache) is dropped.

Evasions are folded before a second pass: separators inside a word (시1발, 병.신, zero-width) and
spaces between single spelled-out syllables (미 친 놈) are removed in a projection of the text whose
offsets map back to the original. Everything is compiled once at construction.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Iterable, Optional

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult

_DATA = "companion.engine.data"
_DIR = "harm"
#: lexicon file stem -> entity type
HARM_TYPES = {
    "insult": "HARM_INSULT",
    "sexual": "HARM_SEXUAL",
    "accusation": "HARM_ACCUSATION",
    "threat": "HARM_THREAT",
    "dox": "HARM_DOX",
}
_SCRIPTS = ("ko", "en")
_MACRO = re.compile(r"\{([A-Z][A-Z_]*)\}")
_LATIN_WRAP = r"(?<![A-Za-z])(?i:{})(?![A-Za-z])"

_HANGUL = "가-힣ㄱ-ㅎ"
#: characters people put inside a word to dodge filters (시1발, 병.신, 병*신, zero-width)
_INNER_SEPARATORS = r".·ㆍ*_\-~^,'\"`|/\\!:;+=0-9\u00ad\u200b-\u200d\u2060\ufeff"
_INNER_GAP = re.compile(rf"(?<=[{_HANGUL}])[{_INNER_SEPARATORS}]{{1,3}}(?=[{_HANGUL}])")
#: a word spelled out one syllable at a time: 미 친 놈, 신 상 털 자, ㅂ ㅅ
_SPACED_RUN = re.compile(
    rf"(?<![{_HANGUL}])[{_HANGUL}](?:[ \t{_INNER_SEPARATORS}]{{1,2}}[{_HANGUL}](?![{_HANGUL}]))+"
)
_RUN_GAP = re.compile(rf"[ \t{_INNER_SEPARATORS}]+")
_ZERO_WIDTH = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
_FULLWIDTH = re.compile("[\uff01-\uff5e\u3000]")
_FULLWIDTH_TABLE = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


class LexiconError(ValueError):
    """A harm lexicon line that is not a valid pattern; the message names the file and line."""


@dataclass(frozen=True)
class _Entry:
    entity_type: str
    score: float
    source: str  # "file:line", for the explanation


@dataclass(frozen=True)
class _Lexicon:
    matcher: re.Pattern
    entries: tuple[_Entry, ...]
    traps: Optional[re.Pattern]


def _data_files() -> dict[str, str]:
    folder = resources.files(_DATA).joinpath(_DIR)
    return {f.name: f.read_text(encoding="utf-8") for f in folder.iterdir() if f.name.endswith(".tsv")}


def _lines(name: str, text: str) -> Iterable[tuple[int, str, Optional[str]]]:
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pattern, _, rest = line.partition("\t")
        yield number, pattern.strip(), (rest.strip() or None)


def _expand(pattern: str, macros: dict[str, str], where: str) -> str:
    def sub(m: re.Match) -> str:
        if m.group(1) not in macros:
            raise LexiconError(f"{where}: unknown macro {{{m.group(1)}}}")
        return macros[m.group(1)]

    return _MACRO.sub(sub, pattern)


def _checked(pattern: str, where: str) -> str:
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise LexiconError(f"{where}: invalid regex: {exc}") from None
    if compiled.groups:
        raise LexiconError(f"{where}: use (?:...) instead of capturing groups")
    return pattern


@lru_cache(maxsize=1)
def load_lexicon() -> _Lexicon:
    """Read and compile every harm data file once (shared by all instances)."""
    files = _data_files()
    macros: dict[str, str] = {}
    for number, name, value in _lines("macros.tsv", files.get("macros.tsv", "")):
        macros[name] = _checked(value or "", f"macros.tsv:{number}")

    branches: list[str] = []
    entries: list[_Entry] = []
    for stem, entity_type in HARM_TYPES.items():
        for script in _SCRIPTS:
            name = f"{stem}.{script}.tsv"
            for number, pattern, score in _lines(name, files.get(name, "")):
                where = f"{name}:{number}"
                regex = _checked(_expand(pattern, macros, where), where)
                if script == "en":
                    regex = _LATIN_WRAP.format(regex)
                try:
                    value = float(score) if score is not None else 0.7
                except ValueError:
                    raise LexiconError(f"{where}: score must be a number, got {score!r}") from None
                if not 0.0 < value <= 1.0:
                    raise LexiconError(f"{where}: score must be in (0, 1], got {value}")
                branches.append(f"({regex})")
                entries.append(_Entry(entity_type, value, where))
    if not branches:
        raise LexiconError(f"no harm lexicons found under {_DATA}.{_DIR}")

    traps: list[str] = []
    for script in _SCRIPTS:
        name = f"exclusions.{script}.tsv"
        for number, pattern, _ in _lines(name, files.get(name, "")):
            where = f"{name}:{number}"
            regex = _checked(_expand(pattern, macros, where), where)
            traps.append(_LATIN_WRAP.format(regex) if script == "en" else f"(?:{regex})")
    return _Lexicon(
        matcher=re.compile("|".join(branches)),
        entries=tuple(entries),
        traps=re.compile("|".join(traps)) if traps else None,
    )


class _Projection:
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


class _Composed(_Projection):
    """NFC-composed text: one composed character may stand for several original ones."""

    def __init__(self, text: str, char_starts: list[int], char_ends: list[int]):
        self.text = text
        self._char_starts = char_starts
        self._char_ends = char_ends

    def start(self, i: int) -> int:
        return self._char_starts[i] if i < len(self._char_starts) else (self._char_ends[-1] if self._char_ends else 0)

    def end(self, i: int) -> int:
        return self._char_ends[i - 1] if i > 0 else self.start(0)


class _Chain(_Projection):
    """``inner`` rewrites the text of ``outer``; offsets map through both."""

    def __init__(self, outer: _Projection, inner: _Projection):
        self.text = inner.text
        self._outer, self._inner = outer, inner

    def start(self, i: int) -> int:
        return self._outer.start(self._inner.start(i))

    def end(self, i: int) -> int:
        return self._outer.end(self._inner.end(i))


def _identity(text: str) -> _Projection:
    return _Projection(text, [0], [0])


def _nfc(text: str) -> _Projection:
    """NFC-compose a text that is not NFC yet (decomposed Hangul from macOS, combining marks)."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and (unicodedata.combining(text[j]) or "\u1160" <= text[j] <= "\u11ff"):
            j += 1
        chunk = unicodedata.normalize("NFC", text[i:j])
        if len(chunk) == j - i:  # nothing composed: keep a one-to-one map
            out.append(chunk)
            starts.extend(range(i, j))
            ends.extend(range(i + 1, j + 1))
        else:
            out.append(chunk)
            starts.extend([i] * len(chunk))
            ends.extend([j] * len(chunk))
        i = j
    return _Composed("".join(out), starts, ends)


def _removals(text: str) -> list[tuple[int, int]]:
    """Spans to delete so that evasive spellings read as plain words."""
    gaps = [m.span() for m in _INNER_GAP.finditer(text)]
    for run in _SPACED_RUN.finditer(text):
        base = run.start()
        gaps.extend((base + g.start(), base + g.end()) for g in _RUN_GAP.finditer(run.group()))
    gaps.extend(m.span() for m in _ZERO_WIDTH.finditer(text))
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


def _fold(text: str, removals: list[tuple[int, int]]) -> _Projection:
    pieces: list[str] = []
    starts: list[int] = []
    origins: list[int] = []
    cursor = pos = 0
    for s, e in removals:
        if s > cursor:
            pieces.append(text[cursor:s])
            starts.append(pos)
            origins.append(cursor)
            pos += s - cursor
        cursor = e
    pieces.append(text[cursor:])
    starts.append(pos)
    origins.append(cursor)
    return _Projection("".join(pieces), starts, origins)


class HarmRecognizer(EntityRecognizer):
    """Finds phrases attacking a person; one instance per language (the lexicons cover both scripts)."""

    ENTITIES = list(HARM_TYPES.values())

    def __init__(self, supported_language: str = "ko", name: Optional[str] = None):
        if supported_language not in _SCRIPTS:
            raise ValueError(f"HarmRecognizer supports {', '.join(_SCRIPTS)}, not {supported_language!r}")
        super().__init__(
            supported_entities=list(self.ENTITIES),
            name=name or f"HarmRecognizer_{supported_language}",
            supported_language=supported_language,
        )

    def load(self) -> None:
        self._lexicon = load_lexicon()

    def analyze(self, text: str, entities: Optional[list[str]] = None, nlp_artifacts=None) -> list[RecognizerResult]:
        wanted = set(entities) & set(self.ENTITIES) if entities else set(self.ENTITIES)
        if not wanted or not text:
            return []
        hits = self.find(text)
        return [self._result(text, s, e, entry) for s, e, entry in hits if entry.entity_type in wanted]

    # ---- matching ----------------------------------------------------------------------------
    def find(self, text: str) -> list[tuple[int, int, _Entry]]:
        """(start, end, entry) for every harm phrase in ``text``, offsets into ``text``."""
        base = _identity(text)
        if not unicodedata.is_normalized("NFC", text):
            base = _nfc(text)
        view = base.text
        if _FULLWIDTH.search(view):
            view = view.translate(_FULLWIDTH_TABLE)  # one character for one: offsets unchanged
        hits = self._scan(view, base)
        removals = _removals(view)
        if removals:
            folded = _Chain(base, _fold(view, removals))
            seen = {(s, e) for s, e, _ in hits}
            for s, e, entry in self._scan(folded.text, folded):
                if (s, e) not in seen:
                    hits.append((s, e, entry))
        return _merge(hits)

    def _scan(self, view: str, projection: _Projection) -> list[tuple[int, int, _Entry]]:
        lexicon = self._lexicon
        found = []
        for m in lexicon.matcher.finditer(view):
            s, e = m.span()
            while e > s and view[e - 1].isspace():
                e -= 1
            if e > s:
                found.append((s, e, lexicon.entries[m.lastindex - 1]))
        if found and lexicon.traps is not None:
            traps = [t.span() for t in lexicon.traps.finditer(view)]
            if traps:
                found = [h for h in found if not any(ts < h[1] and h[0] < te for ts, te in traps)]
        return [(projection.start(s), projection.end(e), entry) for s, e, entry in found]

    def _result(self, text: str, start: int, end: int, entry: _Entry) -> RecognizerResult:
        explanation = AnalysisExplanation(
            recognizer=self.name,
            original_score=entry.score,
            pattern_name=entry.source,
            textual_explanation=f"{entry.entity_type} lexicon ({entry.source})",
        )
        return RecognizerResult(
            entity_type=entry.entity_type,
            start=start,
            end=end,
            score=entry.score,
            analysis_explanation=explanation,
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            },
        )


def _merge(hits: list[tuple[int, int, _Entry]]) -> list[tuple[int, int, _Entry]]:
    """Union overlapping hits of the same type, keeping the highest-scoring entry."""
    out: list[tuple[int, int, _Entry]] = []
    for s, e, entry in sorted(hits, key=lambda h: (h[2].entity_type, h[0], -h[1])):
        if out and out[-1][2].entity_type == entry.entity_type and s < out[-1][1]:
            ps, pe, pentry = out[-1]
            out[-1] = (ps, max(pe, e), pentry if pentry.score >= entry.score else entry)
        else:
            out.append((s, e, entry))
    return sorted(out, key=lambda h: (h[0], h[1]))
