"""Harm recognizer: words that attack a person — insults, sexual rumours, accusations, threats, doxing.

Lexicons are regex stems in ``companion/engine/data/harm/<type>.<script>.tsv`` (format in the README
there). Korean stems match anywhere, so particles and endings may follow (치근덕대는, 더듬었다는,
털어봅시다); English stems are wrapped in letter boundaries and matched case-insensitively. Every
instance loads every lexicon: drafts mix Korean and English whatever language the engine picked.
A hit that overlaps a trap in ``exclusions.*.tsv`` (쓰레기통, 미친 듯이, killer headache) is dropped.

Evasions are folded in a second pass: separators inside a word (시1발, 병.신, zero-width) and spaces
between spelled-out syllables (미 친 놈) are removed in a projection of the text whose offsets map
back to the original; NFD and full-width input are handled the same way.

Speed: each top-level alternative of a lexicon line is compiled on its own, together with its
*anchors* — literal text every match must contain (a rare character, a two-character string, or an
English word beginning). One scan per call finds the anchors; each pattern then runs only in small
windows around its own anchors. Everything is compiled once per process.
"""
from __future__ import annotations

import re
import re._parser as _sre_parse
import unicodedata
from bisect import bisect_right
from collections import defaultdict
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
_ENDING = re.compile("([가-힣])~")
_VERB_FINALS = (0, 4, 8, 16, 17, 20)  # none, ㄴ, ㄹ, ㅁ, ㅂ, ㅆ
_LATIN_WRAP = r"(?<![A-Za-z])(?i:{})(?![A-Za-z])"

_HANGUL = "가-힣ㄱ-ㅎ"
#: characters people put inside a word to dodge filters (시1발, 병.신, 병*신, zero-width)
_INNER_SEPARATORS = r".·ㆍ*_\-~^,'\"`|/\\!:;+=0-9\u00ad\u200b-\u200d\u2060\ufeff"
_INNER_GAP = re.compile(rf"[{_HANGUL}]([{_INNER_SEPARATORS}]{{1,3}})(?=[{_HANGUL}])")
#: a word spelled out one syllable at a time: 미 친 놈, 신 상 털 자, ㅂ ㅅ
_SPACED_RUN = re.compile(
    rf"(?<![{_HANGUL}])[{_HANGUL}](?:[ \t{_INNER_SEPARATORS}]{{1,2}}[{_HANGUL}](?![{_HANGUL}]))+"
)
_RUN_GAP = re.compile(rf"[ \t{_INNER_SEPARATORS}]+")
_ZERO_WIDTH = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
_WORD = re.compile(r"[a-z]+")
_WORD_ANCHOR = 4  # English anchors are the first letters of a word, at most this many
_HANGUL_CHAR = re.compile("[가-힣]")
_LATIN = re.compile("[A-Za-z]")
_HANGUL_RUN = re.compile("[가-힣]*")
#: a base character with the combining marks or conjoining jamo that NFC folds into it
_CLUSTER = re.compile(
    "[^\u0300-\u036f\u1160-\u11ff\ud7b0-\ud7ff][\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff"
    "\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u3099\u309a\u1160-\u11ff\ud7b0-\ud7ff]+"
)
_FOLD_REACH = 16  # an evaded word is short: look this far around each removed separator
_TRAP_REACH = 24  # traps are local: 쓰레기통, 미친 듯이, 불이 꺼져
_LOOKAHEAD = 8  # extra characters after a window so that lookaheads see the real text
_MERGE_GAP = 32  # windows of one pattern this close are scanned as one (fewer calls; same matches)
_FULLWIDTH = re.compile("[\uff01-\uff5e\u3000]+")
_FULLWIDTH_TABLE = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


class LexiconError(ValueError):
    """A harm lexicon line that is not a valid pattern; the message names the file and line."""


@dataclass(frozen=True)
class _Entry:
    entity_type: str
    score: float
    source: str  # "file:line", for the explanation


@dataclass(frozen=True)
class _Branch:
    """One lexicon line, compiled on its own, with what must occur in the text for it to match."""

    entry: _Entry
    regex: re.Pattern
    script: str  # "ko": anchors are rare characters or two-character strings; "en": word beginnings
    anchors: Optional[frozenset[str]]  # None: no anchor found, always scanned over the whole text
    reach: int  # how far a match may extend around one of its anchors


@dataclass(frozen=True)
class _Lexicon:
    branches: tuple[_Branch, ...]
    trigger: Optional[re.Pattern]  # any Korean single-character anchor (a rare character)
    gram_trigger: Optional[re.Pattern]  # first and second characters of the two-character Korean anchors
    by_char: dict[str, tuple[int, ...]]  # Korean anchor -> branch indexes
    word_trigger: Optional[re.Pattern]  # any English anchor, on lowercased text
    by_word: dict[str, tuple[int, ...]]  # English anchor -> branch indexes
    unanchored: tuple[int, ...]  # no usable anchor: scanned over the whole text
    traps: tuple[re.Pattern, ...]
    trap_trigger: Optional[re.Pattern]  # any anchor of a Korean trap
    traps_by_anchor: dict[str, tuple[int, ...]]  # Korean trap anchor -> trap indexes
    latin_traps: tuple[int, ...]  # English traps (and any without an anchor): checked when letters are near


def _data_files() -> dict[str, str]:
    folder = resources.files(_DATA).joinpath(_DIR)
    return {f.name: f.read_text(encoding="utf-8") for f in folder.iterdir() if f.name.endswith((".tsv", ".txt"))}


def _lines(text: str) -> Iterable[tuple[int, str, Optional[str]]]:
    """(line number, first field, second field or None) for each line that is not blank or a comment."""
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pattern, _, rest = line.partition("\t")
        yield number, pattern.strip(), (rest.strip() or None)


def _expand(pattern: str, macros: dict[str, str], where: str) -> str:
    """Substitute {MACRO}s and widen ``X~`` (X a syllable without a final consonant) to X with the
    finals that verb endings add: 가로채~ matches 가로채, 가로챈, 가로챌, 가로챔, 가로챕, 가로챘."""

    def sub(m: re.Match) -> str:
        if m.group(1) not in macros:
            raise LexiconError(f"{where}: unknown macro {{{m.group(1)}}}")
        return macros[m.group(1)]

    return _ENDING.sub(_with_finals, _MACRO.sub(sub, pattern))


def _with_finals(m: re.Match) -> str:
    code = ord(m.group(1)) - 0xAC00
    if code % 28:  # already has a final consonant
        return m.group(1)
    return "[" + "".join(chr(0xAC00 + code + final) for final in _VERB_FINALS) + "]"


def _checked(pattern: str, where: str, flags: int = 0) -> re.Pattern:
    try:
        compiled = re.compile(pattern, flags)
    except re.error as exc:
        raise LexiconError(f"{where}: invalid regex: {exc}") from None
    if compiled.groups:
        raise LexiconError(f"{where}: use (?:...) instead of capturing groups")
    return compiled


# ---- anchors: literal text every match of a pattern must contain --------------------------------
_EXPAND_LIMIT = 400
_MAX_REACH = 48


def _literals(items) -> Optional[set[str]]:
    """Every string a fully literal (sub)pattern can match, or None when it is not that simple."""
    c = _sre_parse
    out = {""}
    for op, av in items:
        if op is c.LITERAL:
            options = {chr(av)}
        elif op is c.IN and all(o is c.LITERAL for o, _ in av):
            options = {chr(v) for _, v in av}
        elif op is c.BRANCH:
            options = set()
            for alt in av[1]:
                sub = _literals(alt)
                if sub is None:
                    return None
                options |= sub
        elif op is c.SUBPATTERN and av[0] is None and not av[1] and not av[2]:
            options = _literals(av[3])
            if options is None:
                return None
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] == 0 and av[1] == 1:
            sub = _literals(av[2])
            if sub is None:
                return None
            options = sub | {""}
        else:
            return None
        if len(out) * len(options) > _EXPAND_LIMIT:
            return None
        out = {a + b for a in out for b in options}
    return out


def _required(items, rank) -> Optional[set[str]]:
    """A set of strings one of which occurs in every match (the best-ranked such set found)."""
    c = _sre_parse
    found: list[set[str]] = []
    run = {""}
    for item in items:
        options = _literals([item])
        if options is not None and len(run) * len(options) <= _EXPAND_LIMIT:
            run = {a + b for a in run for b in options}
            continue
        if "" not in run:
            found.append(run)
        run = {""}
        op, av = item
        sub: Optional[set[str]] = None
        if op is c.SUBPATTERN:
            sub = _required(av[3], rank)
        elif op is c.BRANCH:
            sub = set()
            for alt in av[1]:
                alt_required = _required(alt, rank)
                if alt_required is None:
                    sub = None
                    break
                sub |= alt_required
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
            sub = _required(av[2], rank)
        if sub:
            found.append(sub)
    if "" not in run:
        found.append(run)
    return max(found, key=rank) if found else None


def _korean_anchors(pattern: str, common: frozenset[str]) -> Optional[frozenset[str]]:
    """Per required string its least common character, or its first two characters when all are common.

    A single common character (이, 고) is no anchor at all: the branch is then scanned over the text. Among the
    strings every match needs, those whose anchors are frequent two-character words (사람, 한테) come last.
    """

    def pick(word: str) -> str:
        rare = [ch for ch in word if ch not in common and not ch.isascii()]
        return rare[-1] if rare else word[:2]

    def rank(strings: set[str]) -> tuple:
        picks = {pick(w) for w in strings}
        frequent_pairs = sum(len(x) > 1 and x in common for x in picks)  # 사람, 한테: anchors that are everywhere
        return (-sum(len(x) == 1 and x in common for x in picks), -frequent_pairs, -sum(len(x) > 1 for x in picks),
                -len(picks))

    required = _required(list(_sre_parse.parse(pattern)), rank)
    if not required:
        return None
    picks = frozenset(pick(w) for w in required)
    return None if any(len(x) == 1 and x in common for x in picks) else picks


def _trie(words: Iterable[str]) -> str:
    """An alternation of literal words factored by their first character (fast in ``re``)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for word in sorted(set(words), key=lambda w: (-len(w), w)):
        groups[word[0]].append(word[1:])
    singles = [first for first, rests in groups.items() if rests == [""]]
    alternatives = ["[" + "".join(re.escape(c) for c in sorted(singles)) + "]"] if singles else []
    for first, rests in sorted(groups.items()):
        if rests == [""]:
            continue
        tails = "|".join(re.escape(r) for r in rests)  # longest first, "" last
        alternatives.append(re.escape(first) + "(?:" + tails + ")")
    return "|".join(alternatives)


def _class(chars: Iterable[str]) -> str:
    return "[" + "".join(re.escape(c) for c in sorted(set(chars))) + "]"


def _english_anchors(pattern: str, common: frozenset[str]) -> Optional[frozenset[str]]:
    """Lowercase word beginnings (at most 4 letters) one of which starts a word of every match."""

    def cut(word: str) -> str:
        m = re.match(r"[a-z]+", word.lower())
        return m.group()[:_WORD_ANCHOR] if m else ""

    def rank(strings: set[str]) -> tuple:
        cuts = {cut(w) for w in strings}
        shortest = min(len(x) for x in cuts)
        return ("" not in cuts, shortest >= 3, -sum(w.lower() in common for w in strings), shortest, -len(cuts))

    required = _required(list(_sre_parse.parse(pattern, re.IGNORECASE)), rank)
    if not required:
        return None
    cuts = frozenset(cut(w) for w in required)
    return None if "" in cuts else cuts


def _alternatives(pattern: str) -> list[str]:
    """Split a pattern at its top-level ``|``: each alternative gets its own anchors and prefix scan."""
    parts, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if pattern[i + 1:i + 2] == "]":
                i += 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


def _anchors(pattern: str, script: str, common: frozenset[str]) -> Optional[frozenset[str]]:
    """Anchors for one pattern; None (scan the whole text) if the pattern is beyond the analysis."""
    try:
        return _english_anchors(pattern, common) if script == "en" else _korean_anchors(pattern, common)
    except (re.error, AttributeError, TypeError, ValueError):  # ``re`` internals differ: stay correct, be slower
        return None


def _reach(pattern: re.Pattern) -> int:
    try:
        _, high = _sre_parse.parse(pattern.pattern, pattern.flags).getwidth()
    except (re.error, AttributeError, TypeError, ValueError):
        return _MAX_REACH
    return min(high, _MAX_REACH)


@lru_cache(maxsize=1)
def load_lexicon() -> _Lexicon:
    """Read and compile every harm data file once (shared by all instances)."""
    files = _data_files()
    macros: dict[str, str] = {}
    for number, name, value in _lines(files.get("macros.tsv", "")):
        _checked(value or "", f"macros.tsv:{number}")
        macros[name] = value or ""
    common = frozenset(w for _, line, _ in _lines(files.get("common.txt", "")) for w in line.split())

    branches: list[_Branch] = []
    for stem, entity_type in HARM_TYPES.items():
        for script in _SCRIPTS:
            name = f"{stem}.{script}.tsv"
            for number, pattern, score in _lines(files.get(name, "")):
                where = f"{name}:{number}"
                source = _expand(pattern, macros, where)
                try:
                    value = float(score) if score is not None else 0.7
                except ValueError:
                    raise LexiconError(f"{where}: score must be a number, got {score!r}") from None
                if not 0.0 < value <= 1.0:
                    raise LexiconError(f"{where}: score must be in (0, 1], got {value}")
                entry = _Entry(entity_type, value, where)
                _checked(source, where)
                for alternative in _alternatives(source):
                    wrapped = _LATIN_WRAP.format(alternative) if script == "en" else alternative
                    regex = _checked(wrapped, where)
                    branches.append(_Branch(entry, regex, script, _anchors(alternative, script, common), _reach(regex)))
    if not branches:
        raise LexiconError(f"no harm lexicons found under {_DATA}.{_DIR}")

    by_char: dict[str, list[int]] = defaultdict(list)
    by_word: dict[str, list[int]] = defaultdict(list)
    unanchored: list[int] = []
    for i, branch in enumerate(branches):
        if branch.anchors is None:
            unanchored.append(i)
        else:
            for anchor in branch.anchors:
                (by_char if branch.script == "ko" else by_word)[anchor].append(i)
    singles = [a for a in by_char if len(a) == 1]
    grams = [a for a in by_char if len(a) > 1]
    trigger = re.compile(_trie(singles)) if singles else None  # a character class: scanned in C
    gram_trigger = re.compile(_class(g[0] for g in grams) + "(?=" + _class(g[1] for g in grams) + ")") if grams else None
    word_trigger = re.compile(_trie(by_word)) if by_word else None

    traps: list[re.Pattern] = []
    traps_by_anchor: dict[str, list[int]] = defaultdict(list)
    latin_traps: list[int] = []
    for script in _SCRIPTS:
        name = f"exclusions.{script}.tsv"
        for number, pattern, _ in _lines(files.get(name, "")):
            where = f"{name}:{number}"
            source = _expand(pattern, macros, where)
            _checked(source, where)
            for alternative in _alternatives(source):
                anchors = _anchors(alternative, script, common) if script == "ko" else None
                wrapped = _LATIN_WRAP.format(alternative) if script == "en" else alternative
                traps.append(_checked(wrapped, where))
                if anchors is None:
                    latin_traps.append(len(traps) - 1)
                for anchor in anchors or ():
                    traps_by_anchor[anchor].append(len(traps) - 1)
    return _Lexicon(
        branches=tuple(branches),
        trigger=trigger,
        gram_trigger=gram_trigger,
        by_char={k: tuple(v) for k, v in by_char.items()},
        word_trigger=word_trigger,
        by_word={k: tuple(v) for k, v in by_word.items()},
        unanchored=tuple(unanchored),
        traps=tuple(traps),
        trap_trigger=re.compile(_trie(traps_by_anchor)) if traps_by_anchor else None,
        traps_by_anchor={k: tuple(v) for k, v in traps_by_anchor.items()},
        latin_traps=tuple(latin_traps),
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


class _Clusters(_Projection):
    """Copied segments plus composed clusters: a composed character maps to its whole cluster."""

    def __init__(self, text: str, starts: list[int], origins: list[int], sizes: list[int], linear: list[bool]):
        super().__init__(text, starts, origins)
        self._sizes = sizes  # original length of each segment
        self._linear = linear  # copied (offsets shift) or composed (all map to the cluster)

    def start(self, i: int) -> int:
        k = bisect_right(self._starts, i) - 1
        return self._origins[k] + (i - self._starts[k] if self._linear[k] else 0)

    def end(self, i: int) -> int:
        if i <= 0:
            return self.start(0)
        k = bisect_right(self._starts, i - 1) - 1
        if self._linear[k]:
            return self._origins[k] + (i - self._starts[k])
        return self._origins[k] + self._sizes[k]


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
    pieces: list[str] = []
    starts: list[int] = []
    origins: list[int] = []
    sizes: list[int] = []
    linear: list[bool] = []
    pos = cursor = 0

    def add(piece: str, origin: int, size: int, copied: bool) -> None:
        nonlocal pos
        pieces.append(piece)
        starts.append(pos)
        origins.append(origin)
        sizes.append(size)
        linear.append(copied)
        pos += len(piece)

    for m in _CLUSTER.finditer(text):
        s, e = m.span()
        composed = unicodedata.normalize("NFC", m.group())
        if s > cursor:
            add(text[cursor:s], cursor, s - cursor, True)
        for ch in composed:  # usually one character; each maps to the whole cluster
            add(ch, s, e - s, len(composed) == e - s)
        cursor = e
    if cursor < len(text) or not pieces:
        add(text[cursor:], cursor, len(text) - cursor, True)
    return _Clusters("".join(pieces), starts, origins, sizes, linear)


def _overlapping(pattern: re.Pattern, text: str, lo: int, hi: int) -> Iterable[tuple[int, str]]:
    """(start, match) for every match, including those that overlap an earlier one."""
    m = pattern.search(text, lo, hi)
    while m is not None:
        yield m.start(), m.group()
        m = pattern.search(text, m.start() + 1, hi)


def _removals(text: str) -> list[tuple[int, int]]:
    """Spans to delete so that evasive spellings read as plain words."""
    gaps = [m.span(1) for m in _INNER_GAP.finditer(text)]
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


def _gap_points(removals: list[tuple[int, int]]) -> list[int]:
    """Where each removal sits in the folded text (matches there read across an evasion)."""
    points, removed = [], 0
    for s, e in removals:
        points.append(s - removed)
        removed += e - s
    return points


def _around(points: list[int], reach: int, n: int) -> list[tuple[int, int]]:
    """Merged windows of ``reach`` characters around each point."""
    out: list[tuple[int, int]] = []
    for p in points:
        lo, hi = max(0, p - reach), min(n, p + reach)
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


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
        if _FULLWIDTH.search(view):  # one character for one: offsets unchanged
            view = _FULLWIDTH.sub(lambda m: m.group().translate(_FULLWIDTH_TABLE), view)
        hits = self._scan(view, base, english=True)
        removals = _removals(view)
        if removals:
            fold = _fold(view, removals)
            points = _gap_points(removals)
            limits = _around(points, _FOLD_REACH, len(fold.text))
            seen = {(s, e) for s, e, _ in hits}
            for s, e, entry in self._scan(fold.text, _Chain(base, fold), english=False, limits=limits,
                                          must_cross=points):
                if (s, e) not in seen:
                    hits.append((s, e, entry))
        return _merge(hits)

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

    def _scan(self, view: str, projection: _Projection, english: bool,
              limits: Optional[list[tuple[int, int]]] = None,
              must_cross: Optional[list[int]] = None) -> list[tuple[int, int, _Entry]]:
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
        found: list[tuple[int, int, _Entry]] = []
        for i, windows in spans.items():
            branch = branches[i]
            for lo, hi in windows:
                for m in branch.regex.finditer(view, lo, hi):
                    s, e = m.span()
                    while e > s and view[e - 1].isspace():
                        e -= 1
                    if e > s:
                        if _HANGUL_CHAR.match(view, e - 1):  # a stem: cover the rest of its word
                            e = _HANGUL_RUN.match(view, e).end()
                        found.append((s, e, branch.entry))
        if must_cross is not None:
            found = [h for h in found if any(h[0] < p < h[1] for p in must_cross)]
        if found and lexicon.traps:
            verdict: dict[tuple[int, int], bool] = {}
            for s, e, _ in found:
                if (s, e) not in verdict:
                    verdict[(s, e)] = self._trapped(view, s, e)
            found = [h for h in found if not verdict[(h[0], h[1])]]
        return [(projection.start(s), projection.end(e), entry) for s, e, entry in found]

    def _trapped(self, view: str, start: int, end: int) -> bool:
        """Whether the hit overlaps a trap (쓰레기통, 미친 듯이, killer headache) near it."""
        lexicon = self._lexicon
        lo, hi = max(0, start - _TRAP_REACH), min(len(view), end + _TRAP_REACH)
        candidates: set[int] = set()
        if lexicon.trap_trigger is not None:
            by_anchor = lexicon.traps_by_anchor
            for _, anchor in _overlapping(lexicon.trap_trigger, view, lo, hi):
                candidates.update(by_anchor.get(anchor, ()))
                candidates.update(by_anchor.get(anchor[0], ()))  # "x" hides behind a longer "xy"
        if lexicon.latin_traps and _LATIN.search(view, lo, hi):
            candidates.update(lexicon.latin_traps)
        for k in candidates:
            for t in lexicon.traps[k].finditer(view, lo, hi):
                if t.start() < end and start < t.end():
                    return True
        return False

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
