"""Where a person works: hospitals (gazetteer, abbreviations, any "…병원/의료원/의원/보건소"),
departments and units, wards and floors. Emitted here freely; the engine keeps them only
when the draft points at someone (see ``persons``)."""
from __future__ import annotations

import re

from ..lexicon import Lexicon
from .regex_base import GroupRegexRecognizer, Rule, cue_alternations, literal_alternation, word_end


def affiliation_recognizer(lexicon: Lexicon, language: str) -> GroupRegexRecognizer:
    cue = cue_alternations(lexicon, "affiliation")
    #: the end of a word, a particle glued on or not: 푸른숲피부과에서, 강릉 보건소에서
    end = word_end(lexicon)
    #: "AM lab", "routine lab", "f/u lab": lab tests, not a research lab
    lab_tests = frozenset(lexicon.cue("affiliation.lab_tests"))
    #: "박사 연구실", "교수님 랩": the lab of the person just named, not a name of its own
    lab_owner_titles = frozenset(lexicon.cue("affiliation.lab_owner_titles"))
    #: 우리 랩, 저희 연구실, 그 연구실: the writer's or a lab pointed at, not one named
    not_named_lab = lexicon.cue("affiliation.lab_ours") + tuple(f"{w} " for w in lexicon.cue("affiliation.lab_pointed"))
    #: "랩퍼면 랩이나": a clause before the lab, not its name
    not_lab_name = re.compile(rf"{cue('not_lab_name_endings')}$")
    not_town = re.compile(rf"{cue('not_town_endings')}$|^{cue('not_town_words')}$")

    def not_a_town(word: str) -> bool:
        """"다음주에 보건소", "오늘 보건소": the word before is no town."""
        return not_town.search(word) is not None

    generic = lexicon.generic_place_words
    #: a hospital's own building (암병원, 심장혈관병원) is a unit of it, not a hospital of its own
    units = frozenset(lexicon.units)
    towns = lexicon.towns
    korean_depts = [d for d in lexicon.departments if re.search(r"[가-힣]", d)]
    upper_depts = [d for d in lexicon.departments if re.fullmatch(r"[A-Z&]{2,5}", d)]
    english_depts = [d for d in lexicon.departments if d not in korean_depts and d not in upper_depts]

    hospital_words = cue("hospital_words")
    # a listed department ends its word, a particle glued on or not (신경과학 is no 신경과), or has
    # a word of its hospital or a person glued to it: 내과의원, 내과계 중환자실, 내과교수님
    department_tail = literal_alternation(
        w for w in (*lexicon.cue("affiliation.hospital_words"), *lexicon.cue("affiliation.department_tails"),
                    *lexicon.units, *lexicon.roles, *lexicon.titles) if re.match(r"[가-힣]", w))
    department_end = rf"(?:(?={department_tail})|{end})"
    hospital_word_at_end = re.compile(rf"{hospital_words}$")

    def town(word: str) -> bool:
        return (word in towns or f"{word}구" in towns or f"{word}시" in towns
                or re.fullmatch(r"[가-힣]{1,5}(?:시|구|군)", word) is not None)

    def generic_hospital(text: str, start: int, end: int) -> bool:
        name = hospital_word_at_end.sub("", text[start:end]).strip()
        return not name or name in generic or name.split()[-1] in generic

    # a private clinic is named like a department with a name in front: 푸른숲피부과, 연세밝은안과의원
    clinic_suffixes = lexicon.cue("affiliation.clinic_suffixes")
    suffixes_longest_first = sorted(clinic_suffixes, key=len, reverse=True)
    medical_prefixes = {d[: -len(suf)] for d in korean_depts for suf in clinic_suffixes if d.endswith(suf)}
    medical_prefixes |= set(korean_depts) | {""}
    # fields of medicine and nothing else before the suffix make a department, not a clinic's own
    # name: 혈액내과, 소아혈액내과 (but 서울혈액내과 is a clinic)
    only_fields = re.compile(rf"(?:{literal_alternation(set(lexicon.cue('affiliation.department_fields')) | (medical_prefixes - {''}))})+")

    def department_not_clinic(text: str, start: int, end: int) -> bool:
        word = re.sub(r"의원$", "", text[start:end])
        prefix = next((word[: -len(suf)] for suf in suffixes_longest_first if word.endswith(suf)), word)
        return word in korean_depts or prefix in medical_prefixes or prefix in generic or any(
            prefix.endswith(p) for p in medical_prefixes if len(p) >= 2) or only_fields.fullmatch(prefix) is not None

    rules = [
        Rule("HOSPITAL", re.compile(rf"(?<![가-힣])[가-힣]{{2,8}}{cue('clinic_suffixes')}(?:의원)?{end}"), 0.6,
             veto=department_not_clinic, name="affiliation.private_clinic"),
        # a campus named by its town after the hospital: 순천향 부천, 고대 안산
        Rule("HOSPITAL", re.compile(rf"(?<![가-힣A-Za-z])(?:{literal_alternation(lexicon.hospitals)})(?![A-Za-z])"
                                    rf"(?:\s(?:{literal_alternation(towns)}){end})?"), 0.7, name="affiliation.hospital_listed"),
        Rule("HOSPITAL", re.compile(rf"(?<![가-힣0-9A-Za-z])[가-힣○OㅇX*]{{1,10}}{hospital_words}"), 0.65,
             veto=lambda t, s, e: generic_hospital(t, s, e) or t[s:e] in units, name="affiliation.hospital_word"),
        # with its town written before it (강남 차병원, 분당 서울대병원); not 어제 세브란스병원
        Rule("HOSPITAL", re.compile(rf"(?<![가-힣0-9A-Za-z])[가-힣]{{2,6}}\s[가-힣○OㅇX*]{{1,10}}{hospital_words}"), 0.65,
             veto=lambda t, s, e: generic_hospital(t, s, e) or not town(t[s:e].split()[0]), name="affiliation.hospital_after_town"),
        # a public health centre named by its town, written apart: 강릉 보건소, 서초구 보건소
        Rule("HOSPITAL", re.compile(rf"(?<![가-힣])[가-힣]{{2,6}}\s{cue('health_centres')}{end}"), 0.65,
             veto=lambda t, s, e: t[s:e].split()[0] in generic or not_a_town(t[s:e].split()[0]), name="affiliation.public_health_centre"),
        # a centre for one disease inside a hospital: 폐암센터, 척추센터, 뇌졸중센터; its head (센터장) is a role
        Rule("UNIT", re.compile(rf"(?<![가-힣])[가-힣]{{0,4}}{cue('specialty_centres')}센터{end}"), 0.5, name="affiliation.specialty_centre"),
        # a disguised hospital: S병원, A대학병원, K대
        Rule("HOSPITAL", re.compile(rf"(?<![A-Za-z])[A-Z]\s?{cue('initial_hospital_words')}{end}"), 0.6, name="affiliation.hospital_initial"),
        Rule("HOSPITAL", re.compile(r"\b(?:[A-Z][\w.']*\s){1,4}(?:Hospital|Medical Center|Medical Centre|Clinic|Health System)\b"), 0.7, name="affiliation.hospital_en"),
        Rule("HOSPITAL", re.compile(r"(?<![가-힣])[가-힣]{2,6}대(?:학교)?(?=\s(?:" + literal_alternation(tuple(korean_depts)) + r"))"), 0.6,
             veto=lambda t, s, e: t[s:e] in generic or t[s:e][:-1] in generic, name="affiliation.university_before_department"),
        Rule("DEPARTMENT", re.compile(rf"(?<![가-힣])(?:{literal_alternation(tuple(korean_depts))})(?:\s?병동)?{department_end}"), 0.55, name="affiliation.department_listed"),
        # any "…내과/…외과/…의학과" not in the list (혈액내과, 소아신경외과)
        Rule("DEPARTMENT", re.compile(rf"(?<![가-힣])[가-힣]{{1,6}}{cue('department_endings')}{end}"), 0.5,
             veto=lambda t, s, e: t[s:e][:-2] in generic, name="affiliation.department_suffix"),
        Rule("DEPARTMENT", re.compile(rf"(?<![A-Za-z])(?:{literal_alternation(tuple(upper_depts))})(?![A-Za-z])"), 0.5, name="affiliation.department_abbreviation"),
        Rule("DEPARTMENT", re.compile(rf"\b(?:{literal_alternation(tuple(english_depts))})\b", re.I), 0.45, name="affiliation.department_en"),
        # a unit's head (의국장, 외래장) is a role, not the unit
        Rule("UNIT", re.compile(rf"(?<![가-힣A-Za-z])(?:{literal_alternation(lexicon.units)})(?![A-Za-z]|장)"), 0.5, name="affiliation.unit_listed"),
        # a lab is a handful of people: 김성호 연구실, 신경과학 랩, Kim lab, echo lab
        # a particle may follow (김성호 연구실에서, 신경과학 랩에서), but not a 랩 glued on: 스크랩을, 오버랩이
        Rule("LAB", re.compile(rf"(?<![가-힣A-Za-z])[가-힣A-Za-z]{{2,10}}(?:\s?(?:{cue('labs')}|[Ll]ab)(?![A-Za-z]){end}"
                               rf"|\s{cue('labs_apart')}{end}|{cue('labs_apart')}(?![가-힣A-Za-z]))"), 0.55,
             veto=lambda t, s, e: (t[s:e].split()[0] in generic or t[s:e].startswith(not_named_lab)
                                   or not_lab_name.search(t[s:e].split()[0]) is not None
                                   or t[s:e].split()[0].lower() in lab_tests or t[s:e].split()[0] in lab_owner_titles), name="affiliation.lab"),
        # a labelled field in a form or memo: "소속: 내과계 중환자실", "Dept: Neurology"
        Rule("AFFILIATION", re.compile(rf"{cue('field_labels')}\s?[:：]\s?(?P<v>[^\n/,;()]{{2,30}}?)\s*(?=$|[\n/,;()])", re.M), 0.7, name="affiliation.labelled_field"),
        Rule("WARD", re.compile(rf"\b(?:\d{{1,2}}\s?{cue('wings_en')}|[Ww]ard\s?\d{{1,3}}[A-Z]?)\b"), 0.6, name="affiliation.ward_en"),
        Rule("WARD", re.compile(rf"(?<!\d)\d{{1,3}}\s?병동|(?:{cue('buildings')}|[A-Z]동)\s?\d{{1,2}}\s?층(?:\s?[가-힣]*병동)?|(?<!\d)\d{{1,2}}층\s?[가-힣]*병동"), 0.6, name="affiliation.ward_ko"),
    ]
    return GroupRegexRecognizer("AffiliationRecognizer", rules, supported_language=language)
