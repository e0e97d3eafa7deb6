"""Step 4: a concrete, readable replacement for each finding.

A person always written with a title reads as Korean writes about someone unnamed: 김성호 교수
… 김 교수 → 한 교수 … 그 교수. Letters (A씨, B 교수) are used where the draft itself writes people
as letters (K교수, Mr. K: those initials are left as they are), where two people share a title,
and for a person mentioned once without a title right after the name. Contacts and IDs are removed; a role becomes a role of the same kind
(수간호사님 → 간호사님), a unit every hospital has stays (응급실), other workplaces and details
are generalised (data/generalisations.tsv).
"""
from __future__ import annotations

import re
import string

from .entities import messages, word
from .findings import Finding
from .lexicon import load_lexicon
from .persons import Person
from .recognizers.regex_base import cue_alternation

_LEXICON = load_lexicon()
#: a hospital named with 대, 대학, Univ: replaced as a university hospital
_UNIVERSITY = re.compile(cue_alternation(_LEXICON.cue("suggest.university_marks")))
#: a title after a name, past an age and sex in brackets (이모(41·남)씨, 박모(35) 교수)
_TITLE_AFTER = re.compile(r"(\s?\([^()\n]{1,12}\))?\s?(" + "|".join(re.escape(t) for t in _LEXICON.titles) + ")")


def assign_labels(persons: list[Person], text: str) -> None:
    """Letters A, B, … in order of first mention, skipping letters used as initials in the draft
    (where letters are what the suggestion uses, see ``_name_suggestions``)."""
    used = set(re.findall(r"(?<![A-Za-z])([A-Z])(?![a-z])", text))
    letters = [c for c in string.ascii_uppercase if c not in used] or list(string.ascii_uppercase)
    lettered = [p for p in persons if any(m.entity_type != "PERSON_INITIAL" for m in p.mentions)]  # K교수 keeps K
    for i, person in enumerate(sorted(lettered, key=lambda p: min(m.start for m in p.mentions))):
        person.label = letters[i % len(letters)] + ("" if i < len(letters) else str(i // len(letters) + 1))


def suggest(findings: list[Finding], persons: list[Person], text: str, language: str) -> None:
    names = _name_suggestions(findings, persons, text, language)
    for f in findings:
        f.reason = word(language, f"reason.{f.entity_type}", f"reason.{f.category}")
        if f.category == "name":
            f.suggestion = names[id(f)]
        elif f.category in ("harm", "contact", "id"):
            f.suggestion = word(language, f"suggestion.{f.entity_type}", f"suggestion.{f.category}")  # fits the kind
        elif f.entity_type == "TRAINING_YEAR":
            f.suggestion = _training_year(f.text, language)
        elif f.entity_type == "HOSPITAL" and _UNIVERSITY.search(f.text):
            f.suggestion = word(language, "suggestion.UNIVERSITY_HOSPITAL")
        elif f.entity_type == "UNIQUE_ROLE":
            f.suggestion = _role_kept(f, text, language) or word(language, "suggestion.UNIQUE_ROLE")
        else:
            general = "suggestion.AFFILIATION" if f.category == "affiliation" else "suggestion.ROLE"
            f.suggestion = _generalised(f, language) or word(language, f"suggestion.{f.entity_type}", general)


def _title(text: str, end: int, direct: bool = False) -> str:
    """The title after a name (교수님 → 교수), or ""; ``direct``: only one right after it, not
    one past brackets (한 교수 reads well, 한 (41·남)씨 does not)."""
    m = _TITLE_AFTER.match(text, end)
    if m is None or (direct and m.group(1)):
        return ""
    return m.group(2).removesuffix("님")


def _name_suggestions(findings: list[Finding], persons: list[Person], text: str, language: str) -> dict[int, str]:
    """The replacement of every name finding (by ``id()``), one person written one way."""
    names = [f for f in findings if f.category == "name"]
    labels = {p.key: p.label for p in persons}
    table = messages(language)
    unnamed = (table["unnamed.first"], table["unnamed.later"]) if "unnamed.first" in table else None
    suffix = table["person_suffix"]
    letters = any(f.entity_type == "PERSON_INITIAL" for f in names)  # the draft writes people as letters
    titles: dict[str, set[str]] = {}  # title -> the persons written with it
    untitled: set[str] = set()  # persons with a mention that has no title right after it
    for f in names:
        direct = _title(text, f.end, direct=True)
        if direct:
            titles.setdefault(direct, set()).add(f.person or "")
        else:
            untitled.add(f.person or "")
    seen: set[str] = set()
    out: dict[int, str] = {}
    for f in sorted(names, key=lambda f: f.start):
        key = f.person or ""
        title = _title(text, f.end)
        direct = _title(text, f.end, direct=True)
        if f.entity_type == "PERSON_INITIAL":
            out[id(f)] = f.text  # already anonymised: re-lettering it would only confuse
        elif unnamed and direct and not letters and len(titles[direct]) == 1 and key not in untitled:
            gap = "" if text[f.end:f.end + 1].isspace() else " "
            out[id(f)] = unnamed[key in seen] + gap
        else:
            label = labels.get(key, "A")
            out[id(f)] = label if title else label + suffix
        seen.add(key)
    return out


def _listed_ending(term: str, table: dict[str, tuple[str, str]], language: str) -> tuple[str, str]:
    """The longest ending of ``term`` listed in ``table`` and its replacement, or ("", "")."""
    for i in range(len(term)):
        entry = table.get(term[i:]) or table.get(term[i:].lower())
        if entry:
            return term[i:], entry[0] if language == "ko" else entry[1]
    return "", ""


def _generalised(f: Finding, language: str) -> str:
    """The listed replacement for the longest listed ending of a role or unit ("=": kept as written)."""
    table = _LEXICON.generalisations.get(f.entity_type)
    if not table:
        return ""
    ending, chosen = _listed_ending(f.text.strip(), table, language)
    return f.text if chosen == "=" else chosen


_PERSON_WORDS = frozenset(_LEXICON.roles) | frozenset(_LEXICON.titles)


def _role_kept(f: Finding, text: str, language: str) -> str:
    """유일한 여자 펠로우 → 한 의사, 3년차 여자 전공의 → 한 전공의, 최연소 교수 → 한 교수: what
    made the person unique goes, the role stays (generalised where data/generalisations.tsv lists it)."""
    term = f.text.strip()
    ending, chosen = _listed_ending(term, _LEXICON.generalisations["ROLE"], language)
    if not chosen:
        ending = next((term[i:] for i in range(1, len(term)) if term[i:] in _PERSON_WORDS and term[i - 1].isspace()), "")
        chosen = ending.removesuffix("님")
    if not chosen or chosen == "=" or ending == term:
        # no role inside; one right after the span: 최연소 교수 → 한 교수
        return word(language, "unnamed.first") if language == "ko" and _title(text, f.end, direct=True) else ""
    if language != "ko":
        return chosen if " " in chosen else "a " + chosen
    return f"{word(language, 'unnamed.first')} {chosen}"


def _training_year(text: str, language: str) -> str:
    """R2 → 전공의, 3년차 → 몇 년차, 본과 3학년 → 의대생, second-year fellow → fellow."""
    lowered = text.lower()
    if language != "ko":
        for trainee in ("fellow", "intern", "student"):
            if trainee in lowered:
                return trainee
        return "trainee"
    if "학년" in text:
        return "의대생"
    if "년차" in text:
        return "몇 년차"
    return "전공의"
