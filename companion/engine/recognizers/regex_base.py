"""A Presidio EntityRecognizer for regexes whose reported span is one named group.

``PatternRecognizer`` reports the whole match; Korean needs context *inside* the regex
(면허번호 12345, 카톡 아이디 abc_12) while only the value is the finding. Each rule is
``(entity_type, compiled regex with a group named "v" — or "w" in a second alternative — or
none for the whole match, score)`` and a ``name`` of its own;
an optional ``veto`` callable drops a match by looking at the text around it, and an optional
``hint`` (a cheap regex) skips a rule on drafts that cannot contain a match. Every result
carries Presidio's ``AnalysisExplanation`` naming its rule, as ``PatternRecognizer``'s name
their ``Pattern``.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Callable, Iterable

from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from ...budget import out_of_time
from ..findings import stripped
from .explanation import explanation


@dataclass(frozen=True)
class Rule:
    entity_type: str
    regex: re.Pattern[str]
    score: float
    veto: Callable[[str, int, int], bool] | None = None
    #: a cheap regex that must occur somewhere in the text for the rule to be worth running
    hint: re.Pattern[str] | None = None
    #: what the rule looks for, stable and unique within its recognizer (``contact.kr_mobile``):
    #: the ``pattern_name`` of its results' explanation
    name: str = field(kw_only=True)


class GroupRegexRecognizer(EntityRecognizer):
    def __init__(self, name: str, rules: list[Rule], supported_language: str = "ko") -> None:
        names = [r.name for r in rules]
        if not all(names) or len(set(names)) != len(names):
            raise ValueError(f"{name}: every rule needs a name of its own, got {names}")
        self.rules = rules
        super().__init__(supported_entities=sorted({r.entity_type for r in rules}), name=name,
                         supported_language=supported_language)

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None) -> list[RecognizerResult]:
        results = []
        for rule in self.rules:
            if out_of_time(self.name):
                break
            if (entities and rule.entity_type not in entities) or (rule.hint is not None and rule.hint.search(text) is None):
                continue
            for m in rule.regex.finditer(text):
                group = next((g for g in ("v", "w") if g in rule.regex.groupindex and m.start(g) >= 0), None)
                # no whitespace at the ends: an allowed term is compared with the whole span
                start, end = stripped(text, *(m.span(group) if group else m.span()))
                if start < 0 or end <= start:
                    continue
                if rule.veto is not None and rule.veto(text, start, end):
                    continue
                results.append(RecognizerResult(rule.entity_type, start, end, rule.score,
                                                analysis_explanation=self._explain(rule)))
        return results

    def _explain(self, rule: Rule) -> AnalysisExplanation:
        return explanation(self.name, rule.name, rule.score, pattern=rule.regex.pattern)


def literal_alternation(words, space: str | None = None) -> str:
    """An alternation of literal words (longest first), led by a lookahead on their first
    characters so the regex engine skips most positions without trying every alternative.

    With ``space`` (a regex such as ``\\s?``), a space inside a word matches that instead: the cue
    lists write ``올 초`` for 올초 and 올 초."""
    words = sorted(set(words), key=len, reverse=True)
    first = "".join(sorted({re.escape(w[0]) for w in words}))
    escaped = (re.escape(w) if space is None else space.join(re.escape(part) for part in w.split(" ")) for w in words)
    return rf"(?=[{first}])(?:" + "|".join(escaped) + ")"


def cue_alternation(words) -> str:
    """:func:`literal_alternation` of a cue list, a space in an entry being an optional space."""
    return literal_alternation(words, space=r"\s?")


def word_end(lexicon) -> str:
    """A lookahead for the end of a Korean word that a particle may be glued to: 세브란스에서,
    3년차가, 305호에 (a particle of ``Lexicon.particles``, or none, and then no more Hangul)."""
    return rf"(?=(?:{literal_alternation(lexicon.particles)})?(?![가-힣]))"


def cue_alternations(lexicon, recognizer: str) -> Callable[[str], str]:
    """``cue("events")``: the alternation of the ``<recognizer>.events`` cue list
    (``data/cues/<recognizer>.txt``, section ``[events]``)."""
    return lambda name: cue_alternation(lexicon.cue(f"{recognizer}.{name}"))


class SpanIndex:
    """Spans (anything with ``start`` and ``end``: results, speakers) sorted by start, to find
    those overlapping a span without scanning them all."""

    def __init__(self, spans: Iterable) -> None:
        self._sorted = sorted(spans, key=lambda r: r.start)
        self._starts = [r.start for r in self._sorted]
        self._longest = max((r.end - r.start for r in self._sorted), default=0)

    def overlapping(self, start: int, end: int) -> list:
        i = bisect_left(self._starts, start - self._longest)
        out = []
        while i < len(self._sorted) and self._sorted[i].start < end:
            if start < self._sorted[i].end:
                out.append(self._sorted[i])
            i += 1
        return out

    def overlaps(self, start: int, end: int) -> bool:
        return bool(self.overlapping(start, end))
