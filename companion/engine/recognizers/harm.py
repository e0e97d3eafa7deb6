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
passes a rumour on (…다던데, 소문); nor does an insult the writer aims at themselves with no one
else in the sentence (나 자신이 너무 한심하다). The pipeline has normalised the text already (NFC, invisible
and full-width characters: ``companion/engine/normalize.py``); offsets are into the text given.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from typing import NamedTuple, Optional

from presidio_analyzer import EntityRecognizer, RecognizerResult

from ...budget import out_of_time
from ..lexicon import Lexicon
from ..lexicon import load_lexicon as load_engine_lexicon
from ..nlp import KoreanNlpArtifacts
from . import chat_export
from .explanation import explanation
from .harm_lexicon import HARM_TYPES, SCRIPTS, Entry, load_lexicon
from .harm_match import LexiconMatcher
from .harm_model import HarmModel, clauses, load_model, sentences
from .regex_base import cue_alternations, literal_alternation


class _SentenceCues(NamedTuple):
    """What tells a sentence apart: news, a story, a rumour passed on, someone aimed at, a clinical case."""
    reporting: re.Pattern
    story: re.Pattern
    rumour: re.Pattern
    target: re.Pattern
    counted: re.Pattern
    clinical: re.Pattern
    self: re.Pattern
    subject: re.Pattern
    apology: re.Pattern
    colleagues: re.Pattern
    expletive: re.Pattern
    rhetorical: re.Pattern
    occupation: re.Pattern
    institution: re.Pattern


def _sentence_cues(lexicon: Lexicon) -> _SentenceCues:
    """The regexes that tell what a sentence is and whom it is aimed at, from the ``harm.*`` cue
    lists (data/cues/harm.txt); the English phrases stay here, their spaces being literal."""
    cue = cue_alternations(lexicon, "harm")
    # a target is a word of its own (not the 인간 of 인간관계, the 년 of 작년, the 님 of 아님): a person
    # noun ends its word (부교수, 도둑놈), an honorific follows any word but a few (작성자님, 수지씨;
    # not 날씨), a pronoun is the whole word, a bound noun starts it (저 년, 저년), follows a target
    # (간호사년) or comes before 들/놈; after it, only targets, 들/분/네, then particles or a copula
    # ending, which may be glued to the next word (얘는목소리가: comments written without spaces)
    honorific = "|".join(
        "".join(f"(?<!{re.escape(w[:-1])})" for w in lexicon.cue("harm.not_honorifics") if w.endswith(h))
        + re.escape(h) for h in lexicon.cue("harm.honorifics"))
    person = rf"(?:{cue('targets')}|{cue('bound_targets')}|{cue('honorifics')}|{cue('target_suffixes')})"
    ending = rf"(?:{literal_alternation(lexicon.particles)}|{cue('target_endings')})"
    word = (rf"{cue('targets')}|{honorific}|"
            rf"(?<![가-힣])(?:{cue('pronouns')}|(?:{cue('demonstratives')})?(?P<bound>{cue('bound_targets')}))|"
            # glued to any word when a plural or 놈 follows (김치년들, 년놈들): years take neither
            rf"(?<=[가-힣]){cue('bound_targets')}(?=들|놈)")
    tail = rf"{person}{{0,2}}(?:{ending}{{1,2}}|(?![가-힣]))"

    return _SentenceCues(
        # news and court reporting: an institution or a procedure, told in the written style
        reporting=re.compile(
            rf"(?:{cue('reporting')}|"
            r"was charged|were charged|charged with|was indicted|was sentenced|the court|police said|according to)",
            re.IGNORECASE),
        # a story: a drama, film, novel or webtoon and what happens in it
        story=re.compile(
            rf"(?:{cue('story_media')}(?:{cue('story_particles')}|\s?{cue('story_parts')})|{cue('story_words')}|"
            r"시즌\s?\d|\d{1,3}화(?![가-힣])|in the show|in the film|in the movie|the villain|the plot)", re.IGNORECASE),
        # ...but passing a rumour on is not reporting
        rumour=re.compile(rf"(?:{cue('rumour')}|래요?(?![가-힣])|대요?(?![가-힣])|rumou?r)"),
        # someone the sentence is aimed at: a role or title, a pronoun, a pointed-at person, a contemptuous noun
        target=re.compile(
            rf"(?:(?:{word}){tail}|"
            r"(?<![A-Za-z])(?:he|she|him|her|his|you|your|they|them|guy|man|woman)(?![A-Za-z]))", re.IGNORECASE),
        # ...but 몇 년, 3 년: a bound noun counted is years
        counted=re.compile(rf"(?:(?<![가-힣])(?:{cue('counts')})|[0-9])\s?$"),
        # clinical talk (patients, symptoms, drugs)
        clinical=re.compile(rf"{cue('clinical')}|patient", re.IGNORECASE),
        # the writer as the subject: a whole word (not the 난 of 난리, the 제가 of 제가끔)
        self=re.compile(rf"(?<![가-힣])(?:{cue('self')}){ending}?(?![가-힣])|(?<![A-Za-z])(?:myself|I['’]m|I am|I was|I feel)(?![A-Za-z])"),
        # a title or role in the plural: the people of a ward or a department, not one of them
        colleagues=re.compile(rf"(?:님|{literal_alternation(w for w in set(lexicon.titles) | set(lexicon.roles) if re.search('[가-힣]', w))})들"),
        subject=re.compile(rf"(?<![가-힣])(?:{cue('self_subjects')})(?![가-힣])"),
        # right after the insult, with its ending between (멍청해서 죄송)
        apology=re.compile(rf"[가-힣]{{0,3}}\s?(?:{cue('apologies')})"),
        expletive=re.compile(rf"(?:{cue('expletives')})"),
        # 무슨 (CCU) 간호사: the end of the text before a role
        rhetorical=re.compile(rf"(?<![가-힣])(?:{cue('rhetorical_roles')})\s?(?:[A-Za-z가-힣]+\s)?$"),
        # 간호사 자격: the start of the text after a role
        occupation=re.compile(rf"\s(?:{cue('occupations')})"),
        institution=re.compile(rf"(?<![가-힣A-Za-z])(?:{cue('institutions')})", re.IGNORECASE),
    )


#: the classifier alone, with no one in the sentence to aim at, needs this much
_UNAIMED = 0.72
#: clinical talk (``_SentenceCues.clinical``) with no one to aim at is a case, not an attack: this much
_UNAIMED_CLINICAL = 0.9
_SELF = "the writer"
#: how far before an insult the writer as its subject may stand (내가 진짜 너무 멍청한)
_SUBJECT_REACH = 16
#: a clause the classifier finds abusive must reach this share of the sentence's own threshold
_CLAUSE_SHARE = 0.9


class HarmRecognizer(EntityRecognizer):
    """Finds phrases attacking a person; one instance per language (both sources cover both scripts)."""

    ENTITIES = list(HARM_TYPES.values())
    CLASSIFIER_TYPE = "HARM_INSULT"

    def __init__(self, supported_language: str = "ko", name: Optional[str] = None, lexicon: Optional[Lexicon] = None):
        """``lexicon``: the engine's, for the cue lists (read from the package when not given)."""
        if supported_language not in SCRIPTS:
            raise ValueError(f"HarmRecognizer supports {', '.join(SCRIPTS)}, not {supported_language!r}")
        self._cues = _sentence_cues(lexicon or load_engine_lexicon())
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
        # a chat export's speaker heads their own message: no one it is aimed at
        speaking = {i for s, e, _, _ in chat_export.speakers(text) for i in range(s, e)}
        names = [n for n in _proper_nouns(KoreanNlpArtifacts.of(nlp_artifacts, self.supported_language)) if n not in speaking]
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

        # sentences whose insult was the writer's self-talk: Korean drops a subject that carries on,
        # so the next sentence of the paragraph, aimed at no one, is still about the writer
        # (진짜 제가 멍청했죠. 의사 자격이 없는 듯)
        selfish: set[int] = set()

        def carried(k: int) -> bool:
            return k - 1 in selfish and "\n\n" not in text[bounds[k - 1][1]:bounds[k][0]]

        for s, e, entry in hits:
            while k + 1 < len(bounds) and bounds[k][1] <= s:
                k += 1
            inside = k < len(bounds) and bounds[k][0] <= s < bounds[k][1]
            if inside and reporting(k):
                continue
            if inside and entry.entity_type == HARM_TYPES["insult"]:
                why = self._unaimed_insult(text, s, e, bounds[k], names or [], carried(k))
                if why == _SELF:
                    selfish.add(k)
                if why is not None:
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
            if (k in selfish or carried(k) or self._mine(text, (s, e))) and not self._aimed(text, s, e, names or []):
                selfish.add(k)
                continue
            if p < _UNAIMED_CLINICAL and not self._aimed(text, s, e, names or []):
                if p < _UNAIMED or self._cues.clinical.search(text, s, e):
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

    def _reports(self, text: str, start: int, end: int) -> bool:
        """Whether the sentence reports (news, a verdict, a plot) rather than attacks."""
        if not (self._cues.reporting.search(text, start, end) or self._cues.story.search(text, start, end)):
            return False
        return self._cues.rumour.search(text, start, end) is None

    def _unaimed_insult(self, text: str, start: int, end: int, sentence: tuple[int, int], names: list[int],
                        carried: bool) -> str | None:
        """Why the insult at text[start:end] is aimed at no one, or None. No one else is in the
        sentence (a proper noun mecab made of the insult itself, 노답, is no one) and it is the
        writer's self-talk (``SELF``: 내가 병신이지; ``carried``: the sentence before was), a swear word
        alone (ㅅㅂ) or a workplace called names (전산 진짜 쓰레기 같네)."""
        if self._aimed(text, *sentence, names, skip=(start, end)):
            return None
        if carried or self._mine(text, sentence, (start, end)):
            return _SELF
        if self._cues.expletive.fullmatch(text, start, end) or self._cues.institution.search(text, *sentence):
            return "no one"
        return None

    def _mine(self, text: str, sentence: tuple[int, int], insult: tuple[int, int] | None = None) -> bool:
        """Whether the sentence speaks of the writer: 나 자신이 or 나 같은 게 in it, the writer as a
        subject shortly before the insult at ``insult`` (내가 병신이지, 나 진짜 멍청한 병신인가봐), or an
        apology right after it (멍청해서 죄송)."""
        start, end = sentence
        cues = self._cues
        if cues.self.search(text, start, end):
            return True
        return insult is not None and (
            cues.subject.search(text, max(start, insult[0] - _SUBJECT_REACH), insult[0]) is not None
            or cues.apology.match(text, insult[1], end) is not None)

    def _aimed(self, text: str, start: int, end: int, names: list[int], skip: tuple[int, int] = (0, 0)) -> bool:
        """Whether the sentence text[start:end] names or points at someone; a proper noun starting
        inside ``skip`` does not count."""
        k = bisect_left(names, start)
        if k < len(names) and skip[0] <= names[k] < skip[1]:
            k = bisect_left(names, skip[1])
        if k < len(names) and names[k] < end:
            return True
        for m in self._cues.target.finditer(text, start, end):
            if self._cues.colleagues.search(m.group()):
                continue  # 교수님들, 전공의들: colleagues as a group, not someone (김치년들 is still contempt)
            if self._cues.rhetorical.search(text, max(start, m.start() - 16), m.start()) \
                    or self._cues.occupation.match(text, m.end()):
                continue  # 무슨 간호사야, 의사 자격이: what the subject is said to be, or a job
            bound = m.start("bound")
            if bound < 0 or not self._cues.counted.search(text, max(start, bound - 3), bound):
                return True
        return False

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


def _lexicon_rule(entry: Entry) -> str:
    return f"{entry.source} ({entry.concept})" if entry.concept else entry.source
