"""Each recognizer on its own, in Presidio's style: built from the shipped lexicon, given mecab's
artifacts, asked for its own entity types; what it must find and what it must leave alone is
data, one file per recognizer (``tests/recognizers/<recognizer>.tsv``), as kiwipiepy's test sets:

    expected<TAB>sentence[<TAB>language]

``expected`` is every result the recognizer gives at or above the engine's threshold, as
``ENTITY_TYPE:text`` joined by `` | `` (in any order), or ``-`` for none; ``language`` is ``ko``
unless given; ``\n`` and ``\t`` in a sentence are a line break and a tab (chat exports). The
engine's later stages (word boundaries, grouping, context) are not applied:
this is the recognizer's own answer.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest
from presidio_analyzer import EntityRecognizer

from companion.engine.engine import MIN_SCORE
from companion.engine.lexicon import load_lexicon
from companion.engine.nlp import MecabNlpEngine
from companion.engine.recognizers.affiliation import affiliation_recognizer
from companion.engine.recognizers.contact import contact_recognizers
from companion.engine.recognizers.details import detail_recognizer
from companion.engine.recognizers.english_names import english_name_recognizer
from companion.engine.recognizers.harm import HarmRecognizer
from companion.engine.recognizers.identifiers import id_recognizers
from companion.engine.recognizers.korean_names import KoreanNameRecognizer
from companion.engine.recognizers.learned_names import LearnedNameRecognizer
from companion.engine.recognizers.roster import roster_recognizer
from companion.engine.registry import LANGUAGES

CASES = Path(__file__).resolve().parent / "recognizers"
#: the roster the roster recognizer's cases are written for
ROSTER = ["김민수", "박지영"]

BUILDERS = {
    "contact": lambda lex, lang: contact_recognizers(lex, lang),
    "identifiers": lambda lex, lang: id_recognizers(lex, lang),
    "affiliation": lambda lex, lang: [affiliation_recognizer(lex, lang)],
    "details": lambda lex, lang: [detail_recognizer(lex, lang)],
    "english_names": lambda lex, lang: [english_name_recognizer(lex, lang)],
    "korean_names": lambda lex, lang: [KoreanNameRecognizer(lex, supported_language=lang)],
    "learned_names": lambda lex, lang: [LearnedNameRecognizer(KoreanNameRecognizer(lex, supported_language=lang), lex, lang)],
    "roster": lambda lex, lang: [roster_recognizer(ROSTER, lang)],
    "harm": lambda lex, lang: [HarmRecognizer(supported_language=lang, lexicon=lex)],
}


@lru_cache(maxsize=None)
def recognizers(name: str, language: str) -> tuple[EntityRecognizer, ...]:
    built = BUILDERS[name](load_lexicon(), language)
    for recognizer in built:
        recognizer.load()
    return tuple(built)


@lru_cache(maxsize=1)
def nlp() -> MecabNlpEngine:
    engine = MecabNlpEngine(LANGUAGES, load_lexicon())
    engine.load()
    return engine


def read_cases() -> list:
    cases = []
    for path in sorted(CASES.glob("*.tsv")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            expected, sentence, *rest = line.split("\t")
            sentence = sentence.replace("\\n", "\n").replace("\\t", "\t")
            language = rest[0] if rest else "ko"
            want = set() if expected == "-" else {tuple(item.strip().split(":", 1)) for item in expected.split(" | ")}
            cases.append(pytest.param(path.stem, sentence, language, want, id=f"{path.stem}:{number}"))
    return cases


def found(name: str, sentence: str, language: str) -> set[tuple[str, str]]:
    artifacts = nlp().process_text(sentence, language)
    out = set()
    for recognizer in recognizers(name, language):
        for r in recognizer.analyze(sentence, recognizer.supported_entities, artifacts):
            if r.score >= MIN_SCORE:
                out.add((r.entity_type, sentence[r.start:r.end]))
    return out


def test_every_recognizer_has_its_cases():
    assert sorted(p.stem for p in CASES.glob("*.tsv")) == sorted(BUILDERS)


@pytest.mark.parametrize("name, sentence, language, expected", read_cases())
def test_recognizer_finds_what_its_cases_say(name, sentence, language, expected):
    assert found(name, sentence, language) == expected
