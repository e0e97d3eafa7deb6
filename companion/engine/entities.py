"""One table of what the engine knows about each entity type, and the words it uses for them.

``data/entities.tsv``: a type's API category and whether it names a merged workplace/detail;
``data/messages/<language>.tsv``: its suggestion, its reason, and the words of risk reasons.
Everything else (findings, redaction, suggestions, risk) reads them from here.
"""
from __future__ import annotations

from functools import lru_cache

from .lexicon import read_list

#: Presidio results below this never become findings (Presidio's KR ID recognizers emit
#: low-confidence guesses for any digit run until context raises them).
MIN_SCORE = 0.4
CATEGORIES = ("name", "contact", "id", "affiliation", "detail", "harm")
IDENTITY = ("name", "contact", "id", "affiliation", "detail")
#: when identity findings overlap, the higher rank wins (then the longer span, then the score)
RANK = {"contact": 5, "id": 5, "name": 4, "affiliation": 2, "detail": 2, "harm": 0}
LANGUAGES = ("ko", "en")


@lru_cache(maxsize=1)
def _types() -> dict[str, tuple[str, int | None]]:
    table: dict[str, tuple[str, int | None]] = {}
    for line in read_list("entities.tsv"):
        name, category, merge = line.split("\t")
        if category not in CATEGORIES:
            raise ValueError(f"entities.tsv: {name}: unknown category {category!r}")
        table[name] = (category, None if merge == "-" else int(merge))
    return table


def category_of(entity_type: str) -> str:
    """The API category of an entity type. A type nobody listed comes from a recognizer someone
    added to the registry to catch something specific: it is reported as an identifier."""
    known = _types().get(entity_type)
    if known:
        return known[0]
    if entity_type.startswith("PERSON_"):
        return "name"
    if entity_type.startswith("HARM_"):
        return "harm"
    return "id"


def merged_type(first: str, second: str) -> str:
    """The entity type of two merged neighbours: the more telling one (the first on a tie)."""
    def rank(t: str) -> float:
        merge = _types().get(t, ("", None))[1]
        return float("inf") if merge is None else merge
    return second if rank(second) < rank(first) else first


@lru_cache(maxsize=len(LANGUAGES))
def messages(language: str) -> dict[str, str]:
    """key → text in ``language`` (English for a language we have no words for)."""
    lang = language if language in LANGUAGES else "en"
    out: dict[str, str] = {}
    for line in read_list(f"messages/{lang}.tsv"):
        key, _, text = line.partition("\t")
        out[key] = text
    return out


def word(language: str, *keys: str) -> str:
    """The first of ``keys`` that has words in ``language`` (the last key must exist)."""
    table = messages(language)
    for key in keys[:-1]:
        if key in table:
            return table[key]
    return table[keys[-1]]
