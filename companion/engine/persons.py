"""Step 3a: group name mentions into persons and decide who the draft identifies.

Mentions of one person share a key: 김성호 … 김 교수 … 김OO share the surname when only one
full name has it; 성호쌤 joins 김성호; ㄱㅅㅎ joins the full name with those initials.
Affiliations and details are findings only when they point at an identified person: a
hospital in a post about no one is not a finding. A draft with no name can still identify
someone through a combination (hospital or department + a unique role or training year).
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from .findings import Finding
from .lexicon import Lexicon
from .recognizers.regex_base import cue_alternation

_CHOSUNG = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_STRONG_NAME = {"PERSON_FULL_NAME", "PERSON_ROSTER", "PERSON_GIVEN_NAME", "PERSON_CHOSUNG", "PERSON_ROMANIZED",
                "PERSON_MASKED_NAME", "PERSON_SURNAME_TITLE", "PERSON_INITIAL"}
#: how far (code points) an affiliation/detail may sit from a mention of the person it describes
WINDOW = 160
#: the same for a combination (no name): only what sits right next to it describes that person
COMBO_WINDOW = 40


@dataclass
class Person:
    key: str
    label: str = ""  # placeholder letter, assigned by ``suggest``
    mentions: list[Finding] = field(default_factory=list)


def _chosung(name: str) -> str:
    out = []
    for ch in name:
        code = ord(ch) - 0xAC00
        if not 0 <= code < 11172:
            return ""
        out.append(_CHOSUNG[code // 588])
    return "".join(out)


def _clean(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum() and ch not in "OXㅇ○◯△□ㅁ")


def group_persons(names: list[Finding], surnames: frozenset[str]) -> list[Person]:
    persons: dict[str, Person] = {}
    full: dict[str, str] = {}  # full name -> key

    def add(key: str, f: Finding) -> None:
        persons.setdefault(key, Person(key)).mentions.append(f)
        f.person = key

    for f in names:
        if f.entity_type in ("PERSON_FULL_NAME", "PERSON_ROSTER"):
            name = _clean(f.text)
            full.setdefault(name, f"p{len(full) + 1}")
    # the full names by ending, chosung and first syllables, looked up per mention (a draft with
    # thousands of names must not compare every mention with every full name)
    by_ending: dict[str, str] = {}  # ending -> the first full name with it
    by_chosung: dict[str, list[str]] = {}
    by_start: dict[str, list[str]] = {}
    for n, k in full.items():
        for size in range(1, len(n) + 1):
            by_ending.setdefault(n[-size:], k)
        by_chosung.setdefault(_chosung(n), []).append(k)
        for size in {1, 2} & set(range(1, len(n) + 1)):
            by_start.setdefault(n[:size], []).append(k)
    for f in sorted(names, key=lambda f: f.start):
        name = _clean(f.text)
        if f.entity_type in ("PERSON_FULL_NAME", "PERSON_ROSTER"):
            add(full[name], f)
            continue
        if f.entity_type == "PERSON_GIVEN_NAME":
            owner = by_ending.get(name) if name else next(iter(full.values()), None)
            add(owner or "g:" + name, f)
            continue
        if f.entity_type == "PERSON_CHOSUNG":
            owners = by_chosung.get(name, [])
            add(owners[0] if len(owners) == 1 else "c:" + name, f)
            continue
        if f.entity_type == "PERSON_ROMANIZED":
            add("r:" + " ".join(f.text.lower().replace("-", "").split()), f)
            continue
        surname = next((name[:n] for n in (2, 1) if name[:n] in surnames), "")
        if surname:
            owners = by_start.get(surname, [])
            add(owners[0] if len(owners) == 1 else "s:" + surname, f)
        else:
            add("i:" + name.upper(), f)
    # a bare romanized surname (Dr. Park) joins the one romanized full name with that surname
    by_word: dict[str, set[str]] = {}  # first or last word -> the romanized full names with it
    for k in persons:
        words = k[2:].split()
        if k.startswith("r:") and len(words) > 1:
            for word in {words[0], words[-1]}:
                by_word.setdefault(word, set()).add(k)
    for key in [k for k in persons if k.startswith("r:") and len(k.split()) == 1]:
        matches = sorted(by_word.get(key[2:], ()))
        if len(matches) == 1:
            for f in persons.pop(key).mentions:
                f.person = matches[0]
                persons[matches[0]].mentions.append(f)
    return list(persons.values())


def combination_subject(findings: list[Finding], unique_roles: frozenset[str]) -> list[Finding]:
    """With no name, a combination can still single someone out: a one-of-a-kind role (유일한 여자
    펠로우, 남자 간호사, 치프, 수간호사) at a workplace, or a training year at a hospital *and*
    department (세브란스 흉부외과 3년차). A hospital with a year alone is a crowd."""
    places = [f for f in findings if f.category == "affiliation"]
    by_end = sorted((p.end, i) for i, p in enumerate(places))
    by_start = sorted((p.start, i) for i, p in enumerate(places))
    hits: list[Finding] = []
    for d in findings:
        if d.category != "detail":
            continue
        # places ending up to 40 characters before it or starting up to 10 after it, in text order
        close = {i for _, i in _pairs_between(by_end, d.start - 40, d.start)}
        close |= {i for _, i in _pairs_between(by_start, d.end, d.end + 10)}
        near = [places[i] for i in sorted(close)]
        if not near:
            continue
        unique = d.entity_type == "UNIQUE_ROLE" or (d.entity_type == "ROLE" and d.text.lower() in unique_roles)
        if d.entity_type != "UNIQUE_ROLE":  # a bare unit (간호부, 약제부) is only a place for "유일한 …"
            near = [p for p in near if p.entity_type != "UNIT"]
        parts = sum(p.extra.get("parts", 1) for p in near)
        # a department alone is in every hospital: "응급의학과 치프" asks about a job, not a person
        if unique and all(p.entity_type == "DEPARTMENT" for p in near) and d.entity_type != "UNIQUE_ROLE":
            continue
        if unique or (d.entity_type == "TRAINING_YEAR" and parts >= 2):
            hits.extend(near + [d])
    return hits


def keep_pointing(findings: list[Finding], anchors: list[Finding], window: int = WINDOW) -> list[Finding]:
    """Affiliation/detail findings within ``window`` of an anchor (a name or an identifying combination)."""
    if not anchors:
        return []
    starts = sorted(a.start for a in anchors)
    ends = sorted(a.end for a in anchors)
    return [f for f in findings if _between(starts, f.start - window, f.start + window)
            or _between(ends, f.end - window, f.end + window)]


def _pairs_between(pairs: list[tuple[int, int]], low: int, high: int) -> list[tuple[int, int]]:
    """The (position, index) pairs of the sorted list ``pairs`` with a position from ``low`` to ``high``."""
    return pairs[bisect_left(pairs, (low, -1)):bisect_right(pairs, (high, len(pairs)))]


def _between(values: list[int], low: int, high: int) -> list[int]:
    """The values of the sorted list ``values`` from ``low`` to ``high`` (bisection: a draft with
    thousands of names and workplaces compares each with its neighbours only, not with all)."""
    return values[bisect_left(values, low):bisect_right(values, high)]


def drop_weak_context(findings: list[Finding], names: list[Finding], lexicon: Lexicon,
                      text: str = "") -> list[Finding]:
    """Affiliation/detail findings that carry no identifying weight on their own.

    A role right after a name is the name's title (신 수간호사님), a bare unit (외래, 의국, OR) or a
    generic role (펠로우, 전문의) alone describes a crowd, not a person — unless it is written as
    the person's label: right before a name (책임간호사 봉OO, PICU 한OO 선생) or right after the
    department, hospital or year that makes it one post (산부인과 펠로우, 2년차 펠로우).
    """
    unique_roles = lexicon.unique_roles
    venue = _venue(lexicon.cue("persons.venues"))
    self_intro = _self_intro(lexicon.cue("persons.self_words"), lexicon.cue("persons.self_adverbs"))
    name_ends = sorted(n.end for n in names)
    name_starts = sorted(n.start for n in names)
    anchor_ends = sorted(f.end for f in findings
                         if (f.category == "affiliation" and f.entity_type != "UNIT") or f.entity_type == "TRAINING_YEAR")

    def before_name(f: Finding) -> bool:
        return any(_LABEL_GAP.fullmatch(text[f.end:s]) for s in _between(name_starts, f.end, f.end + 3))

    def after_anchor(f: Finding) -> bool:
        return any(text[e:f.start].strip() == "" for e in _between(anchor_ends, f.start - 2, f.start))

    kept = []
    for f in findings:
        if text and f.entity_type != "HOSPITAL" and self_intro.search(text, max(0, f.start - 16), f.start):
            continue  # the writer describing themself: "저는 마취과 쪽 사람이라", "I'm a second-year …"
            # (their hospital stays: it is usually the subject's too)
        if text and f.category == "affiliation" and venue.match(text, f.end):
            continue  # a hospital as a place to go (장례식장, 주차장), not where the person works
        labelled = bool(text) and before_name(f)
        if f.entity_type == "ROLE":
            if _between(name_ends, f.start - 1, f.start):
                continue  # the name's title
            if not (f.text.lower() in unique_roles or labelled or (text and after_anchor(f))):
                continue
        if f.entity_type == "UNIT" and not labelled:
            continue
        kept.append(f)
    return kept


@lru_cache(maxsize=4)
def _venue(venues: tuple[str, ...]) -> re.Pattern[str]:
    """What after a hospital makes it a venue: 을지대병원 장례식장, 세브란스 주차장."""
    return re.compile(rf"\s?{cue_alternation(venues)}", re.I)


@lru_cache(maxsize=4)
def _self_intro(self_words: tuple[str, ...], adverbs: tuple[str, ...]) -> re.Pattern[str]:
    """The writer introducing themself right before a workplace or detail."""
    return re.compile(rf"(?:(?<![가-힣]){cue_alternation(self_words)}(?:\s{cue_alternation(adverbs)})?"
                      r"|\bI(?:'m| am)(?:\s(?:now|currently|also))?(?:\s(?:a|an|the))?"
                      r"|\bI\swork\s(?:at|in))\s$")
#: what may stand between a label and the name it labels: a space, a colon
_LABEL_GAP = re.compile(r"\s?[:：]?\s?")
