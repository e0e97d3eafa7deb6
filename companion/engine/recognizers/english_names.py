"""Romanized Korean names and initials in English text (Dr. Park, Prof. Kim Ji-yeon, Choi Yuna, Prof. L)."""
from __future__ import annotations

import re
from dataclasses import replace

from presidio_analyzer import RecognizerResult

from ..lexicon import Lexicon
from .explanation import explanation
from .regex_base import GroupRegexRecognizer, Rule, SpanIndex, cue_alternations, literal_alternation, word_end

# A romanized given name: two or three Korean syllables, optionally hyphenated (Ji-yeon, Minji, Seojun).
_SYLLABLE = r"(?:(?:kk|tt|pp|ss|jj|ch|[bcdghjkmnprstwy])?(?:yeo|yae|wae|eo|eu|ae|ai|oe|oo|ui|wa|wo|we|wi|ya|ye|yo|yu|a|e|i|o|u)(?:ng|n|m|l|k|p|t)?)"
_GIVEN = rf"(?=[A-Z])(?i:{_SYLLABLE}-?{_SYLLABLE})(?![A-Za-z])"


_NEXT_CAPITAL = re.compile(r"\s+([A-Z][a-z]+(?:-[A-Z]?[a-z]+)?)")


def _public_full_name(text: str, end: int, public: frozenset[str]) -> bool:
    """Dr. Paul Farmer: a first name followed by a listed public figure's surname."""
    m = _NEXT_CAPITAL.match(text, end)
    return m is not None and m.group(1) in public


def english_name_recognizer(lexicon: Lexicon, language: str) -> GroupRegexRecognizer:
    cue = cue_alternations(lexicon, "english_names")

    title = rf"{cue('titles_en')}\.?"
    # the end of a name, a Korean particle or ending glued on or not (Dr. Lee가, Min-ho Baek이면):
    # \b fails there, Hangul being a word character to Python; no Latin name goes on in Hangul
    end = r"(?![A-Za-z0-9_])"
    # surnames that are English words too (In, So, Do …): only with a title or a hyphenated given name
    short_words = frozenset(lexicon.cue("english_names.short_surnames"))
    institutions = cue("institutions_en")
    all_surnames = "|".join(sorted(lexicon.romanized_surnames, key=len, reverse=True))
    safe = "|".join(sorted(lexicon.romanized_surnames - short_words, key=len, reverse=True))
    short = "|".join(sorted(short_words & lexicon.romanized_surnames, key=len, reverse=True))
    safe_upper = "|".join(sorted({w.upper() for w in lexicon.romanized_surnames - short_words}, key=len, reverse=True))
    eponyms = lexicon.eponyms_en
    western = "|".join(sorted(lexicon.western_given_names, key=len, reverse=True))
    hangul_surnames = literal_alternation(set(lexicon.surnames) - set(lexicon.particles))
    rules = [
        # a Western given name with a Korean surname, with or without a title: one person, one
        # span (Ashley Han, Dr. Sarah Kim, Sarah Kim's), so a redaction leaves no half behind
        Rule("PERSON_ROMANIZED", re.compile(rf"\b(?:{title}\s+)?(?P<v>(?:{western})\s+(?:{all_surnames})){end}(?!-[a-z]|['’](?!s\b)[a-z])"), 0.8, name="romanized.western_given_korean_surname"),
        # … the surname in Hangul, standing alone (Grace 빈, Kevin 표, Daniel 변이): not a particle
        # written apart (Kevin 이 말했어, Sarah 도)
        Rule("PERSON_ROMANIZED", re.compile(rf"(?<![A-Za-z])(?P<v>(?:{western})\s(?:{hangul_surnames})){word_end(lexicon)}"), 0.8,
             name="romanized.western_given_hangul_surname"),
        # an English title before a Korean surname in Hangul (Prof. 곽 aware, Dr. 남궁이)
        Rule("PERSON_ROMANIZED", re.compile(rf"\b{title}\s?(?P<v>{hangul_surnames}){word_end(lexicon)}"), 0.8,
             name="romanized.title_hangul_surname"),
        # a passport's way, the surname in capitals (CHA HYUNJOO, KIM Yuju), or the given name's
        # syllables apart (Kim Yu Ju)
        Rule("PERSON_ROMANIZED", re.compile(
            rf"\b(?P<v>(?:{safe_upper})\s(?:(?=[A-Z]{{4,}}\b)(?i:{_SYLLABLE}{_SYLLABLE})\b|(?=[A-Z][a-z]){_GIVEN})){end}"), 0.75,
             name="romanized.surname_in_capitals"),
        Rule("PERSON_ROMANIZED", re.compile(rf"\b(?P<v>(?:{safe})\s(?=[A-Z])(?i:{_SYLLABLE})\s(?=[A-Z])(?i:{_SYLLABLE})){end}"), 0.7,
             name="romanized.given_syllables_apart"),
        # initials and a surname (J.W. Kim, SJ Oh, G. Min); a given name and an initial (Dahye K.)
        Rule("PERSON_ROMANIZED", re.compile(rf"\b(?<![A-Za-z]\.)(?!U\.S\.|U\.K\.)(?P<v>(?:(?:[A-Z]\.){{1,2}}\s?|[A-Z]{{2}}\s)(?:{safe})){end}"), 0.7,
             name="romanized.initials_surname"),
        Rule("PERSON_ROMANIZED", re.compile(rf"\b(?P<v>(?:{_GIVEN}|{western})\s[A-Z]\.)(?![A-Za-z])"), 0.7,
             name="romanized.given_initial"),
        # … the surname first, the given name's initials after it (pt Byeon M.S., Kim J.H.)
        Rule("PERSON_ROMANIZED", re.compile(rf"\b(?P<v>(?:{safe})\s(?:[A-Z]\.){{2}})(?![A-Za-z])"), 0.7,
             name="romanized.surname_initials"),
        # a name someone goes by, with their real name after it (Sunny (본명 빈선희), R2 Jiwoo, 본명 모지우)
        Rule("PERSON_ROMANIZED", re.compile(rf"\b(?P<v>[A-Z][a-z]{{2,15}}){end}(?=\s?(?:\(|,)\s?{cue('real_name_labels')}\s)"), 0.7,
             name="romanized.goes_by"),
        # title + initial + surname: "Dr. A Chen", "Prof. J. Park" (the surname with the initial)
        Rule("PERSON_ROMANIZED", re.compile(rf"\b{title}\s+(?P<v>[A-Z]\.?\s+[A-Z][a-z]{{1,15}}){end}"), 0.8,
             veto=lambda t, s, e: t[s:e].split()[-1] in eponyms, name="romanized.title_initial_surname"),
        # a romanized given name with a hyphen, in lower case: "Kwon soon-il"
        Rule("PERSON_ROMANIZED", re.compile(
            rf"\b(?P<v>(?:{all_surnames})\s+(?i:{_SYLLABLE}-{_SYLLABLE}))(?![A-Za-z-])"), 0.8, name="romanized.surname_hyphenated_given_lower"),
        # title + surname (+ given name): the name without the title
        Rule("PERSON_ROMANIZED", re.compile(
            rf"\b{title}\s+(?P<v>(?:{all_surnames})(?:\s+{_GIVEN})?|{_GIVEN}\s+(?:{all_surnames})){end}"), 0.85, name="romanized.title_surname"),
        # surname + hyphenated given name, or given + surname
        Rule("PERSON_ROMANIZED", re.compile(
            rf"\b(?P<v>(?:{all_surnames})\s+[A-Z][a-z]+-[a-z]+|[A-Z][a-z]+-[a-z]+\s+(?:{all_surnames})){end}"), 0.85, name="romanized.hyphenated_given"),
        Rule("PERSON_ROMANIZED", re.compile(rf"\b(?P<v>(?:{safe})\s+{_GIVEN}){end}(?!\s+{institutions})"), 0.6, name="romanized.surname_given"),
        # … a surname that is an English word too, starting a line and closing it or before a comma
        # or a chat's time: a sign-off or a head ("Yerin Ma, R3, Cardiology"; "Seoyeon Bin  10:03 AM")
        Rule("PERSON_ROMANIZED", re.compile(rf"(?<![^\n])(?P<v>{_GIVEN}\s(?:{short})){end}(?=[ \t]*(?:,|$)|[ \t]{{2}}\d)", re.M), 0.6,
             name="romanized.given_short_surname"),
        # Western order without a hyphen: "Minji Kim"
        Rule("PERSON_ROMANIZED", re.compile(rf"\b(?P<v>{_GIVEN}\s+(?:{safe})){end}(?!\s+{institutions})"), 0.6, name="romanized.given_surname"),
        # a bare surname tied to a place: "Kim from ortho", "Lee at Severance"
        Rule("PERSON_ROMANIZED", re.compile(rf"\b(?P<v>{safe})\s+(?:from\s+(?:the\s)?[A-Za-z]|(?:at|in)\s+(?:the\s)?[A-Z])"), 0.6, name="romanized.surname_at_place"),
        # a romanized surname with a Korean title: "Park 교수님", "Kim 쌤"
        Rule("PERSON_ROMANIZED", re.compile(
            rf"(?<![A-Za-z])(?P<v>{all_surnames})\s?(?={cue('korean_titles')})"), 0.75, name="romanized.surname_korean_title"),
        # a Western or romanized given name with a Korean title: "Ashley쌤", "Kevin 선생님", "Seha쌤" (a
        # colleague by first name)
        Rule("PERSON_ROMANIZED", re.compile(
            rf"(?<![A-Za-z])(?P<v>{western}|{_GIVEN})\s?(?={cue('korean_titles')})"), 0.75, name="romanized.given_korean_title"),
        # title + any other capitalised surname (Dr. Miller), eponyms and public figures excepted
        Rule("PERSON_ROMANIZED", re.compile(rf"\b{cue('titles_any_surname_en')}\.?\s+(?P<v>[A-Z][a-z]{{2,15}}){end}(?!['’]s\s+{cue('eponym_nouns_en')})"),
             0.6, veto=lambda t, s, e: t[s:e] in eponyms or _public_full_name(t, e, eponyms), name="romanized.title_other_surname"),
        # a romanized surname masked as Korean names are (Lee**, Park OO, Kim○○): the mask is the name's
        Rule("PERSON_MASKED_NAME", re.compile(rf"\b(?P<v>(?:{safe})\s?(?:\*{{2,3}}|OO|○○|XX)(?![A-Za-z*]))"), 0.8,
             name="romanized.masked"),
        # a Western given name with a Korean particle or a quoting ending glued on, in a Korean
        # sentence: someone called by it (Sophie라고 부르는, Jenny한테, Grace가)
        Rule("PERSON_ROMANIZED", re.compile(rf"(?<![A-Za-z])(?P<v>{western})(?=(?:{cue('glued_endings')})(?![가-힣]))"), 0.7,
             name="romanized.western_given_glued"),
        # title + single initial: Prof. L, Dr. K.
        Rule("PERSON_INITIAL", re.compile(rf"\b{title}\s+(?P<v>[A-Z])(?![a-z])"), 0.75, name="romanized.title_initial"),
    ]
    not_persons = frozenset(lexicon.hospitals) | lexicon.public_figures_en
    public = re.compile("|".join(re.escape(p) for p in sorted(lexicon.public_figures_en, key=len, reverse=True)))
    longest = max(map(len, lexicon.public_figures_en))

    def in_public_name(t: str, s: int, e: int) -> bool:
        """Yoon Suk | Suk Yeol inside "Yoon Suk Yeol": part of a public figure's name."""
        return any(m.start() <= s and e <= m.end() for m in public.finditer(t, max(0, e - longest), min(len(t), s + longest)))

    # "Kyung Hee": a hospital's name read as surname + given name; "Moon Jae-in": a public figure,
    # whole or in part
    rules = [replace(r, veto=(lambda veto: lambda t, s, e: t[s:e] in not_persons or in_public_name(t, s, e)
                              or (veto is not None and veto(t, s, e)))(r.veto))
             for r in rules]
    capital = re.compile(r"[A-Z][a-z]")
    # every rule starts at a capital letter: say so up front so other positions are skipped fast
    rules = [replace(r, regex=re.compile("(?=[A-Z])" + r.regex.pattern, r.regex.flags), hint=capital) for r in rules]
    # all in lower case, as typed in chats: "lee ha-eun" (the hyphenated given name makes it a name)
    rules.append(Rule("PERSON_ROMANIZED", re.compile(
        rf"(?<![A-Za-z])(?P<v>(?:{safe.lower()})\s+{_SYLLABLE}-{_SYLLABLE})(?![A-Za-z-])"), 0.75,
        hint=re.compile(r"[a-z]-[a-z]"), name="romanized.lowercase_hyphenated"))
    # a role word before a romanized surname: "our attending Lee", "charge nurse Kim" (starts lowercase)
    rules.append(Rule("PERSON_ROMANIZED", re.compile(
        rf"\b{cue('roles_en')}\s+(?P<v>(?:{safe})(?:\s+{_GIVEN})?){end}"),
        0.7, hint=capital, name="romanized.role_before_surname"))
    return RomanizedNameRecognizer(rules, lexicon.romanized_surnames, language)


class RomanizedNameRecognizer(GroupRegexRecognizer):
    """The romanized-name rules, and every other mention of a found name's given name (Tiffany
    Nam … Tiffany가; Kang Seoyeon … Seoyeon쌤), so a redaction leaves none of the person behind."""

    REPEAT_SCORE = 0.7

    def __init__(self, rules: list[Rule], surnames: frozenset[str], language: str) -> None:
        super().__init__("RomanizedNameRecognizer", rules, supported_language=language)
        self._surnames = surnames

    def analyze(self, text: str, entities: list[str], nlp_artifacts=None) -> list[RecognizerResult]:
        results = super().analyze(text, entities, nlp_artifacts)
        given: dict[str, float] = {}  # given name: the best score of a full name it is part of
        for r in results:
            for part in _parts(text[r.start:r.end]) if r.entity_type == "PERSON_ROMANIZED" else ():
                if part not in self._surnames:
                    given[part] = max(given.get(part, 0.0), r.score)
        if not given:
            return results
        found = SpanIndex(results)
        for m in re.finditer(rf"(?<![A-Za-z])(?:{literal_alternation(given)})(?![A-Za-z])", text):
            if not found.overlaps(m.start(), m.end()):
                score = min(self.REPEAT_SCORE, given[m.group()])  # no surer than the name it repeats
                results.append(RecognizerResult("PERSON_ROMANIZED", m.start(), m.end(), score,
                                                analysis_explanation=explanation(self.name, "romanized.given_name_repeat", score)))
        return results


def _parts(name: str) -> list[str]:
    """The words of a full name that may be its given name (Tiffany, Seoyeon; not an initial)."""
    words = re.findall(r"[A-Za-z][A-Za-z-]+", name)
    return [w for w in words if len(words) > 1 and len(w) >= 3 and w[0].isupper()]
