"""Korean person names learned from real annotated text, fused with the hand-written rules.

A character CRF (python-crfsuite; trained by ``tools/train_names.py`` on KLUE-NER, our dev drafts
and template sentences; see ``models/README.md``) tags the words that may start a name (see
``name_features.candidate_windows``). Its spans and the rules
of :class:`KoreanNameRecognizer` are then fused into one list of results:

* a span both find gets the noisy-or of the two scores, at most 0.9 (the rules' span and type
  are kept; only a configured roster name is certain);
* a span only the model finds keeps the model's confidence (the lowest marginal probability of
  its characters), scaled down, so only a confident model reaches the engine's threshold alone;
  the rules' evidence against a name vetoes it — a public figure (listed, or with a public
  office after), an ordinary word (the common-word list, a word mecab knows that is not a
  person), a number, a name already vetoed by the rules' own look-alike checks;
* every other mention of a name found either way is a mention of that person (redaction must
  not leave any behind).

Cost: features are a few list operations per character of a candidate window and Viterbi is
linear in the window, so the model adds time linear in the draft's length (about 2.5 ms per
1,000 characters of Korean text on the development machine).
"""
from __future__ import annotations

import re
import threading
from importlib import resources
from typing import NamedTuple

import pycrfsuite
from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from ...budget import out_of_time
from ..entities import MIN_SCORE
from ..lexicon import Lexicon
from ..nlp import KoreanNlpArtifacts
from . import chat_export
from .explanation import explanation
from .korean_names import (FULL_NAME, GIVEN_NAME, INITIAL, KoreanNameRecognizer, is_repeat, listed_with_names, syllables,
                           word_starts)
from .name_features import Featurizer, candidate_windows, morph_labels
from .regex_base import SpanIndex, cue_alternation, literal_alternation

MODEL_FILE = "person_names.crfsuite"
#: a span found by the model alone reaches at most this score (the rules' strong evidence is 0.85)
MODEL_ONLY_WEIGHT = 0.8
#: below this confidence a span found by the model alone is dropped
MIN_CONFIDENCE = 0.75
#: … unless it is listed next to a name (예은, 유빈, 혜림; 채원이랑 윤슬이): then from this confidence
LISTED_CONFIDENCE = 0.5
#: … and scores this (the rules' listed names score 0.7)
LISTED_SCORE = 0.6
#: rules and model together stay below the certainty of a configured roster name (1.0)
FUSED_MAX = 0.9
#: rule results below this score are weak evidence (see ``analyze``)
WEAK_RULE = 0.8
DISBELIEF = 0.2
STRONG_DISBELIEF = 0.1
#: what a disbelieved rule result keeps of its score: below the engine's threshold (0.4)
DEMOTED = 0.45
#: a model this confident overrides mecab's reading of the span as an ordinary word
SURE = 0.97
#: … and its reading as a compound of two nouns (원인+균; but also 봉채+윤, a rarer surname)
COMPOUND_SURE = 0.995
_HANGUL = re.compile(r"[가-힣]")
_HANGUL_ONLY = re.compile(r"[가-힣]+")
_LINE = re.compile(r"[^\n]+")
#: a tag in brackets heading a line, no time after it (see ``_heading_tag``)
_TAG = re.compile(r"[ \t]*\[([^\[\]\n]{1,20})\](?![ \t]?\[?(?:오전|오후|\d{1,2}:\d{2}))")
TAG_REACH = 24


def model_path() -> str:
    return str(resources.files("companion.engine.models").joinpath(MODEL_FILE))


class LearnedNameRecognizer(EntityRecognizer):
    """The rules plus the learned tagger, one recognizer (see module docstring)."""

    def __init__(self, rules: KoreanNameRecognizer, lexicon: Lexicon, supported_language: str = "ko",
                 path: str | None = None) -> None:
        self.rules = rules
        self.lex = lexicon
        self.featurizer = Featurizer(lexicon)
        self._particles = frozenset(p for p in lexicon.particles if len(p) == 1)
        # a listed drug, or a word ending as a class of drugs does (우스테키누맙: 우 + 스테키)
        self._drugs = re.compile(rf"{literal_alternation(lexicon.drugs)}|[가-힣]{{2,}}(?:{cue_alternation(lexicon.cue('korean_names.drug_endings'))})")
        # a post about a drama, a film or a webtoon, and its cast: a character and the actor in
        # brackets, maybe a title between (이익준(조정석), 천장미 간호사(하영)), or an actor who played
        # one (한석규가 연기한 김사부)
        self._story = re.compile(cue_alternation(lexicon.cue("harm.story_media") + lexicon.cue("korean_names.story_words")))
        # the label of a number (사번, 등록번호, 면허번호): what the number is; shorthand that reads as
        # a given name (현타, 남환): no one's name
        self._not_names = frozenset(w for section in _ID_LABELS for w in lexicon.cue(f"identifiers.{section}")) \
            | frozenset(lexicon.cue("korean_names.shorthand"))
        # a name read into the word of a place (가람의 of 가람의료원)
        self._place_word = re.compile(rf"[가-힣]{{1,6}}?(?:{cue_alternation(lexicon.cue('korean_names.place_endings'))})")
        self._cast = re.compile(
            rf"(?<![가-힣])(?P<a>[가-힣]{{2,4}})(?:(?:\s(?:{literal_alternation(lexicon.titles)}))?\((?P<b>[가-힣]{{2,4}})\)"
            r"|[이가] 연기한 (?P<c>[가-힣]{2,4}))")
        self._path = path or model_path()
        self._tagger: pycrfsuite.Tagger | None = None
        # a tagger keeps the last sequence between set() and marginal(): one caller at a time
        self._lock = threading.Lock()
        super().__init__(supported_entities=list(rules.supported_entities), name="KoreanNameModel",
                         supported_language=supported_language)

    def load(self) -> None:
        if self._tagger is None:
            tagger = pycrfsuite.Tagger()
            tagger.open(self._path)
            self._tagger = tagger

    # ---- the model -------------------------------------------------------------------------
    def model_spans(self, text: str, art: KoreanNlpArtifacts, check: list[RecognizerResult] = (),
                    heads: list[chat_export.Speaker] = ()) -> tuple[list[tuple[int, int, float]], dict[int, list[float]]]:
        """(start, end, confidence) of every person span the model tags in ``text``, and for each
        result in ``check`` (by index) the model's probability, character by character, that the
        character is part of a name. A line a chat export's ``heads`` start is read from its
        message on: the model learned sentences, and a head's time and speaker before the message
        mislead it (22:47<TAB>지원<TAB>남다인 원래 …)."""
        self.load()
        morph = morph_labels(text, art)
        out: list[tuple[int, int, float]] = []
        belief: dict[int, list[float]] = {}
        pending = sorted(range(len(check)), key=lambda k: check[k].start)  # results to judge, in order
        cursor = 0
        message: dict[int, int] = {}  # line start: where its message starts
        for h in heads:
            line = text.rfind("\n", 0, h.start) + 1
            message[line] = max(message.get(line, line), h.message)
        for line in _LINE.finditer(text):
            lo, hi = line.start(), line.end()
            lo = min(hi, message.get(lo, lo))
            if out_of_time("name model"):
                break
            for start, stop in candidate_windows(text, lo, hi, self.lex.surnames, self.lex.given_syllables):
                if out_of_time("name model"):
                    break
                xseq = self.featurizer.features(text, start, stop, morph, lo, hi)
                while cursor < len(pending) and check[pending[cursor]].start < start:
                    cursor += 1
                inside = []
                while cursor < len(pending) and check[pending[cursor]].start < stop:
                    r = check[pending[cursor]]
                    if r.end <= stop:
                        inside.append((pending[cursor], r))
                    cursor += 1
                with self._lock:
                    self._tagger.set(xseq)
                    tags = self._tagger.tag()
                    begin = None
                    for i, tag in enumerate(tags + ["O"]):
                        if begin is not None and tag != "I-PS":
                            conf = min(self._tagger.marginal(tags[k], k) for k in range(begin, i))
                            out.append((start + begin, start + i, conf))
                            begin = None
                        if tag == "B-PS":
                            begin = i
                    for k, r in inside:
                        belief[k] = [1 - self._tagger.marginal("O", p - start) for p in range(r.start, r.end)]
        return out, belief

    def _cast_spans(self, text: str) -> list[_Span]:
        if self._story.search(text) is None:
            return []
        return [_Span(*m.span(g)) for m in self._cast.finditer(text) for g in ("a", "b", "c") if m.group(g)]

    # ---- fusion ----------------------------------------------------------------------------
    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None) -> list[RecognizerResult]:
        art = KoreanNlpArtifacts.of(nlp_artifacts, self.supported_language)
        # a listed hospital is a place, whatever its first syllable (차병원: 차 + 병원); a group
        # chat's name is no one's
        heads = list(chat_export.speakers(text))
        in_room, speaking = chat_export.group_room(text, heads), SpanIndex(heads).overlaps
        # … and a piece of a drug's name no one's (반코마+이신), nor a story's cast
        in_drug = SpanIndex([*(_Span(*m.span()) for m in self._drugs.finditer(text)), *self._cast_spans(text)]).overlaps
        results = [r for r in self.rules.analyze(text, entities, art, heads)
                   if text[r.start:r.end] not in self.lex.hospitals and not in_room(r.start, r.end)
                   and not in_drug(r.start, r.end)]
        rule_spans = [(r.start, r.end) for r in results]
        judged = [r for r in results if r.entity_type in (FULL_NAME, GIVEN_NAME)]
        spans, belief = self.model_spans(text, art, judged, heads)
        shrunk: list[str] = []
        # names the rules found on strong evidence, and their given names: a later mention of one
        # is that person whatever the model thinks of the sentence around it
        strong = {text[r.start:r.end] for r in judged if r.score >= WEAK_RULE}
        strong |= {n[-2:] for n in strong if len(n) >= 3}
        for k, r in enumerate(judged):
            if text[r.start:r.end] in strong:
                continue
            # rule evidence the model does not share: an ordinary word that happens to start with a
            # surname (이영화, 한가지). Weak evidence (mecab's split, a particle) yields to doubt,
            # strong evidence (a title after, mecab's 인명) only to near certainty
            chars = belief.get(k)
            if chars is None:
                continue
            b = max(chars)
            if (r.entity_type == FULL_NAME and r.end - r.start == 3 and r.score < WEAK_RULE and chars[2] < 0.5
                    and text[r.end - 1] in self._particles and text[r.end - 1] not in "이은"):
                # 민수가: surname 민 + given 수가 to the rules, a given name + 가 to the model
                r.end, r.entity_type = r.end - 1, GIVEN_NAME
                shrunk.append(text[r.start:r.end])
                _note(r, "the name model reads a given name and a particle: the particle left out")
            if b < DISBELIEF if r.score < WEAK_RULE else (b < STRONG_DISBELIEF and not self._titled(text, r.start, r.end)):
                r.score = round(r.score * DEMOTED, 2)
                _note(r, f"the name model doubts it (belief {b:.2f}): score {r.score}")
        self._cap_repeats(text, results)
        added: list[str] = shrunk
        doubtful: list[tuple[int, int, float]] = []
        index = SpanIndex(results)
        for start, end, conf in spans:
            start, end = self._trim(text, start, end)
            if end <= start:
                continue
            overlapping = index.overlapping(start, end)
            if overlapping:
                for r in overlapping:
                    if (r.entity_type == FULL_NAME and r.start == start and r.end == end + 1 and conf >= SURE
                            and text[end] in self._particles and end - start == 2):
                        # 민수가: the rules read surname 민 + given 수가, the model a given name and a
                        # particle; the particle is not part of the name
                        r.end, r.entity_type = end, GIVEN_NAME
                        added.append(text[start:end])
                        _note(r, "the name model reads a given name and a particle: the particle left out")
                    fused = 1 - (1 - r.score) * (1 - conf * MODEL_ONLY_WEIGHT)
                    r.score = round(max(r.score, min(FUSED_MAX, fused)), 2)
                    _note(r, f"the name model agrees (confidence {conf:.2f}): score {r.score}")
                continue
            if conf < LISTED_CONFIDENCE or not self._korean_form(text, start, end) \
                    or self._vetoed(text, start, end, art, conf) or in_room(start, end) or _heading_tag(text, start, end) \
                    or speaking(start, end) or in_drug(start, end):
                continue  # (a speaker is the chat rules' to judge: [익명의 어피치] is no one)
            if conf < MIN_CONFIDENCE or self._doubted(text, start, end, art, conf):
                doubtful.append((start, end, conf))
                continue
            kind = self._kind(text[start:end])
            results.append(self._result(kind, start, end, round(conf * MODEL_ONLY_WEIGHT, 2), "model_only",
                                        f"the name model alone (confidence {conf:.2f})"))
            if kind != INITIAL:
                added.append(text[start:end])
        self._listed(text, doubtful, results, added)
        # every name found, not only the model's own: the rules repeat only the names they were
        # sure of alone (a given name with 이 after it, 시안이가 … 시안이, they leave to the model)
        found = {text[r.start:r.end] for r in results if r.entity_type in (FULL_NAME, GIVEN_NAME)
                 and r.score >= MIN_SCORE and not is_repeat(r)}
        self._mentions(text, added + sorted(found - set(added)), results, rule_spans, art)
        return results

    def _listed(self, text: str, doubtful: list[tuple[int, int, float]], results: list[RecognizerResult],
                added: list[str]) -> None:
        """Spans the model doubts that are listed next to a name found (예은, 유빈, 혜림 씨;
        채원이랑 윤슬이): names too."""
        if not doubtful:
            return
        names = [(r.start, r.end) for r in results if r.entity_type in (FULL_NAME, GIVEN_NAME) and r.score >= MIN_SCORE]
        conf = {(s, e): c for s, e, c in doubtful}
        candidates = [(s, e, e) for s, e, _ in doubtful]
        for start, end, _ in listed_with_names(text, names, candidates, self.rules._marked_list_gap):
            results.append(self._result(self._kind(text[start:end]), start, end, LISTED_SCORE, "listed_with_name",
                                        f"the name model (confidence {conf[start, end]:.2f}), listed next to a name"))
            added.append(text[start:end])

    def _cap_repeats(self, text: str, results: list[RecognizerResult]) -> None:
        """The rules scored their repeats before the model judged the names repeated: a repeat of
        a name the model doubted is no stronger than that name now is (unless the model's own span
        at the repeat, fused next, says more)."""
        best = self.rules.repeat_sources(text, results)
        given: dict[str, float] = {}
        for n, score in best.items():
            g = self.rules.given_name_of(n)
            if g is not None:
                given[g] = max(given.get(g, 0.0), score)
        for r in results:
            if not is_repeat(r):
                continue
            n = syllables(text[r.start:r.end])
            source = best.get(n) if r.entity_type == FULL_NAME else given.get(n)
            if source is not None and r.score > source:
                r.score = source
                _note(r, f"no stronger than the name it repeats: score {r.score}")

    def _result(self, entity_type: str, start: int, end: int, score: float, rule: str, detail: str = "") -> RecognizerResult:
        """A result of the model's own (``korean_name_model.<rule>``), explained."""
        return RecognizerResult(entity_type, start, end, score,
                                analysis_explanation=explanation(self.name, f"korean_name_model.{rule}", score, detail))

    def _korean_form(self, text: str, start: int, end: int) -> bool:
        """What the model may report alone: a Korean name's shape (surname + one or two syllables,
        a two-syllable given name, a name spelled apart) or a news-style Latin initial (A씨, B군).
        Foreign names and brand names the model learned from news stay out: private colleagues
        and patients in our drafts have Korean names, and the model's foreign guesses are weak."""
        span = text[start:end]
        if len(span) == 1 and span.isascii():
            return True
        syllables = re.sub(r"[\s.·ㆍ‧_-]", "", span)
        if not _HANGUL_ONLY.fullmatch(syllables) or not 2 <= len(syllables) <= 4:
            return False
        if len(syllables) < len(span) and all(s in self.rules.weekdays for s in syllables):
            return False  # 금·토·일: days spelled apart
        lex = self.lex
        if len(syllables) == 2:
            return syllables[0] in lex.surnames or all(s in lex.given_syllables for s in syllables)
        if len(syllables) == 4 and syllables[:2] in lex.common_words:
            return False  # a word and more (임상질문), not a surname and three syllables
        return syllables[0] in lex.surnames or syllables[:2] in lex.surnames

    def _titled(self, text: str, start: int, end: int) -> bool:
        """A title, honorific or kinship word follows the name (서말자 할머니, 정하은 쌤, 진영 오빠):
        the rules' own evidence, which the model's doubt does not overturn."""
        word = self.rules._word.match(text, start)
        if word is None:
            return False
        return self.rules._title_follows(text, word.end(), word.group()[end - start:])

    def _trim(self, text: str, start: int, end: int) -> tuple[int, int]:
        """A span without spaces at its ends, and without a particle or title the model took in."""
        while start < end and not text[start].isalnum():
            start += 1
        while end > start and not text[end - 1].isalnum():
            end -= 1
        return start, end

    def _kind(self, span: str) -> str:
        if len(span) == 1 and span.isascii():
            return INITIAL
        if len(span) == 2 and _HANGUL.fullmatch(span[0]) and _HANGUL.fullmatch(span[1]):
            return GIVEN_NAME
        return FULL_NAME

    def _vetoed(self, text: str, start: int, end: int, art: KoreanNlpArtifacts, conf: float = 0.0) -> bool:
        """The rules' evidence against a name: public figures, ordinary words and shorthand, numbers and
        their labels, verbs."""
        lex = self.lex
        span = text[start:end]
        if _HANGUL.search(span) is None:
            # a Latin initial only in news style: "A씨", "B군과", "C양은"
            return not (len(span) == 1 and span.isupper() and re.match(r"\s?(?:씨|군|양)(?![가-힣]{2})", text[end:end + 4]))
        if any(ch.isdigit() for ch in span) or re.match(r"[천만억]", text[end:end + 1]) or span in self._not_names:
            return True
        # a hyphen is in no Korean name (지엘-닐센: an eponym); nor is a place's word (가람의+료원)
        place = self._place_word.match(text, start)
        if "-" in span or (place is not None and place.end() > end):
            return True
        if span in lex.public_figures or span in lex.common_words or span in lex.hospitals \
                or span in self.rules._role_words:  # 전임의, 간호사, 내과: a role or department
            return True
        if span[:-1] in lex.public_figures or (span[:-1] in lex.common_words and conf < SURE):
            # a word and one more syllable (이사장); a model sure of a name is not overruled by
            # the word inside it (임상아, 하루나)
            return True
        if self.rules._public_title.match(text, end):
            return True  # 박민수 차관: a public figure in office
        if self._conjugated(art, start, end, conf) or self.rules._adnominal(art, start, len(span)):
            return True  # 박아줘, 조용한 (선생님): a verb or adjective
        if len(span) == 3 and conf < COMPOUND_SURE and self._noun_compound(art, start):
            return True
        if len(span) in (2, 3) and self.rules.determiner_noun(art, start, len(span)) and not self._titled(text, start, end):
            return True  # 이친구가, 이나라는, 두분: "this friend", "this country", "two people" glued, however sure the model is
        word = self.rules._word.match(text, start)
        return word is not None and word.group() in lex.common_words

    def _doubted(self, text: str, start: int, end: int, art: KoreanNlpArtifacts, conf: float) -> bool:
        """mecab knows the span as an ordinary word. Its dictionary also lists many given names
        as common nouns (민지, 수연, 보람), so only a model that is not sure gives way, and only
        when no title follows (진영 오빠가, 수연 선생님); a span in a list of names is a name still
        (see ``_listed``)."""
        return conf < SURE and _HANGUL.search(text, start, end) is not None and not self._titled(text, start, end) \
            and self.rules._dictionary_word(art, start, end - start, with_particle=False)

    @staticmethod
    def _noun_compound(art: KoreanNlpArtifacts, start: int) -> bool:
        """mecab starts the span with a common noun of two syllables (원인+균, 서명+란): a compound
        word, where a name would be one proper noun or a surname split off. The noun after it may
        be read as the copula's adnominal form (서명/NNG 란/VCP+ETM, as in 서명이란), the way mecab
        reads 란 (欄) glued on: a name does not end in a copula modifying the next word."""
        i = art.token_at(start)
        return (i is not None and len(art.tokens[i]) == 2 and art.tags[i] == "NNG" and art.classes[i] != "인명"
                and i + 1 < len(art.tokens) and (art.tags[i + 1].startswith("NN") or art.tags[i + 1] == "VCP+ETM"))

    def _conjugated(self, art: KoreanNlpArtifacts, start: int, end: int, conf: float) -> bool:
        """mecab reads a verb: with an auxiliary or a final ending (박아줘, 하세요) always a verb;
        with only a connective ending (박/VV 지/EC 빈/VV — mecab garbling 박지빈) only when the model
        is not sure, and only an ending there is (정하/VV 윤/EC is mecab garbling 정하윤: no verb
        ends in 윤). An adnominal ending is left alone (지은, 하은 are read as 지/VA + 은/ETM)."""
        i = art.token_at(start)
        if i is None or not art.tags[i].startswith(("VV", "VA", "VX")):
            return False
        k = i
        while k < len(art.tokens) and art.tokens_indices[k] < end:
            parts = art.tags[k].split("+")[1 if k == i else 0:]
            if any(t.startswith(("EF", "VX")) for t in parts) and k > i:
                return True
            if any(t.startswith("EC") for t in parts) and conf < SURE \
                    and (art.tags[k] != "EC" or art.tokens[k] in self.lex.verb_endings):
                return True
            k += 1
        return False

    def _mentions(self, text: str, names: list[str], results: list[RecognizerResult],
                  rule_spans: list[tuple[int, int]], art: KoreanNlpArtifacts) -> None:
        """Other mentions of names the model found: the same name (with particles or a title),
        and for a full name its given name alone, as the rules do for theirs."""
        full = [n for n in names if len(n) >= 3]
        if full:
            self.rules._repeats(text, full, results, art)
        given = {n for n in names if len(n) == 2}
        if not given:
            return
        taken = bytearray(len(text) + 1)
        for r in results:
            taken[r.start:r.end] = b"\x01" * (r.end - r.start)
        for start, end in word_starts(text, given):
            if any(taken[start:end]):
                continue
            word = self.rules._word.match(text, start)
            rest = word.group()[2:] if word else ""
            if self.rules._suffix_ok(rest) or self.rules._title_follows(text, end, rest):
                results.append(self._result(GIVEN_NAME, start, end, 0.6, "given_name_repeat"))


#: the cue lists of identifiers.py that label a number
_ID_LABELS = ("rrn_labels", "license_labels", "passport_labels", "employee_labels", "chart_labels")


class _Span(NamedTuple):
    start: int
    end: int


def _heading_tag(text: str, start: int, end: int) -> bool:
    """The span is a tag in brackets heading its line ([원글], [장문], [인계 단톡]), as boards and
    memos mark a post's kind; a chat export's speaker in brackets has a time after it."""
    lo = max(0, start - TAG_REACH)
    line = text.rfind("\n", lo, start) + 1
    if line == 0 and lo > 0:
        return False
    m = _TAG.match(text, line)
    return m is not None and m.start(1) <= start and end <= m.end(1)


def _note(result: RecognizerResult, line: str) -> None:
    """What the model changed in a rule's result, added to its explanation."""
    result.analysis_explanation.append_textual_explanation_line(line)
