"""Korean person names and name substitutes.

One recognizer, several productive rules, all driven by the data files:

* full names — surname + two given-name syllables, with titles/particles glued on
  (김성호가, 이수진한테, 김성호 교수); accepted when a title follows, when mecab tags the word a
  person (``인명``), or when both given syllables are common in names and the word is not an
  ordinary word (the common-word list and mecab's dictionary veto 이번에, 조영제, 고민이 …);
* surname + title (박 교수, 최선생님), span = the surname;
* masked names (김OO, 이○○, 박**, 최XX, 정ㅇㅇ, 김O호, 김모 씨, 김 모 교수);
* Latin initial + Korean title (K교수, J쌤, A씨);
* chosung initials (ㄱㅊㅅ), chat abbreviations excluded;
* names spelled apart (김.성.호, 김 도 윤).

Titles come *after* Korean names, so every rule looks right of the match, never left.
"""
from __future__ import annotations

import re
from typing import Iterable

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from ..lexicon import Lexicon

FULL_NAME = "PERSON_FULL_NAME"
SURNAME_TITLE = "PERSON_SURNAME_TITLE"
MASKED = "PERSON_MASKED_NAME"
INITIAL = "PERSON_INITIAL"
CHOSUNG = "PERSON_CHOSUNG"
GIVEN_NAME = "PERSON_GIVEN_NAME"

_MASK = r"(?:OO|○○|◯◯|ㅇㅇ|\*\*|XX|xx|○|◯|\*|O|X|ㅇ)"
_MASK_CHAR = r"[O○◯ㅇ*X]"
_CHOSUNG_STARTS = frozenset("ㄱㄴㄷㄹㅁㅂㅅㅇㅈㅊㅋㅌㅍㅎ")


def _alt(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


class KoreanNameRecognizer(EntityRecognizer):
    """Finds Korean names and their usual disguises (see module docstring)."""

    def __init__(self, lexicon: Lexicon, supported_language: str = "ko") -> None:
        self.lex = lexicon
        surnames = _alt(lexicon.surnames)
        titles = _alt(lexicon.titles)
        particles = _alt(lexicon.particles)
        self._suffix = re.compile(rf"(?:{titles})?(?:들)?(?:{particles}){{0,2}}")
        self._title_start = re.compile(rf"\s?(?:{titles})")
        self._word = re.compile(r"[가-힣]+")
        self._masked = re.compile(
            rf"(?<![가-힣A-Za-z])(?:{surnames})(?:\s?{_MASK}{{1,3}}(?![A-Za-z])|{_MASK_CHAR}[가-힣](?![가-힣])"
            rf"|[가-힣]{_MASK_CHAR}(?![A-Za-z가-힣]))")
        self._mo = re.compile(rf"(?<![가-힣])(?:{surnames})\s?모(?=\s?(?:씨|{titles}))")
        self._initial = re.compile(
            rf"(?<![A-Za-z0-9])[A-Z](?=\s?(?:{titles}|씨))")
        self._chosung = re.compile(r"(?<![ㄱ-ㅣ])[ㄱ-ㅎ]{2,3}(?![ㄱ-ㅣ])")
        self._spaced = re.compile(
            rf"(?<![가-힣])(?:{surnames})([\s.·ㆍ‧_-])[가-힣]\1[가-힣](?![가-힣])")
        super().__init__(supported_entities=[FULL_NAME, SURNAME_TITLE, MASKED, INITIAL, CHOSUNG, GIVEN_NAME],
                         name="KoreanNameRecognizer", supported_language=supported_language)

    def load(self) -> None:  # everything is compiled in __init__
        pass

    # ---- helpers -------------------------------------------------------------------------
    def _suffix_ok(self, rest: str) -> bool:
        """The remainder of a word after a name is only titles and particles."""
        return self._suffix.fullmatch(rest) is not None

    def _title_follows(self, text: str, pos: int, rest: str) -> bool:
        """A title starts the rest of the word, or the next word after one space."""
        if rest:
            return self._title_start.match(rest) is not None
        return self._title_start.match(text, pos) is not None

    def _dictionary_word(self, art: NlpArtifacts | None, start: int, length: int) -> bool:
        """mecab sees an ordinary word (not a person) at ``start`` spanning the candidate."""
        if art is None or not hasattr(art, "token_at"):
            return False
        i = art.token_at(start)
        if i is None:
            return False
        tok, tag, cls = art.tokens[i], art.tags[i], art.classes[i]
        if cls == "인명":
            return False
        if len(tok) >= length and not tag.startswith("NNP"):
            return True
        # noun + particle ("고민이"): the candidate is an ordinary word with a josa
        if len(tok) == length - 1 and tag.startswith("NN") and i + 1 < len(art.tags):
            return art.tags[i + 1].startswith("J") and art.tokens_indices[i + 1] == start + len(tok)
        return False

    def _person_tag(self, art: NlpArtifacts | None, start: int, length: int) -> bool:
        if art is None or not hasattr(art, "token_at"):
            return False
        i = art.token_at(start)
        return i is not None and art.classes[i] == "인명" and len(art.tokens[i]) == length

    # ---- rules ---------------------------------------------------------------------------
    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None) -> list[RecognizerResult]:
        results: list[RecognizerResult] = []
        lex = self.lex
        full_names: list[str] = []

        for m in self._word.finditer(text):
            word, start = m.group(), m.start()
            end_of_word = m.end()
            if word in lex.common_words:
                continue
            # full names: surname (1 or 2 syllables) + 2 given syllables
            for slen in (2, 1):
                if len(word) < slen + 2 or word[:slen] not in lex.surnames:
                    continue
                name, rest = word[:slen + 2], word[slen + 2:]
                if name in lex.common_words or name in lex.public_figures or not self._suffix_ok(rest):
                    continue
                titled = self._title_follows(text, end_of_word, rest)
                if titled or self._person_tag(nlp_artifacts, start, len(name)):
                    score = 0.85
                elif (all(s in lex.given_syllables for s in name[slen:])
                      and not self._dictionary_word(nlp_artifacts, start, len(name))):
                    score = 0.6
                else:
                    continue
                results.append(RecognizerResult(FULL_NAME, start, start + len(name), score))
                full_names.append(name)
                break
            else:
                # surname + title: "박 교수", "최선생님이", "윤교수"
                self._surname_title(text, word, start, end_of_word, results)

        for m in self._masked.finditer(text):
            results.append(RecognizerResult(MASKED, m.start(), m.end(), 0.85))
        for m in self._mo.finditer(text):
            results.append(RecognizerResult(MASKED, m.start(), m.end(), 0.8))
        for m in self._initial.finditer(text):
            results.append(RecognizerResult(INITIAL, m.start(), m.end(), 0.75))
        for m in self._chosung.finditer(text):
            self._chosung_rule(text, m, results)
        for m in self._spaced.finditer(text):
            parts = re.split(r"[\s.·ㆍ‧_-]", m.group())
            if m.group(1).isspace() and any(p in lex.function_syllables for p in parts[1:]):
                continue
            if not m.group(1).isspace() or self._suffix_ok(self._word.match(text, m.end()).group()
                                                           if self._word.match(text, m.end()) else ""):
                results.append(RecognizerResult(FULL_NAME, m.start(), m.end(), 0.8))
        self._given_names(text, full_names, results)
        return results

    def _surname_title(self, text: str, word: str, start: int, end: int, results: list[RecognizerResult]) -> None:
        lex = self.lex
        for slen in (2, 1):
            surname = word[:slen]
            if len(word) < slen or surname not in lex.surnames:
                continue
            rest = word[slen:]
            if rest:
                # glued: 윤교수가 — but not 정교수 / 조교수 (ordinary words)
                t = self._title_start.match(rest)
                if t is None or t.start() != 0 or word[:slen + t.end()] in lex.common_words:
                    continue
                if not self._suffix_ok(rest):
                    continue
                if len(t.group()) == 1:  # 씨/님/군/양 glued to one syllable are ordinary words
                    continue
            else:
                if surname in lex.ambiguous_before_title:
                    continue
                t = self._title_start.match(text, end)
                if t is None or text[end:end + 1] != " ":
                    continue
                after = self._word.match(text, end + 1)
                if after is None or not self._suffix_ok(after.group()):
                    continue
                if after.group()[:2] in ("씨", "님") or after.group() in ("씨", "님"):
                    continue
            results.append(RecognizerResult(SURNAME_TITLE, start, start + slen, 0.7))
            return

    def _chosung_rule(self, text: str, m: re.Match, results: list[RecognizerResult]) -> None:
        s = m.group()
        if (s in self.lex.chat_abbreviations or len(set(s)) < len(s) or "ㅋ" in s
                or s[0] not in _CHOSUNG_STARTS):
            return
        if len(s) == 2 and self._title_start.match(text, m.end()) is None:
            return
        results.append(RecognizerResult(CHOSUNG, m.start(), m.end(), 0.7))

    def _given_names(self, text: str, full_names: list[str], results: list[RecognizerResult]) -> None:
        """Given names alone (나래쌤, 나래가) once the full name appears in the same draft."""
        given = {n[1:] for n in full_names if len(n) == 3}
        if not given:
            return
        pattern = re.compile(rf"(?<![가-힣])(?:{_alt(given)})(?=[가-힣]*)")
        for m in pattern.finditer(text):
            word = self._word.match(text, m.start())
            rest = word.group()[m.end() - m.start():] if word else ""
            if self._suffix_ok(rest) or self._title_follows(text, m.end(), rest):
                results.append(RecognizerResult(GIVEN_NAME, m.start(), m.end(), 0.7))
