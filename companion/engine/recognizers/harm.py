"""Harm recognizer: words that attack a person — insults, sexual rumours, accusations, threats, doxing.

Two sources, fused:

- the **lexicon** (``harm_lexicon`` data, ``harm_match`` matching, ``harm_fold`` evasions) knows
  what a general abuse model cannot: medical misconduct told as rumour, threats, calls to dox,
  sexual rumours, and the kind of harm each phrase is;
- the **classifier** (``harm_model``, trained on real abusive comments and our own sentences)
  scores every sentence and finds insults no list names: calling someone mentally ill, telling
  them to get lost, mocking nicknames, misspelt slurs.

A sentence the classifier calls abusive, aimed at someone (a role, a pronoun, a pointed-at
person; or very abusive on its own) and left alone by the lexicon becomes a ``HARM_INSULT``
finding on its most abusive clause (a span the writer can act on, not the whole post). A sentence
that *reports* — news of a charge or a verdict, a drama's plot — yields nothing, unless it also
passes a rumour on (…다던데, 소문). The pipeline has normalised the text already (NFC, invisible
and full-width characters: ``companion/engine/normalize.py``); offsets are into the text given.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from typing import Optional

from presidio_analyzer import EntityRecognizer, RecognizerResult

from ...budget import out_of_time
from ..nlp import KoreanNlpArtifacts
from .explanation import explanation
from .harm_lexicon import HARM_TYPES, SCRIPTS, Entry, load_lexicon
from .harm_match import LexiconMatcher
from .harm_model import HarmModel, clauses, load_model, sentences

#: news and court reporting: an institution or a procedure, told in the written style
_REPORTING = re.compile(
    r"(?:혐의(?:로|를|에\s?대해|가)|기소(?:했|됐|돼|되었|된)|입건|송치|구속(?:됐|되었|영장)|선고(?:했|받|됐|를)|"
    r"재판부|검찰(?:은|이|에)|경찰(?:은|이|에\s?따르면)|법원(?:은|이|에서)|보도(?:했|됐|에\s?따르면)|"
    r"발표(?:했|됐)|밝혔다|전했다|에\s?따르면|기사(?:에|를|에서)|뉴스(?:에서|에|를)|"
    r"was charged|were charged|charged with|was indicted|was sentenced|the court|police said|according to)",
    re.IGNORECASE)
#: a story: a drama, film, novel or webtoon and what happens in it
_STORY = re.compile(
    r"(?:(?:드라마|영화|웹툰|소설|만화|애니)(?:에서|\s?속|에\s?나오|\s?내용|\s?줄거리|\s?전개|\s?설정|\s?장면|"
    r"\s?주인공|\s?보는데|\s?봤는데|\s?에피소드)|극\s?중|주인공|악역|줄거리|에피소드|시즌\s?\d|\d{1,3}화(?![가-힣])|"
    r"in the show|in the film|in the movie|the villain|the plot)", re.IGNORECASE)
#: ...but passing a rumour on is not reporting
_RUMOUR = re.compile(r"(?:다던데|다더라|카더라|라던데|래요?(?![가-힣])|대요?(?![가-힣])|소문|썰|rumou?r)")
#: someone the sentence is aimed at: a role or title, a pronoun, a pointed-at person, a contemptuous noun
_TARGET = re.compile(
    r"(?:교수|선배|후배|인턴|레지|전공의|펠로우|과장|원장|부장|팀장|실장|수간호사|수쌤|간호사|선생|쌤|치프|차지|"
    r"신규|막내|동기|의사|님|씨(?![발바빨])|너|니가|니네|넌|네가|너네|당신|걔|쟤|얘|사람|인간|놈|년|새끼|자식|것들|"
    r"(?<![A-Za-z])(?:he|she|him|her|his|you|your|they|them|guy|man|woman)(?![A-Za-z]))", re.IGNORECASE)
#: the classifier alone, with no one in the sentence to aim at, needs this much
_UNAIMED = 0.72
#: clinical talk (patients, symptoms, drugs) with no one to aim at is a case, not an attack: this much
_CLINICAL = re.compile(r"환자|환아|보호자|내원|처방|투약|진료|증상|독감|감기|예방|접종|검사|수술|patient", re.IGNORECASE)
_UNAIMED_CLINICAL = 0.9
#: a clause the classifier finds abusive must reach this share of the sentence's own threshold
_CLAUSE_SHARE = 0.9


class HarmRecognizer(EntityRecognizer):
    """Finds phrases attacking a person; one instance per language (both sources cover both scripts)."""

    ENTITIES = list(HARM_TYPES.values())
    CLASSIFIER_TYPE = "HARM_INSULT"

    def __init__(self, supported_language: str = "ko", name: Optional[str] = None):
        if supported_language not in SCRIPTS:
            raise ValueError(f"HarmRecognizer supports {', '.join(SCRIPTS)}, not {supported_language!r}")
        super().__init__(
            supported_entities=list(self.ENTITIES),
            name=name or f"HarmRecognizer_{supported_language}",
            supported_language=supported_language,
        )

    def load(self) -> None:
        self._matcher = LexiconMatcher(load_lexicon())
        self._model: HarmModel = load_model()

    def analyze(self, text: str, entities: Optional[list[str]] = None, nlp_artifacts=None) -> list[RecognizerResult]:
        wanted = set(entities) & set(self.ENTITIES) if entities else set(self.ENTITIES)
        if not wanted or not text:
            return []
        names = _proper_nouns(KoreanNlpArtifacts.of(nlp_artifacts, self.supported_language))
        return [self._result(s, e, entity_type, score, rule, detail)
                for s, e, entity_type, score, rule, detail in self.find(text, names) if entity_type in wanted]

    def find(self, text: str, names: Optional[list[int]] = None) -> list[tuple[int, int, str, float, str, str]]:
        """(start, end, entity type, score, rule, what decided it) for every harm phrase in ``text``:
        the rule is the lexicon line and its concept, or ``harm.classifier``.
        ``names``: sorted start offsets of proper nouns (mecab NNP) — someone a sentence may be aimed at."""
        bounds = sentences(text)
        hits = self._matcher.find(text)
        # out of time, the lexicon's hits are kept and the classifier is skipped
        probabilities = None if out_of_time("harm") else self._model.probabilities(text, bounds)
        threshold = self._model.threshold
        out: list[tuple[int, int, str, float, str, str]] = []
        k = 0  # sentence of the current hit (hits are sorted by start)
        covered = [False] * len(bounds)
        verdicts: dict[int, bool] = {}

        def reporting(k: int) -> bool:  # checked only for sentences something fired in
            if k not in verdicts:
                verdicts[k] = self._reports(text, *bounds[k])
            return verdicts[k]

        for s, e, entry in hits:
            while k + 1 < len(bounds) and bounds[k][1] <= s:
                k += 1
            inside = k < len(bounds) and bounds[k][0] <= s < bounds[k][1]
            if inside and reporting(k):
                continue
            j = k
            while j < len(bounds) and bounds[j][0] < e:  # the lexicon's span is sharper: no classifier span over it
                covered[j] = covered[j] or bounds[j][1] > s
                j += 1
            out.append((s, e, entry.entity_type, entry.score, _lexicon_rule(entry), ""))
        for k, (s, e) in enumerate(bounds if probabilities is not None else ()):
            if out_of_time("harm"):
                break
            p = float(probabilities[k])
            if p < threshold or covered[k] or reporting(k):
                continue
            if p < _UNAIMED_CLINICAL and not _aimed(text, s, e, names or []):
                if p < _UNAIMED or _CLINICAL.search(text, s, e):
                    continue
            cs, ce, cp = self._clause(text, s, e, p, threshold)
            out.append((cs, ce, self.CLASSIFIER_TYPE, round(min(0.95, max(0.5, cp)), 2), "harm.classifier",
                        f"abuse classifier (p={p:.2f}, threshold {threshold:.2f})"))
        return sorted(out)

    def _clause(self, text: str, start: int, end: int, p: float, threshold: float) -> tuple[int, int, float]:
        """The most abusive clause of an abusive sentence (the sentence itself when no clause stands out)."""
        parts = clauses(text, start, end)
        if len(parts) < 2:
            return start, end, p
        scores = self._model.probabilities(text, parts)
        best = int(scores.argmax())
        if scores[best] < threshold * _CLAUSE_SHARE:
            return start, end, p
        # a clause this abusive next to one that is too: keep both (a run of adjacent clauses)
        lo, hi = best, best
        while lo > 0 and scores[lo - 1] >= threshold:
            lo -= 1
        while hi + 1 < len(parts) and scores[hi + 1] >= threshold:
            hi += 1
        return parts[lo][0], parts[hi][1], max(p, float(scores[best]))

    @staticmethod
    def _reports(text: str, start: int, end: int) -> bool:
        """Whether the sentence reports (news, a verdict, a plot) rather than attacks."""
        if not (_REPORTING.search(text, start, end) or _STORY.search(text, start, end)):
            return False
        return _RUMOUR.search(text, start, end) is None

    def _result(self, start: int, end: int, entity_type: str, score: float, rule: str, detail: str) -> RecognizerResult:
        return RecognizerResult(
            entity_type=entity_type, start=start, end=end, score=score,
            analysis_explanation=explanation(self.name, rule, score, detail),
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            },
        )


def _proper_nouns(art: KoreanNlpArtifacts) -> list[int]:
    """Start offsets of the proper nouns mecab tagged (a person or a group a sentence may be aimed at)."""
    return [start for start, tag in zip(art.tokens_indices, art.tags) if tag == "NNP"]


def _aimed(text: str, start: int, end: int, names: list[int]) -> bool:
    """Whether the sentence text[start:end] names or points at someone."""
    k = bisect_left(names, start)
    return (k < len(names) and names[k] < end) or _TARGET.search(text, start, end) is not None


def _lexicon_rule(entry: Entry) -> str:
    return f"{entry.source} ({entry.concept})" if entry.concept else entry.source
