"""The harm lexicon as data: loading and compiling ``companion/engine/data/harm/*.tsv``.

Each file holds one kind of harm in one script (``insult.ko.tsv`` → ``HARM_INSULT``), in sections
by *concept* (``## 의료 기록 조작``). A concept carries its patterns (``regex<TAB>score``) and its
evidence: sentences it must match (``match<TAB>…``) and near-misses it must not (``no_match<TAB>…``);
``tests/test_harm_lexicon.py`` reads them all. Korean patterns are stems (particles and endings may
follow; ``X~`` widens a syllable by the finals endings add; ``{MACRO}``s come from ``macros.tsv``);
English patterns are wrapped in letter boundaries and matched case-insensitively. Traps
(``exclusions.*.tsv``) are compiled here too: a hit overlapping one is dropped by the matcher.

Speed: each top-level alternative of a pattern is compiled on its own, together with its
*anchors* — literal text every match must contain (a rare character, a two-character string, or an
English word beginning) — so the matcher runs a pattern only in small windows around its anchors.
Everything is compiled once per process.
"""
from __future__ import annotations

import re
import re._parser as _sre_parse
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Iterable, Optional

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
SCRIPTS = ("ko", "en")
_MACRO = re.compile(r"\{([A-Z][A-Z_]*)\}")
_ENDING = re.compile("([가-힣])~")
_VERB_FINALS = (0, 4, 8, 16, 17, 20)  # none, ㄴ, ㄹ, ㅁ, ㅂ, ㅆ
_LATIN_WRAP = r"(?<![A-Za-z])(?i:{})(?![A-Za-z])"
_WORD_ANCHOR = 4  # English anchors are the first letters of a word, at most this many
_EXAMPLE_KEYS = ("match", "no_match")


class LexiconError(ValueError):
    """A harm lexicon line that is not a valid pattern; the message names the file and line."""


@dataclass(frozen=True)
class Entry:
    entity_type: str
    score: float
    source: str  # "file:line", for the explanation
    concept: str  # the section it belongs to


@dataclass(frozen=True)
class Concept:
    """A section of a lexicon file: one idea, its patterns' entries and its evidence."""

    name: str
    entity_type: str
    source: str  # "file:line" of its heading
    matches: tuple[str, ...]
    no_matches: tuple[str, ...]


@dataclass(frozen=True)
class Branch:
    """One lexicon line, compiled on its own, with what must occur in the text for it to match."""

    entry: Entry
    regex: re.Pattern
    script: str  # "ko": anchors are rare characters or two-character strings; "en": word beginnings
    anchors: Optional[frozenset[str]]  # None: no anchor found, always scanned over the whole text
    reach: int  # how far a match may extend around one of its anchors


@dataclass(frozen=True)
class Lexicon:
    branches: tuple[Branch, ...]
    concepts: tuple[Concept, ...]
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
    """(line number, first field, second field or None) for each line that is not blank or a comment.
    A concept heading ``## name`` is yielded as ("##", name)."""
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip("\r\n")
        if line.startswith("## "):
            yield number, "##", line[3:].strip()
            continue
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


def _concept(fields: dict) -> Concept:
    return Concept(fields["name"], fields["type"], fields["source"], tuple(fields["match"]), tuple(fields["no_match"]))


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """Read and compile every harm data file once (shared by all instances)."""
    return compile_lexicon(_data_files())


def compile_lexicon(files: dict[str, str]) -> Lexicon:
    """Compile lexicon files given as {file name: text}."""
    macros: dict[str, str] = {}
    for number, name, value in _lines(files.get("macros.tsv", "")):
        _checked(value or "", f"macros.tsv:{number}")
        macros[name] = value or ""
    common = frozenset(w for _, line, _ in _lines(files.get("common.txt", "")) for w in line.split())

    branches: list[Branch] = []
    concepts: list[Concept] = []
    for stem, entity_type in HARM_TYPES.items():
        for script in SCRIPTS:
            name = f"{stem}.{script}.tsv"
            concept: Optional[dict] = None
            for number, pattern, score in _lines(files.get(name, "")):
                where = f"{name}:{number}"
                if pattern == "##":
                    if concept is not None:
                        concepts.append(_concept(concept))
                    concept = {"name": score or "", "type": entity_type, "source": where, "match": [], "no_match": []}
                    continue
                if concept is None:
                    raise LexiconError(f"{where}: a pattern before the first concept heading (## name)")
                if pattern in _EXAMPLE_KEYS:
                    if not score:
                        raise LexiconError(f"{where}: {pattern} needs an example sentence after the tab")
                    concept[pattern].append(score)
                    continue
                source = _expand(pattern, macros, where)
                try:
                    value = float(score) if score is not None else 0.7
                except ValueError:
                    raise LexiconError(f"{where}: score must be a number, got {score!r}") from None
                if not 0.0 < value <= 1.0:
                    raise LexiconError(f"{where}: score must be in (0, 1], got {value}")
                entry = Entry(entity_type, value, where, concept["name"])
                _checked(source, where)
                for alternative in _alternatives(source):
                    wrapped = _LATIN_WRAP.format(alternative) if script == "en" else alternative
                    regex = _checked(wrapped, where)
                    branches.append(Branch(entry, regex, script, _anchors(alternative, script, common), _reach(regex)))
            if concept is not None:
                concepts.append(_concept(concept))
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
    for script in SCRIPTS:
        name = f"exclusions.{script}.tsv"
        for number, pattern, _ in _lines(files.get(name, "")):
            if pattern == "##" or pattern in _EXAMPLE_KEYS:
                continue
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
    return Lexicon(
        branches=tuple(branches),
        concepts=tuple(concepts),
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


