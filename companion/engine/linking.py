"""Step 2c: linking — findings that only exist because of another finding.

Presidio's recognizers each see the text alone; what depends on a name already found is linked
here, in one place: a later bare surname of a romanized full name (Prof. Seonwoo Jiho … Seonwoo)
and an age written right after a name (이수진(34)).
"""
from __future__ import annotations

import re

from functools import lru_cache

from .findings import Finding
from .lexicon import Lexicon, load_lexicon
from .recognizers.regex_base import cue_alternation


@lru_cache(maxsize=4)
def _age_after(honorifics: tuple[str, ...], sexes: tuple[str, ...], age_units: tuple[str, ...]) -> re.Pattern[str]:
    """An age written right after a name: "Baek Sangho, 77," · "이수진(34)" · "김모씨(남/45)"."""
    return re.compile(rf"(?:\s?{cue_alternation(honorifics)})?(?:,\s?|\s?\((?:{cue_alternation(sexes)}\s?/\s?)?)(\d{{2,3}})"
                      rf"(?=\s?(?:,|\)|/|[MF]\b|{cue_alternation(age_units)}|y/?o\b|years?\b))")


def ages_after_names(text: str, names: list[Finding], lexicon: Lexicon) -> list[Finding]:
    """Ages attached to a name (the detail recognizer cannot see names)."""
    age_after = _age_after(lexicon.cue("linking.honorifics"), lexicon.cue("linking.sexes"), lexicon.cue("linking.age_units"))
    out = []
    for n in names:
        m = age_after.match(text, n.end)
        if m is not None:
            out.append(Finding("AGE_GENDER", "detail", m.start(1), m.end(1), 0.6, m.group(1)))
    return out


def romanized_repeats(text: str, found: list[Finding]) -> list[Finding]:
    """Once "Prof. Seonwoo Jiho" is found, a later bare "Seonwoo" is the same person (English
    drafts repeat the surname alone). The surname is the word of the full name that is a known
    romanized surname; mentions already found are left alone."""
    lex = load_lexicon()
    surnames = set()
    for f in found:
        if f.entity_type == "PERSON_ROMANIZED" and " " in f.text.strip():
            words = f.text.split()
            surnames.update(w for w in (words[0], words[-1]) if w in lex.romanized_surnames and len(w) >= 3)
            surnames.update(w for w in words[:1] if w in lex.western_given_names)  # Sarah Kim … Sarah
    if not surnames:
        return []
    taken = [(f.start, f.end) for f in found]
    out = []
    for m in re.finditer(r"\b(?:" + "|".join(sorted(map(re.escape, surnames), key=len, reverse=True)) + r")\b(?![-'’][a-z])", text):
        if not any(s < m.end() and m.start() < e for s, e in taken):
            out.append(Finding("PERSON_ROMANIZED", "name", m.start(), m.end(), 0.7, m.group()))
    return out
