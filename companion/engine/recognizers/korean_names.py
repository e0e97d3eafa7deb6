"""Korean person names and name substitutes.

One recognizer, several productive rules, all driven by the data files:

* full names — surname + two given-name syllables, with titles/particles glued on
  (김성호가, 이수진한테, 김성호 교수). Accepted when an invisible character splits the word (an
  evasion), when a strong title follows, when the given syllables look like a name and a weak
  title follows or mecab tags a person (``인명``), or — for common surnames — when mecab's
  morphemes show an unknown word (surname split off, a token running across the name's end) or
  an animate particle follows (한테, 에게). Ordinary words are vetoed by the common-word list and
  by mecab's own analysis (one dictionary word: 심지어, 조영제; noun + particle: 우연이, 이후로);
* surname + title (박 교수, 최선생님), span = the surname;
* masked names (김OO, 이○○, 박**, 최XX, 정ㅇㅇ, 김O호, 김모 씨, 김 모 교수);
* Latin initial + Korean title (K교수, J쌤, A씨);
* chosung initials (ㄱㅊㅅ), chat abbreviations excluded;
* names spelled apart (김.성.호, 김 도 윤) and names in labelled fields (이름: …);
* given names with 쌤/선생님/씨, and every later mention of a name already found.

Public figures in office (박민수 차관) and listed public or fictional figures are skipped.
Titles come *after* Korean names, so every rule looks right of the match, never left.
"""
from __future__ import annotations

import re
from typing import Iterable, Iterator

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from ...budget import out_of_time
from ..lexicon import Lexicon
from ..nlp import KoreanNlpArtifacts
from . import chat_export
from .explanation import explanation
from .regex_base import cue_alternations

FULL_NAME = "PERSON_FULL_NAME"
SURNAME_TITLE = "PERSON_SURNAME_TITLE"
MASKED = "PERSON_MASKED_NAME"
INITIAL = "PERSON_INITIAL"
CHOSUNG = "PERSON_CHOSUNG"
GIVEN_NAME = "PERSON_GIVEN_NAME"
#: a full-name candidate with no evidence for or against it (see ``_full_name_score``)
PENDING = "pending"
#: the score of another mention of a name found (at most that of the name itself)
REPEAT = 0.75
REPEAT_RULE = "korean_name.repeat"
#: this, that (이, 그, 저) read by mecab as determiners: see ``KoreanNameRecognizer.determiner_noun``
_DEMONSTRATIVES = frozenset("이그저")

_MASK = r"(?:OO|○○|◯◯|●●|◎◎|ㅇㅇ|\*\*|XX|xx|△△|□□|■■|ㅁㅁ|○|◯|●|◎|\*|O|X|ㅇ|△|□|■)"
_MASK_CHAR = r"[O○◯●◎ㅇ*Xx△□■]"
_CHOSUNG_STARTS = frozenset("ㄱㄴㄷㄹㅁㅂㅅㅇㅈㅊㅋㅌㅍㅎ")


def syllables(span: str) -> str:
    """The Hangul syllables of a name's span, the way names are compared (김 성호, 김.성.호 → 김성호)."""
    return _NOT_HANGUL.sub("", span)


_NOT_HANGUL = re.compile(r"[^가-힣]")


def listed_with_names(text: str, names: list[tuple[int, int]], candidates: list[tuple[int, int, int]],
                      gap: re.Pattern[str]) -> list[tuple[int, int, int]]:
    """The candidates ``(start, end, word_end)`` listed next to a name (``names``: its start and
    end) or next to a candidate so listed: the text between them is a list's gap (a particle,
    a comma, 및 …; ``gap``).

    Only neighbours are compared: names and candidates in text order, one pass forwards (a
    candidate right after a name) and one backwards (right before one), so a chain of any
    length (A랑 B랑 C랑 …) is followed in time linear in its length."""
    items = sorted([(start, end, end, True) for start, end in names]
                   + [(start, end, word_end, False) for start, end, word_end in candidates])
    found = [is_name for *_, is_name in items]

    def listed(left_end: int, right_start: int) -> bool:
        between = text[left_end:right_start]
        return len(between) <= 24 and gap.fullmatch(between) is not None

    for k in range(1, len(items)):  # forwards: the name before it ends, the gap, then the candidate
        if not found[k] and found[k - 1] and listed(items[k - 1][1], items[k][0]):
            found[k] = True
    for k in range(len(items) - 2, -1, -1):  # backwards: the candidate's word, the gap, the name
        if not found[k] and found[k + 1] and listed(items[k][2], items[k + 1][0]):
            found[k] = True
    return [(start, end, word_end) for (start, end, word_end, was_name), now in zip(items, found)
            if now and not was_name]


def _spaced_run(text: str, start: int, end: int, separator: str, reach: int = 2) -> tuple[int, int]:
    """The run of syllables spelled apart that ``text[start:end]`` lies in, grown by at most
    ``reach`` syllables each way (a longer run is no name, and growing it further would make a
    draft of many such syllables cost the square of its length)."""
    for _ in range(reach):
        if not (_lone_syllable(text, start - 2, separator) and text[start - 1] == separator):
            break
        start -= 2
    for _ in range(reach):
        if not (end + 1 < len(text) and text[end] == separator and "가" <= text[end + 1] <= "힣"
                and not "가" <= (text[end + 2] if end + 2 < len(text) else " ") <= "힣"):
            break
        end += 2
    return start, end


def _lone_syllable(text: str, i: int, separator: str) -> bool:
    """``text[i]`` is a syllable standing alone between separators (the next or previous piece of
    a run spelled apart: 시 발 진 짜)."""
    if not (0 <= i < len(text) and "가" <= text[i] <= "힣"):
        return False
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before == separator or not "가" <= before <= "힣") and (after == separator or not "가" <= after <= "힣") \
        and separator in (before, after)


def is_repeat(result: RecognizerResult) -> bool:
    """The result is another mention of a name found (the ``repeat`` rule)."""
    return result.analysis_explanation is not None and result.analysis_explanation.pattern_name == REPEAT_RULE


def _alt(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def word_starts(text: str, words: set[str]) -> Iterator[tuple[int, int]]:
    """(start, end) of each of ``words`` not preceded by a Hangul syllable, the longest where several
    start at one place, without overlaps: what finditer over ``(?<![가-힣])(?:w1|w2|…)`` (longest
    first) finds, in linear time. That alternation of the draft's own names is tried name by name
    at every position: quadratic in a draft listing thousands of names."""
    words = {w for w in words if w}
    if not words:
        return
    sizes = sorted({len(w) for w in words}, reverse=True)
    firsts = re.compile("(?<![가-힣])[" + "".join(sorted({re.escape(w[0]) for w in words})) + "]")
    end = 0
    for m in firsts.finditer(text):
        p = m.start()
        if p < end:
            continue
        for size in sizes:
            if p + size <= len(text) and text[p:p + size] in words:
                end = p + size
                yield p, end
                break


class KoreanNameRecognizer(EntityRecognizer):
    """Finds Korean names and their usual disguises (see module docstring)."""

    def __init__(self, lexicon: Lexicon, supported_language: str = "ko") -> None:
        self.lex = lexicon

        cue = cue_alternations(lexicon, "korean_names")

        surnames = _alt(lexicon.surnames)
        titles = _alt(lexicon.titles)
        particles = _alt(lexicon.particles)
        # particles used only with people and animals (한테, 에게, 께): the word before is someone
        self._animate = re.compile(rf"이?{cue('animate_particles')}")
        self._particle_set = frozenset(p for p in lexicon.particles if len(p) == 1)
        self._adnominal_finals = frozenset(lexicon.cue("korean_names.adnominal_finals"))
        self._noun_particles = frozenset(lexicon.cue("korean_names.noun_particles"))
        self._bare_surname_particles = frozenset(lexicon.cue("korean_names.bare_surname_particles"))
        self._common_noun_particles = frozenset(lexicon.cue("korean_names.common_noun_particles")) | self._noun_particles
        self._role_words = frozenset(lexicon.titles) | frozenset(lexicon.roles) | frozenset(lexicon.departments)
        self._family_contacts = frozenset(lexicon.cue("korean_names.family_contacts"))
        self._line_labels = frozenset(lexicon.cue("korean_names.line_labels"))
        self._interjections = frozenset(lexicon.cue("korean_names.interjections"))
        self._anonymous = tuple(lexicon.cue("korean_names.anonymous_speakers"))
        self._surname_role = re.compile(rf"(?:{cue('surname_roles')})(?:{particles}){{0,2}}")
        self.weekdays = frozenset(lexicon.cue("korean_names.weekdays"))
        self._suffix = re.compile(rf"(?:{titles}){{0,2}}(?:들)?(?:{particles}){{0,2}}")
        # a title in the plural (선배님들, 교수들) is a group's: the word before it is no one's name
        singular = r"(?![가-힣]?들)"
        self._title_start = re.compile(rf"\s?(?:{titles}){singular}")
        strong = _alt(t for t in lexicon.titles if t not in lexicon.weak_titles)
        self._public_title = re.compile(rf"\s?(?:{_alt(lexicon.public_titles)})")
        self._strong_title_start = re.compile(rf"\s?(?:{strong}){singular}")
        # a title written before the name, as in lists and memos: "담당 간호사 이수진", "교수: 김성호"
        # someone's contact follows: a phone number, an address, a handle
        self._contact_cue = re.compile(rf"[^\n]*?(?:01[016789][\s.\-]?\d{{3,4}}|@|{cue('contact_words')})")
        # what may separate two names in a list: particles, commas, slashes, 와/과/하고/랑
        self._list_gap = re.compile(
            rf"(?:[가-힣]{{0,2}}(?:{cue('list_particles')})?[ \t]?[,/·&]?[ \t]?(?:{cue('list_conjunctions')})?[ \t]?){{1,2}}")
        #: … and one that says so (a particle, a comma, 및), not a space alone: between weaker candidates;
        #: neither crosses a line (성명: 최은서 / 진단명: 폐렴 is a form, not a list)
        self._marked_list_gap = re.compile(
            rf"(?:{cue('list_particles')})[ \t]?|[ \t]?[,/·&][ \t]?|[ \t](?:{cue('list_conjunctions')})[ \t]")
        # a roster slot: "R2 정하은", "3년차 유민서", "내과: 한지우"
        departments = _alt(d for d in lexicon.departments if re.search(r"[가-힣]", d))
        self._slot_before = re.compile(rf"(?:(?<![A-Za-z0-9])(?:R|PGY-?)[1-5]|(?<!\d)[1-9]년차|(?<![가-힣])(?:{departments}))\s?[:：]?\s$")
        self._title_before = re.compile(rf"(?<![가-힣])(?:{strong})\s?[:：]?\s$")
        self._word = re.compile(r"[가-힣]+")
        # (a particle may follow the title, 다솜쌤한테, 지훈 선생님께서; not another word, 씨앗)
        self._given_title = re.compile(
            rf"(?<![가-힣])[가-힣]{{2}}(?=\s?{cue('given_name_titles')}(?:{particles}){{0,2}}(?![가-힣]))")
        # a name in a labelled field: "이름: 유가은", "Name: 유가은", "성명 유가은", "이름 기명철이고" (three
        # syllables tried first, the usual length, so a particle after is not taken for the name)
        self._labelled = re.compile(
            rf"(?:(?:{cue('name_labels')}|{cue('name_labels_en')}|Name|name|NAME)\s?[:：]|(?P<bare>{cue('name_labels')})\s|(?:full\s|real\s|Korean\s)?name(?:\sis)?)\s?(?P<v>[가-힣]{{3}}|[가-힣]{{2}}|[가-힣]{{4}})(?=(?:{particles})?(?![가-힣]))")
        # a particle or title may follow the unmasked given syllable (김O호가, 김○호는)
        word_end = rf"(?=(?:{titles}){{0,2}}(?:들)?(?:{particles}){{0,2}}(?![가-힣]))"
        self._masked = re.compile(
            rf"(?<![가-힣A-Za-z])(?:{surnames})(?:{_MASK_CHAR}[가-힣]{word_end}|[가-힣]{_MASK_CHAR}(?![A-Za-z가-힣])"
            rf"|[ \t]?{_MASK}{{1,3}}(?![A-Za-zㄱ-ㅎ]))")
        # the given name in chosung, as writers dodge a search: 김ㅁㅈ, 박ㅅㅎ, 김.ㅁ.ㅈ, 남궁ㅎ
        self._chosung_given = re.compile(
            rf"(?<![가-힣A-Za-z])(?P<s>{surnames})(?P<c>(?:[.·]?[ㄱ-ㅎ]){{1,2}})(?![ㄱ-ㅣ가-힣])")
        # 김모씨 is written as one word: the span takes 씨 with it
        self._mo = re.compile(rf"(?<![가-힣])(?:{surnames})\s?모(?:씨(?![가-힣]{{2}})|(?=\s?(?:씨|{titles})))"
                              rf"|(?<![가-힣])(?:{surnames})\s?{cue('anonymous')}"
                              # news style: 이모(41·남)씨, 박모(35) 교수 — age and sex in brackets before 씨
                              rf"|(?<![가-힣])(?:{surnames})모(?=\s?\((?:[남여]\s?[·,/]\s?)?\d{{1,3}}(?:세)?(?:\s?[·,/]\s?[남여])?\)"
                              rf"\s?(?:{cue('news_honorifics')}|{titles}))")
        self._initial = re.compile(
            rf"(?<![A-Za-z0-9/])[A-Z](?:\s?모)?(?=\s?(?:{strong}|씨))")
        # (ㄴ and a space start a reply in a comment thread: ㄴ 님들 그거 명예훼손임)
        self._one_chosung = re.compile(rf"(?<![ㄱ-ㅣ가-힣])(?:[ㄱ-ㅎ](?=\s?(?:{strong}){singular})(?<!ㄴ)|ㄴ(?=(?:{strong}){singular}))")
        # a two-syllable name (surname + one given syllable) before a title: 권휘 교수님, 김솔 선생
        self._short_name = re.compile(rf"(?<![가-힣0-9A-Za-z])([가-힣])([가-힣])(?=\s(?:{strong})(?:[가-힣]{{0,4}})(?:[^가-힣]|$))")
        self._split_name = re.compile(rf"(?<![가-힣0-9A-Za-z])({surnames})\s([가-힣]{{2}})(?=\s?(?:{strong}))")
        self._chosung = re.compile(r"(?<![ㄱ-ㅣ])[ㄱ-ㅎ]{2,3}(?![ㄱ-ㅣ])")
        self._spaced = re.compile(
            rf"(?<![가-힣])(?:{surnames})([\s.·ㆍ‧_-])[가-힣]\1[가-힣]")
        # a sign-off at the end of a line: "홍다인 드림", "- 홍다인 올림"
        self._signoff = re.compile(rf"(?<![가-힣])(?P<v>[가-힣]{{2,4}})\s?{cue('signoffs')}[.!]?[ \t]*(?=\n|$)")
        super().__init__(supported_entities=[FULL_NAME, SURNAME_TITLE, MASKED, INITIAL, CHOSUNG, GIVEN_NAME],
                         name="KoreanNameRecognizer", supported_language=supported_language)

    def load(self) -> None:  # everything is compiled in __init__
        pass

    def _result(self, entity_type: str, start: int, end: int, score: float, rule: str) -> RecognizerResult:
        """A result explained by the rule that found it (``korean_name.<rule>``)."""
        return RecognizerResult(entity_type, start, end, score,
                                analysis_explanation=explanation(self.name, f"korean_name.{rule}", score))

    # ---- helpers -------------------------------------------------------------------------
    def _suffix_ok(self, rest: str) -> bool:
        """The remainder of a word after a name is only titles and particles."""
        return self._suffix.fullmatch(rest) is not None

    def _title_follows(self, text: str, pos: int, rest: str, strong: bool = False) -> bool:
        """A title starts the rest of the word, or the next word after one space."""
        regex = self._strong_title_start if strong else self._title_start
        if rest:
            m = regex.match(rest)
            # a one-syllable weak title glued on (부인종+양, 구강궤+양) is part of an ordinary word
            return m is not None and not (len(m.group()) == 1 and m.group() in self.lex.weak_titles)
        return regex.match(text, pos) is not None

    def _dictionary_word(self, art: KoreanNlpArtifacts, start: int, length: int, with_particle: bool = True) -> bool:
        """mecab sees an ordinary word (not a person) at ``start`` spanning the candidate."""
        i = art.token_at(start)
        if i is None:
            return False
        tok, tag, cls = art.tokens[i], art.tags[i], art.classes[i]
        if cls == "인명":
            return False
        if len(tok) >= length and not tag.startswith("NNP"):
            return True
        # noun + particle ("우연이", "이후로") or noun + 하다/이다 ("지원하고"): an ordinary word
        if with_particle and len(tok) == length - 1 and tag.startswith("NN") and i + 1 < len(art.tags):
            return (art.tags[i + 1].startswith(("J", "XSV", "XSA", "VCP", "E"))
                    and art.tokens_indices[i + 1] == start + len(tok))
        return False

    def _particle_read(self, art: KoreanNlpArtifacts, start: int, length: int) -> bool:
        """mecab reads the candidate as a noun and a one-syllable particle (유민/NNG 서/JKB), not
        one that follows nouns far more often than it ends a name (정원/NNG 이/JKS)."""
        i = art.token_at(start)
        return (i is not None and i + 1 < len(art.tokens) and len(art.tokens[i]) == length - 1
                and art.tokens_indices[i + 1] == start + length - 1 and len(art.tokens[i + 1]) == 1
                and art.tags[i + 1].startswith("J") and art.tokens[i + 1] not in self._common_noun_particles)

    def _adnominal(self, art: KoreanNlpArtifacts, start: int, length: int) -> bool:
        """An adjective or verb modifying the title after it (유명한 교수님, 조용한 선생님): mecab ends
        the word with an adnominal ending (ETM)."""
        first = art.token_at(start)
        if first is None:
            return False
        for k in range(first, len(art.tokens)):
            t_start = art.tokens_indices[k]
            if t_start >= start + length:
                return False
            if t_start + len(art.tokens[k]) == start + length:
                # 한/된/던 …, not 은: names end in 은 (하은, 지은) far more often than adjectives do
                return "ETM" in art.tags[k] and art.tokens[k][-1:] in self._adnominal_finals
        return False

    _VERB_TAGS = ("VV", "VA", "VX", "VCP", "MAG", "MAJ", "IC", "NP", "MM")
    #: tags that make a word a conjugated verb/adjective or an adverb even before a title (하는데 교수님)
    _PREDICATE_TAGS = ("VV", "VA", "VX", "MAG", "MAJ", "XSV", "XSA")

    def _verb_form(self, art: KoreanNlpArtifacts, start: int, length: int, tags: tuple[str, ...] = _VERB_TAGS,
                   unknown: bool = True) -> bool:
        """mecab reads the candidate as a conjugated verb or adjective (하지만, 주면서, 서주실).
        ``unknown``: the answer when mecab has no token starting there."""
        i = art.token_at(start)
        if i is None:
            return unknown
        if not art.tags[i].startswith(tags):
            return False
        # the rest of the candidate is endings mecab knows (지만, 면서, 실): a real conjugation
        k, pos = i + 1, start + len(art.tokens[i])
        while k < len(art.tokens) and pos < start + length:
            if art.tokens_indices[k] != pos or not art.tags[k].startswith(("E", "VX", "XS", "J")):
                return False
            if art.tokens[k] not in self.lex.verb_endings and not art.tags[k].startswith("J"):
                return False
            pos += len(art.tokens[k])
            k += 1
        return True

    @staticmethod
    def _nouns_only(art: KoreanNlpArtifacts, start: int, length: int) -> bool:
        """mecab reads only nouns (and particles) in the span: garbled names (기명/NNG 철/NNG), not a
        verb or adverb (안/MAG 써도/VV+EC)."""
        i = art.token_at(start)
        if i is None:
            return False
        while i < len(art.tokens) and art.tokens_indices[i] < start + length:
            if not art.tags[i].startswith(("NN", "J")):
                return False
            i += 1
        return True

    def _surname_split(self, art: KoreanNlpArtifacts, start: int, slen: int, length: int) -> bool:
        """mecab splits the surname off as its own token and a noun-like token ends at the name's end.

        Unknown names come out as 권/NNG + 나래/NNG; ordinary words as 감량/NNG + 하/XSV or
        우연/NNG + 이/JKS, so the morpheme boundaries tell them apart.
        """
        i = art.token_at(start)
        if i is None:
            return False
        end = start + length
        # mecab garbles unknown names: a token runs across the end of the name (차/VA 은/ETM 우가/NNG)
        # or a two-syllable proper noun of another class takes the surname (남주/NNP 혁/NNG)
        for k in range(i + 1 if len(art.tokens[i]) == slen else len(art.tokens), min(i + 4, len(art.tokens))):
            t_start = art.tokens_indices[k]
            t_end = t_start + len(art.tokens[k])
            if t_start >= end:
                break
            if t_start < end < t_end and art.tags[k].startswith(("NN", "UNK")):
                return True
        if art.tags[i] == "NNP" and len(art.tokens[i]) == length - 1 and i + 1 < len(art.tokens) \
                and art.tokens_indices[i + 1] == start + length - 1 and art.tags[i + 1].startswith("NN"):
            return True
        if len(art.tokens[i]) != slen or art.tags[i].startswith(("V", "J", "E", "X", "MAG", "MAJ")):
            return False
        j = art.token_at(start + slen)
        if j is None or not art.tags[j].startswith(("NN", "UNK", "SL", "IC")):
            return False
        if art.tags[i] == "MM" and art.tags[j].startswith("NNB"):
            return False  # a determiner and a counter or bound noun (한/MM 가지/NNBC, 한/MM 번/NNBC): a quantity
        return art.token_at(start + length) is not None or j + 1 >= len(art.tokens) or \
            art.tokens_indices[j] + len(art.tokens[j]) == start + length

    @staticmethod
    def _clean_split(art: KoreanNlpArtifacts, start: int, slen: int, length: int) -> bool:
        """mecab reads the surname as a noun of its own and the given name as one noun ending where
        the name ends (표/NNG + 세린/NNG): an unknown name, not a word it knows."""
        i = art.token_at(start)
        if i is None or i + 1 >= len(art.tokens) or len(art.tokens[i]) != slen or not art.tags[i].startswith("NN"):
            return False
        return (art.tokens_indices[i + 1] == start + slen and len(art.tokens[i + 1]) == length - slen
                and art.tags[i + 1] in ("NNG", "NNP") and art.classes[i + 1] not in ("지명",))

    def _person_tag(self, art: KoreanNlpArtifacts, start: int, length: int) -> bool:
        i = art.token_at(start)
        return i is not None and art.classes[i] == "인명" and len(art.tokens[i]) == length

    @staticmethod
    def _garbled(art: KoreanNlpArtifacts, start: int, slen: int, length: int) -> bool:
        """mecab has no idea what the word is and breaks it into one-syllable pieces ending in a noun
        (곽/NNG 도/JX 윤/NNG), or reads a person (인명) that starts at the surname and stops inside
        the name (남궁현/인명 + 우랑): an unknown name."""
        i = art.token_at(start)
        if i is None:
            return False
        if art.classes[i] == "인명" and slen < len(art.tokens[i]) < length:
            return True
        end, k = start + length, i
        while k < len(art.tokens) and art.tokens_indices[k] < end:
            if len(art.tokens[k]) != 1 or art.tokens_indices[k] + 1 > end:
                return False
            k += 1
        return k - i == length and art.tags[i].startswith("NN") and art.tags[k - 1].startswith("NN")

    # ---- rules ---------------------------------------------------------------------------
    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None,
                heads: list[chat_export.Speaker] | None = None) -> list[RecognizerResult]:
        """Two passes. The rules that look at the draft alone (full names, disguises, names in
        other shapes, chat names) add their results and the full names they found, none reading
        another's; then the rules that link mentions read those: a name-like word made a name by
        a neighbour (``_pending_names``), every other mention of a name found (``_repeats``).
        Given names before a title (서연쌤) come last, when there is time. ``heads``: a chat
        export's speakers, when the caller has read them already (the name model's recognizer)."""
        nlp_artifacts = KoreanNlpArtifacts.of(nlp_artifacts, self.supported_language)
        results: list[RecognizerResult] = []
        full_names: list[str] = []
        pending = self._full_names(text, nlp_artifacts, results, full_names)
        self._disguised(text, results)
        self._short_name_rules(text, nlp_artifacts, results, full_names)
        self._chat_names(text, list(chat_export.speakers(text)) if heads is None else heads, results, full_names)
        self._drop_surnames_inside_names(results)
        if out_of_time("names"):
            return results
        self._pending_names(text, pending, nlp_artifacts, results, full_names)
        if not out_of_time("names"):
            self._repeats(text, full_names, results, nlp_artifacts)
        for m in self._given_title.finditer(text):
            self._given_rule(text, m, nlp_artifacts, results)
        return results

    # ---- full names: surname + two given syllables, in one word --------------------------------
    def _full_names(self, text: str, art: KoreanNlpArtifacts, results: list[RecognizerResult],
                    full_names: list[str]) -> list[tuple[int, int, int]]:
        """Full names (김성호가, 이수진 교수) and, where a word has no surname but a title, surname +
        title (박 교수). Returns the name-like words that had no evidence of their own
        (start, end, end of word): a list of names or a contact nearby may still make them names."""
        pending: list[tuple[int, int, int]] = []
        for m in self._word.finditer(text):
            word, start = m.group(), m.start()
            if word in self.lex.common_words:
                continue
            if out_of_time("names"):
                break  # the cheap patterns below (masks, initials, chosung) still run
            for slen in (2, 1):  # a two-syllable surname first (남궁민수)
                if len(word) < slen + 2 or word[:slen] not in self.lex.surnames:
                    continue
                name = word[:slen + 2]
                if self._not_a_name(text, word, slen, m.end()):
                    continue
                evidence = self._full_name_score(text, word, start, slen, m.end(), art)
                if evidence is None:
                    continue
                if evidence == PENDING:
                    if self._given_ok(name, slen) and not self._verb_form(art, start, len(name)):
                        pending.append((start, start + len(name), m.end()))
                    continue
                score, rule = evidence
                if self._given_and_i(name, slen) and not self._person_tag(art, start, len(name)):
                    # 하린이, 도윤이가: a given name ending in a consonant and its suffix 이
                    results.append(self._result(GIVEN_NAME, start, start + 2, score, rule))
                    break
                results.append(self._result(FULL_NAME, start, start + len(name), score, rule))
                full_names.append(name)
                break
            else:
                self._surname_title(text, word, start, m.end(), results, art)  # 박 교수, 최선생님이, 윤교수
        return pending

    def _given_and_i(self, name: str, slen: int) -> bool:
        """A given name ending in a consonant with 이 after it, the suffix of a name called alone
        (하린이, 도윤이가, 하린이는) — not a surname and two given syllables ending in 이, unless
        mecab knows the three syllables as one person (송은이)."""
        return (slen == 1 and name[2] == "이" and (ord(name[1]) - 0xAC00) % 28 != 0
                and all(s in self.lex.given_syllables for s in name[:2]))

    def _given_ok(self, name: str, slen: int) -> bool:
        return all(s in self.lex.given_syllables for s in name[slen:])

    def _not_a_name(self, text: str, word: str, slen: int, end_of_word: int) -> bool:
        """What the lexicon alone rules out, whatever mecab says."""
        lex = self.lex
        name, rest = word[:slen + 2], word[slen + 2:]
        return bool(
            self._strong_title_start.match(word, slen)  # 최선생님이: surname + title, not a full name
            or name in lex.common_words or name in lex.public_figures or not self._suffix_ok(rest)
            # 허준이, 오늘도: a public figure or a word with a particle
            or (name[-1] in self._particle_set and (name[:-1] in lex.public_figures or name[:-1] in lex.common_words))
            or name in self._role_words  # 전임의, 부교수: a role, not a name
            or self._public_title.match(text, end_of_word))  # 박민수 차관, 정은경 청장: a public figure in office

    def _reads_as_a_word(self, art: KoreanNlpArtifacts, start: int, name: str, slen: int) -> bool:
        """mecab reads the span as ordinary language, which only a strong title after it outweighs."""
        n = len(name)
        return bool(
            self._dictionary_word(art, start, n, with_particle=False)  # one ordinary word (심지어, 조영제)
            or (name[:-1] in self.lex.common_words and name[-1] in self._particle_set)  # 오늘도, 지금은
            or self._adnominal(art, start, n)  # an adjective before a title (유명한 교수님)
            # a verb or adverb before a title (하는데 교수님은, 어떻게 교수, 하시고 전공의)
            or (not self._given_ok(name, slen) and self._verb_form(art, start, n, self._PREDICATE_TAGS, unknown=False))
            # a noun and a particle that is rarely the end of a given name (민원도, 기록을)
            or (name[-1] in self._noun_particles and self._dictionary_word(art, start, n))
            or self.determiner_noun(art, start, n))

    @staticmethod
    def determiner_noun(art: KoreanNlpArtifacts, start: int, length: int) -> bool:
        """mecab reads a demonstrative and a noun (이/MM 아이/NNG, 그/MM 사람/NNG), or a number and
        its counter (한/MM 모금/NNBC): "this child", "one sip" glued together, the way informal text
        writes 이영화, not a surname and a given name, nor is 이아 of it. A one-syllable noun may be
        a given name (이/MM 안/NNG: 이안), and 한/MM, 전/MM before a noun are surnames far more often
        than "one", "former"."""
        i = art.token_at(start)
        if not (length <= 3 and i is not None and i + 1 < len(art.tokens) and art.tokens_indices[i] == start
                and art.tags[i] == "MM" and art.tokens_indices[i + 1] == start + 1):
            return False
        if length == 2:  # a number and a one-syllable counter (두/MM 분/NNBC: "two people"; 이/MM 신이/NNG is 이신)
            return art.tags[i + 1] == "NNBC" and art.classes[i].startswith("~가산")
        if not 2 <= len(art.tokens[i + 1]) >= length - 1:
            return False
        # a number and its counter (한/MM 모금/NNBC; not 한/MM 채/NNBC 아: 한채아), or this + a noun
        return art.tags[i + 1] == "NNBC" or (art.tokens[i] in _DEMONSTRATIVES and art.tags[i + 1] == "NNG")

    def _full_name_score(self, text: str, word: str, start: int, slen: int, end_of_word: int,
                         art: KoreanNlpArtifacts) -> tuple[float, str] | str | None:
        """The score of the full name at the start of ``word`` and the rule that gives it, None
        when it is not one, or PENDING when nothing speaks for or against it.

        Evidence against a name vetoes it, except where stronger evidence for it overrides: an
        invisible character inside it (an evasion) overrides mecab's reading of ordinary language,
        a strong title after it a dictionary word (unless the given syllables are no name's).
        Otherwise the score is that of the strongest evidence for a name (``_evidence_for``)."""
        name, rest = word[:slen + 2], word[slen + 2:]
        n = len(name)
        if any(j in art.joins for j in range(start + 1, start + n)):
            return 0.85, "full_name_split_by_invisible"
        if self._reads_as_a_word(art, start, name, slen):
            return None
        given_ok = self._given_ok(name, slen)
        in_dictionary = self._dictionary_word(art, start, n)
        if self._title_follows(text, end_of_word, rest, strong=True) and (given_ok or not in_dictionary):
            return 0.85, "full_name_titled"
        if in_dictionary:
            # a roster slot before the name (3년차 유민서: 유민/NNG 서/JKB) outweighs mecab's reading
            # of a noun and a particle, as a title after it does (not a verb: 외과 지원/NNG 하/XSV 고)
            if given_ok and self._particle_read(art, start, n) and self._slot_before.search(text, max(0, start - 12), start):
                return 0.85, "full_name_roster_slot"
            return None
        if not given_ok:
            return PENDING
        return next(self._evidence_for(text, word, start, slen, end_of_word, art), PENDING)

    def _evidence_for(self, text: str, word: str, start: int, slen: int, end_of_word: int,
                      art: KoreanNlpArtifacts) -> Iterator[tuple[float, str]]:
        """(score, rule) of each piece of evidence that the name-like word is a name, strongest
        first (the first is the score; the rest are not looked at)."""
        lex = self.lex
        name, rest = word[:slen + 2], word[slen + 2:]
        n = len(name)
        if self._title_follows(text, end_of_word, rest):
            yield 0.85, "full_name_weak_title"
        if self._person_tag(art, start, n):
            yield 0.85, "full_name_mecab_person"
        if self._title_before.search(text, max(0, start - 12), start) \
                and not self._verb_form(art, start, n, self._PREDICATE_TAGS, unknown=False):
            yield 0.85, "full_name_title_before"  # not 간호사 하다가 (하/VV 다가/EC)
        if self._slot_before.search(text, max(0, start - 12), start):
            yield 0.85, "full_name_roster_slot"
        if self._garbled(art, start, slen, n) and name[slen:] not in lex.common_words:
            yield 0.6, "full_name_garbled_by_mecab"
        surname = word[:slen]
        if (surname not in lex.common_surnames and name[slen:] not in lex.common_words
                and not any(h.startswith(name) for h in lex.hospitals) and self._clean_split(art, start, slen, n)):
            yield 0.6, "full_name_rare_surname_split"  # only mecab's cleanest split (표/NNG + 세린/NNG)
        if surname in lex.common_surnames and self._surname_split(art, start, slen, n):
            yield 0.6, "full_name_surname_split"
        if surname in lex.common_surnames and self._animate.match(rest) and not self._verb_form(art, start, n):
            yield 0.6, "full_name_animate_particle"

    # ---- disguised names ---------------------------------------------------------------------
    def _disguised(self, text: str, results: list[RecognizerResult]) -> None:
        """Masks (김OO, 김모 씨), Latin initials (K교수) and chosung (ㄱㅊㅅ, ㄱ교수)."""
        for m in self._masked.finditer(text):
            results.append(self._result(MASKED, m.start(), m.end(), 0.85, "masked"))
        for m in self._chosung_given.finditer(text):
            given = re.sub(r"[.·]", "", m.group("c"))
            word = m.group("s")
            # one letter only after a double surname (남궁ㅎ; 조ㅁ is a typo of 좀)
            if ("ㅋ" in given or re.fullmatch(_MASK, given) or len(given) + len(word) < 3 or given == "ㅎㅎ"
                    or (given in self.lex.chat_abbreviations
                        and (word in self.lex.function_syllables or word in self._interjections))):
                continue  # laughter (박ㅋㅋ, 좋아ㅎ), a word and chat shorthand (하ㅅㅂ, 안ㄷㄷ), a mask (김ㅇㅇ, above)
            results.append(self._result(MASKED, m.start(), m.end(), 0.8, "surname_chosung"))
        for m in self._mo.finditer(text):
            if m.group() in self.lex.common_words and text.startswith("님", m.end()):
                continue  # 이모님, 부모님께: a kinship word and its honorific, not 이모 씨 or 노모 교수
            results.append(self._result(MASKED, m.start(), m.end(), 0.8, "surname_mo"))
        for m in self._initial.finditer(text):
            results.append(self._result(INITIAL, m.start(), m.end(), 0.75, "latin_initial_titled"))
        for m in self._chosung.finditer(text):
            self._chosung_rule(text, m, results)
        for m in self._one_chosung.finditer(text):  # ㄱ교수, ㅂ 선생님
            if m.group() != "ㅋ":
                results.append(self._result(CHOSUNG, m.start(), m.end(), 0.7, "chosung_titled"))

    # ---- names in other shapes -----------------------------------------------------------------
    def _short_name_rules(self, text: str, art: KoreanNlpArtifacts, results: list[RecognizerResult],
                          full_names: list[str]) -> None:
        """Two-syllable names before a title (권휘 교수님), names written apart (김 성호 교수,
        김.성.호) and names in labelled fields (이름: …)."""
        lex = self.lex
        for m in self._short_name.finditer(text):
            self._short_name_rule(m, art, results)
        for m in self._split_name.finditer(text):  # 김 성호 교수: surname and given name apart
            surname, given = m.group(1), m.group(2)
            if (surname not in lex.ambiguous_before_title and given not in lex.common_words
                    and all(ch in lex.given_syllables for ch in given)
                    and not self._verb_form(art, m.start(2), 2)):
                results.append(self._result(FULL_NAME, m.start(), m.end(), 0.75, "full_name_written_apart"))
                full_names.append(surname + given)
        for m in self._spaced.finditer(text):
            start, end = _spaced_run(text, m.start(), m.end(), m.group(1))
            parts = text[start:end:2]
            if m.group(1).isspace() and any(p in lex.function_syllables for p in parts[1:]):
                continue
            # three syllables, or four after a double surname (독 고 민 혁, 남 궁 하 린); not a
            # longer run of syllables spelled apart (시 발 진 짜 인 성), nor days (금·토·일)
            if not (len(parts) == 3 or len(parts) == 4 and parts[:2] in lex.surnames) \
                    or all(p in self.weekdays for p in parts):
                continue
            after = self._word.match(text, end)
            if after is not None and not self._glued_to_spelled(text, end, after.group(), art):
                continue
            if parts[-1] not in lex.titles and self._suffix_ok(after.group() if after else ""):
                results.append(self._result(FULL_NAME, start, end, 0.8, "full_name_spelled_apart"))
                full_names.append(text[start:end])
        for m in self._labelled.finditer(text):
            start, n = m.start("v"), len(m.group("v"))
            if m.group("bare") is not None and (n != 3 or self._dictionary_word(art, start, n, with_particle=False)
                                                or not self._nouns_only(art, start, n)):
                continue  # without a colon only a full name, not 이름 모를 환자, 이름 안써도, 성명 미상
            if m.group("v")[:1] in lex.surnames or m.group("v")[:2] in lex.surnames:
                results.append(self._result(FULL_NAME, m.start("v"), m.end("v"), 0.85, "labelled_field"))
                full_names.append(m.group("v"))

    def _pending_names(self, text: str, pending: list[tuple[int, int, int]], art: KoreanNlpArtifacts,
                       results: list[RecognizerResult], full_names: list[str]) -> None:
        """Name-like words with no evidence of their own, made names by their neighbours: a list
        with a name in it (김민수랑 이영희), the unmasked form of a mask, a contact right after
        ("심하린이 번호 바꿨대 010…")."""
        masked = self._masked_at(text, results)
        pending = [p for p in pending if text[p[0]] in self.lex.common_surnames or self._unmasks(text, p[0], masked)]
        self._coordinated(text, pending, results, full_names)
        for start, end, word_end in pending:
            if self._unmasks(text, start, masked):
                results.append(self._result(FULL_NAME, start, end, 0.7, "unmasked_surname"))
                full_names.append(text[start:end])
            elif self._contact_cue.match(text, word_end, min(len(text), word_end + 30)) \
                    and not self._compound_noun(art, start):
                results.append(self._result(FULL_NAME, start, end, 0.6, "contact_follows"))
                full_names.append(text[start:end])

    def _chat_names(self, text: str, heads: list[chat_export.Speaker], results: list[RecognizerResult],
                    full_names: list[str]) -> None:
        """Speakers of a chat export and the writer of a sign-off: whoever they are, the display
        name is a person's (a nickname too)."""
        lex = self.lex
        for start, end, source, _ in heads:
            name = text[start:end]
            if name in ("나", "me", "Me") or name in lex.common_words or name in self._role_words \
                    or name in self._family_contacts or name.startswith(self._anonymous):
                continue  # the writer, 엄마, 팀장님 as a contact's display name, or 익명의 어피치
            korean = re.fullmatch(r"[가-힣]{3,4}", name) and (name[:1] in lex.surnames or name[:2] in lex.surnames)
            if not (korean or self._speaker_shaped(name, source)):
                continue
            results.append(self._result(FULL_NAME if korean else GIVEN_NAME, start, end, 0.85, "chat_speaker"))
            if korean:
                full_names.append(name)
        for m in self._signoff.finditer(text):
            name = m.group("v")
            if (name in lex.common_words or not (name[:1] in lex.surnames or name[:2] in lex.surnames)
                    or len(name) < 3 or not all(s in lex.given_syllables for s in name[-2:])):
                continue
            results.append(self._result(FULL_NAME, m.start("v"), m.end("v"), 0.8, "sign_off"))
            full_names.append(name)

    def _short_name_rule(self, m: re.Match, art: KoreanNlpArtifacts, results: list[RecognizerResult]) -> None:
        """권휘 교수님: a surname and one name-like syllable that mecab cannot read as one word."""
        lex = self.lex
        word = m.group()
        if (m.group(1) not in lex.surnames or m.group(1) in lex.ambiguous_before_title or m.group(2) not in lex.given_syllables
                or word in lex.common_words or word in lex.public_figures or word in self._role_words):
            return
        i = art.token_at(m.start())
        if i is None or (len(art.tokens[i]) >= 2 and art.classes[i] != "인명"):
            return  # mecab knows the word (명예, 지도, 신임 교수)
        j = art.token_at(m.start() + 1)
        if art.classes[i] == "인명" and len(art.tokens[i]) == 2:
            pass  # mecab reads a person (김솔/NNP/인명)
        elif j is None or not art.tags[j].startswith(("NN", "UNK", "SL")):
            return  # the second syllable is an ending or particle (정도 → 정/도?)
        results.append(self._result(FULL_NAME, m.start(), m.end(), 0.6, "two_syllable_titled"))

    def _glued_to_spelled(self, text: str, end: int, suffix: str, art: KoreanNlpArtifacts) -> bool:
        """A title glued to the last syllable of a name spelled apart (국 선 영쌤), or a particle
        glued to a syllable mecab reads as a word of its own (변 정 애로), not an ending glued to a
        verb's stem (이 글 보는, 한 달 쉬고) nor a word it ends (주 초 인도)."""
        if self._title_start.match(suffix):
            return True
        i = art.token_at(end - 1)
        return (i is not None and art.tokens_indices[i] == end - 1 and len(art.tokens[i]) == 1
                and not art.tags[i].startswith(("VV", "VA", "VX", "XS", "E")))

    def _speaker_shaped(self, name: str, source: str) -> bool:
        """A speaker that is not a Korean full name counts when it looks like a name for where it
        was read: a pasted transcript's (not 결론, 장점, Note), a Slack or Teams head's in Latin letters
        (not 점심  12:30 PM), a known name when it heads no conversation (not Updated Schedule)."""
        if source == chat_export.EXPORT:
            return True
        if name in self._line_labels:
            return False
        if source == chat_export.TRANSCRIPT:
            # in Latin letters, a handle as chats show them too (hyun, tj_lee), not a label (Note)
            return self._speaker_like(name) or re.fullmatch(r"[a-z][a-z0-9]{2,15}|[A-Za-z][\w.]*[._\d][\w.]*", name) is not None
        if re.fullmatch(r"[가-힣]+", name):
            return False
        return source == chat_export.TALK or self._speaker_like(name)

    def _speaker_like(self, name: str) -> bool:
        """A two-syllable given name or words with a known romanized surname or Western given
        name in them (Oh, Minseo; Kevin)."""
        lex = self.lex
        if len(name) == 2 and all(s in lex.given_syllables for s in name):
            return True
        return any(w in lex.romanized_surnames or w in lex.western_given_names for w in re.findall(r"[A-Za-z]+", name))

    def _given_rule(self, text: str, m: re.Match, art: KoreanNlpArtifacts, results: list[RecognizerResult]) -> None:
        """A given name alone before 쌤/선생님/씨 (서연쌤, 지훈 선생님): both syllables name-like and
        mecab does not know the word as an ordinary noun (신규쌤, 병동쌤, 동기쌤 stay out); a proper
        noun of its own is one (다솜/NNP, however mecab classes it)."""
        given = m.group()
        if given in self.lex.common_words or not all(s in self.lex.given_syllables for s in given):
            return
        i = art.token_at(m.start())
        if i is None:
            return
        if art.classes[i] == "인명" or (len(art.tokens[i]) < 2 and art.tags[i].startswith(("NN", "UNK"))) \
                or (art.tags[i] == "NNP" and len(art.tokens[i]) == 2) \
                or art.tags[i] in ("UNKNOWN", "SL") \
                or (self._adnominal_eun(art, i, m.end()) and not text[m.end():m.end() + 1].isspace()):
            results.append(self._result(GIVEN_NAME, m.start(), m.end(), 0.6, "given_name_titled"))

    @staticmethod
    def _adnominal_eun(art: KoreanNlpArtifacts, i: int, end: int) -> bool:
        """mecab reads the given name as a one-syllable stem and the adnominal 은 (지/VA 은/ETM,
        하/VV 은/ETM): names end in 은 (지은, 하은, 나은) far more often than adjectives do, when
        the title is glued on (지은쌤; 더 나은 선생님 is an adjective)."""
        return (len(art.tokens[i]) == 1 and art.tags[i] in ("VA", "VV") and i + 1 < len(art.tokens)
                and art.tokens[i + 1] == "은" and art.tags[i + 1] == "ETM" and art.tokens_indices[i + 1] + 1 == end)

    @staticmethod
    def _one_noun(art: KoreanNlpArtifacts, start: int, slen: int) -> bool:
        i = art.token_at(start)
        return (i is not None and len(art.tokens[i]) > slen and art.tags[i].startswith("NN")
                and art.tags[i] != "NNP" and art.classes[i] != "인명")

    def _surname_title(self, text: str, word: str, start: int, end: int, results: list[RecognizerResult],
                       art: KoreanNlpArtifacts) -> None:
        lex = self.lex
        for slen in (2, 1):
            surname = word[:slen]
            if len(word) < slen or surname not in lex.surnames:
                continue
            rest = word[slen:]
            if rest and self._surname_role.fullmatch(rest) and not any(
                    word[:k] in lex.common_words for k in range(slen + 1, len(word) + 1)):
                pass  # 편차지야, 국펠: a ward's role glued on, like a title
            elif rest:
                # glued: 윤교수가 — but not 정교수 / 조교수 (ordinary words)
                t = self._strong_title_start.match(rest)
                if t is None or t.start() != 0 or any(word[:k] in lex.common_words
                                                      for k in range(slen + 2, slen + t.end() + 1)):
                    continue
                if not self._suffix_ok(rest):
                    continue
                if t.group() == "님":  # 님 glued to one syllable makes ordinary words
                    continue
                if self._one_noun(art, start, slen):
                    continue  # mecab reads one noun across the surname (제약사, 조교수): an ordinary word
            else:
                if surname in lex.ambiguous_before_title:
                    continue
                t = self._strong_title_start.match(text, end)
                if t is None or text[end:end + 1] != " ":
                    continue
                after = self._word.match(text, end + 1)
                if after is None or not self._suffix_ok(after.group()):
                    continue
                if after.group()[:2] in ("씨", "님") or after.group() in ("씨", "님"):
                    continue
            results.append(self._result(SURNAME_TITLE, start, start + slen, 0.7, "surname_titled"))
            return

    def _chosung_rule(self, text: str, m: re.Match, results: list[RecognizerResult]) -> None:
        s = m.group()
        if (s in self.lex.chat_abbreviations or len(set(s)) < len(s) or "ㅋ" in s
                or s[0] not in _CHOSUNG_STARTS):
            return
        if len(s) == 2 and self._title_start.match(text, m.end()) is None:
            return
        results.append(self._result(CHOSUNG, m.start(), m.end(), 0.7, "chosung"))

    @staticmethod
    def _compound_noun(art: KoreanNlpArtifacts, start: int) -> bool:
        """mecab starts the word with a two-syllable noun (원인+균, 최종+결과): a compound, not a name."""
        i = art.token_at(start)
        return i is None or (len(art.tokens[i]) >= 2 and art.tags[i].startswith("NN"))

    @staticmethod
    def _masked_at(text: str, results: list[RecognizerResult]) -> dict[str, set[int]]:
        """Where the draft points at someone by surname, masked or titled (추OO, 추 교수): the
        starts of those mentions by their surname's first syllable (see ``_unmasks``)."""
        at: dict[str, set[int]] = {}
        for r in results:
            if r.entity_type in (MASKED, SURNAME_TITLE):
                at.setdefault(text[r.start], set()).add(r.start)
        return at

    @staticmethod
    def _unmasks(text: str, start: int, masked: dict[str, set[int]]) -> bool:
        """The draft already points at someone with this surname, masked or titled (추OO … 추지훈):
        a name-like word with the same surname is that person's name written out."""
        starts = masked.get(text[start], ())
        return len(starts) > 1 or (len(starts) == 1 and start not in starts)

    def _coordinated(self, text: str, pending: list[tuple[int, int, int]], results: list[RecognizerResult],
                     full_names: list[str]) -> None:
        """A name-like word listed next to a full name (정하은이랑 유민서랑, "김성호, 이수진") is a
        name too."""
        names = [(r.start, r.end) for r in results if r.entity_type == FULL_NAME]
        listed_now = set(listed_with_names(text, names, pending, self._list_gap))
        for start, end, _ in sorted(listed_now):
            results.append(self._result(FULL_NAME, start, end, 0.7, "listed_with_name"))
            full_names.append(text[start:end])
        pending[:] = [p for p in pending if p not in listed_now]

    @staticmethod
    def _drop_surnames_inside_names(results: list[RecognizerResult]) -> None:
        """A syllable inside a name already found is no surname of its own before the title that
        follows the name (the 호 of 김O호 교수님, the 서 of 나 윤 서 선생님)."""
        inside = bytearray(max((r.end for r in results), default=0) + 1)
        for r in results:
            if r.entity_type in (FULL_NAME, MASKED) and r.end - r.start > 2:
                inside[r.start + 1:r.end] = b"\x01" * (r.end - r.start - 1)
        results[:] = [r for r in results if r.entity_type != SURNAME_TITLE or not inside[r.start]]

    @staticmethod
    def repeat_sources(text: str, results: list[RecognizerResult]) -> dict[str, float]:
        """The score of each full name found (its syllables only), the highest where it was found
        more than once, not counting repeats: what a repeat of it may score at most."""
        best: dict[str, float] = {}
        for r in results:
            if r.entity_type == FULL_NAME and not is_repeat(r):
                n = syllables(text[r.start:r.end])
                best[n] = max(best.get(n, 0.0), r.score)
        return best

    def _repeats(self, text: str, full_names: list[str], results: list[RecognizerResult],
                 art: KoreanNlpArtifacts) -> None:
        """Once a full name is found, its other mentions count too: the same name anywhere in the
        draft (however it was spelled the first time), the given name alone (나래쌤, 나래가) and the
        surname alone where it can only be that person (남궁 쌤이, 독고한테; see ``_bare_surname``)."""
        names = {syllables(n) for n in full_names}
        names = {n for n in names if len(n) >= 3}
        if not names:
            return
        surnames = {n: self._surname_of(n) for n in names}
        given_of = {n: g for n in names if (g := self.given_name_of(n)) is not None}
        given = set(given_of.values())
        # a repeat is never stronger than the name it repeats (a weak 0.6 match, the model's 0.68)
        found = self.repeat_sources(text, results)
        cap = {n: found.get(n, REPEAT) for n in names}
        for n, g in given_of.items():
            cap[g] = max(cap.get(g, 0.0), cap[n])
        # each full name found, by the positions it covers: its given name inside it (the 성호 of
        # 김 성호) is that finding, not a repeat of it
        owner: dict[int, str] = {}
        for r in results:
            if r.entity_type == FULL_NAME:
                n = syllables(text[r.start:r.end])
                if n in names:
                    owner.update((i, n) for i in range(r.start, r.end))
        # 남궁현, 선우진: a compound surname with a one-syllable given name (or a single one + two)
        bare_extra = {n[:2] for n in names if len(n) == 3 and n[:2] in self.lex.surnames}
        for start, end in word_starts(text, names | given):
            mention = text[start:end]
            own = owner.get(start)
            if own is not None and owner.get(end - 1) == own and mention == given_of.get(own):
                continue
            word = self._word.match(text, start)
            rest = word.group()[end - start:] if word else ""
            if self._suffix_ok(rest) or self._title_follows(text, end, rest):
                kind = FULL_NAME if mention in names else GIVEN_NAME
                results.append(self._result(kind, start, end, min(REPEAT, cap[mention]), "repeat"))
        bare = {s for s in surnames.values() if s} | bare_extra
        taken = {(r.start, r.end) for r in results}
        for start, end in word_starts(text, bare):
            word = self._word.match(text, start)
            rest = word.group()[end - start:] if word else ""
            if (start, end) not in taken and self._bare_surname(text, start, end, rest, art):
                results.append(self._result(SURNAME_TITLE, start, end, 0.7, "repeat_surname"))

    def _surname_of(self, name: str) -> str:
        if len(name) >= 4 and name[:2] in self.lex.surnames:
            return name[:2]
        return name[:1] if name[:1] in self.lex.surnames else ""

    def given_name_of(self, name: str) -> str | None:
        """The two-syllable given name of a full name (김성호 → 성호, 남궁민수 → 민수), if it has one."""
        surname = self._surname_of(name)
        return name[len(surname):] if len(name) - len(surname) == 2 else None

    def _bare_surname(self, text: str, start: int, end: int, rest: str, art: KoreanNlpArtifacts) -> bool:
        """A surname standing alone, after the full name appeared: a compound surname (남궁, 독고)
        with a particle or title is that person; a single syllable only with a particle used for
        people (탁한테) or, for rarer surnames that are not everyday nouns, a subject/topic particle
        (탁이 또 …) — 차가, 정이, 손이 stay words."""
        surname = text[start:end]
        if rest and not self._suffix_ok(rest):
            return False
        if len(surname) >= 2:
            if surname in self.lex.common_words and not self._title_follows(text, end, rest):
                return False  # 서문에, 사공이: also an everyday noun (preface, boatman) unless a title follows
            return bool(rest) or self._title_follows(text, end, rest)
        if self._animate.fullmatch(rest) or (rest and self._title_follows(text, end, rest, strong=True)):
            return True
        lex = self.lex
        if (surname in lex.common_surnames or surname in lex.function_syllables or surname in lex.ambiguous_before_title
                or surname + rest in lex.common_words or rest not in self._bare_surname_particles):
            return False
        return not self._verb_form(art, start, len(surname) + len(rest), unknown=False)
