"""The harm lexicon's own evidence, read from the data: every concept in
``companion/engine/data/harm/*.tsv`` matches its ``match`` sentences and leaves its
``no_match`` near-misses alone. One test per concept; adding an entry adds its checks."""
from __future__ import annotations

import pytest

from companion.engine.recognizers.harm_lexicon import load_lexicon
from companion.engine.recognizers.harm_match import LexiconMatcher

LEXICON = load_lexicon()
MATCHER = LexiconMatcher(LEXICON)


def _file(source: str) -> str:
    return source.split(":")[0]


def _hits_of(concept, text: str) -> list[str]:
    return [text[s:e] for s, e, entry in MATCHER.find_all(text)
            if entry.concept == concept.name and _file(entry.source) == _file(concept.source)]


@pytest.mark.parametrize("concept", LEXICON.concepts, ids=lambda c: f"{c.source} {c.name}")
def test_concept_matches_its_examples_and_not_its_near_misses(concept) -> None:
    assert concept.matches, f"{concept.source}: concept {concept.name!r} has no match: example"
    assert concept.no_matches, f"{concept.source}: concept {concept.name!r} has no no_match: near-miss"
    for sentence in concept.matches:
        assert _hits_of(concept, sentence), f"{concept.source} {concept.name!r} should match: {sentence!r}"
    for sentence in concept.no_matches:
        hits = _hits_of(concept, sentence)
        assert not hits, f"{concept.source} {concept.name!r} should not match {sentence!r}: {hits}"


def test_every_pattern_belongs_to_a_concept_of_its_file() -> None:
    names = {(_file(c.source), c.name) for c in LEXICON.concepts}
    for branch in LEXICON.branches:
        assert (_file(branch.entry.source), branch.entry.concept) in names, branch.entry.source
    # concepts, not batches: one heading per idea in a file
    per_file = [(_file(c.source), c.name) for c in LEXICON.concepts]
    assert len(per_file) == len(set(per_file))


def test_a_pattern_before_any_concept_and_an_empty_example_are_errors() -> None:
    from companion.engine.recognizers.harm_lexicon import LexiconError, _data_files, compile_lexicon

    files = _data_files()
    with pytest.raises(LexiconError, match="insult.ko.tsv:1: a pattern before"):
        compile_lexicon({**files, "insult.ko.tsv": "미친놈\t0.8\n"})
    with pytest.raises(LexiconError, match="insult.ko.tsv:2: match needs"):
        compile_lexicon({**files, "insult.ko.tsv": "## 욕설\nmatch\t\n미친놈\t0.8\n"})


def test_every_repeat_is_bounded() -> None:
    """Linear time: no pattern or trap has an open-ended repeat (+, *), only {m,n}."""
    import re._parser as sre

    def unbounded(items) -> bool:
        for op, av in items:
            if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
                if av[1] is sre.MAXREPEAT or unbounded(av[2]):
                    return True
            elif op is sre.SUBPATTERN and unbounded(av[3]):
                return True
            elif op is sre.BRANCH and any(unbounded(alt) for alt in av[1]):
                return True
            elif op in (sre.ASSERT, sre.ASSERT_NOT) and unbounded(av[1]):
                return True
        return False

    patterns = [b.regex for b in LEXICON.branches] + list(LEXICON.traps)
    offenders = [p.pattern[:60] for p in patterns if unbounded(sre.parse(p.pattern, p.flags))]
    assert offenders == []
