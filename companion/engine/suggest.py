"""Step 4: a concrete, readable replacement for each finding.

A person with a title reads as Korean writes about someone unnamed: 김성호 교수 … 김 교수 →
한 교수 … 그 교수. Letters (A씨, B 교수) are used where the draft itself writes people as letters
(K교수, Mr. K: those initials are left as they are), where two people share a title, and for a
name with no title after it. Contacts and IDs are removed; a role becomes a role of the same kind
(수간호사님 → 간호사님), a unit every hospital has stays (응급실), other workplaces and details
are generalised (data/generalisations.tsv).
"""
from __future__ import annotations

import re
import string

from .findings import Finding
from .lexicon import load_lexicon
from .persons import Person

_LEXICON = load_lexicon()
_TITLE_AFTER = re.compile(r"\s?(" + "|".join(re.escape(t) for t in _LEXICON.titles) + ")")
#: how a titled person is written when it is not named: first mention, later mentions
_UNNAMED = {"ko": ("한", "그"), "en": None}

_GENERAL = {
    "ko": {
        "contact": "[연락처 삭제]", "id": "[번호 삭제]",
        "HOSPITAL": "한 병원", "UNIVERSITY_HOSPITAL": "한 대학병원", "DEPARTMENT": "한 진료과", "WARD": "한 병동",
        "AFFILIATION": "한 병원",
        "TRAINING_YEAR": "전공의", "ROLE": "한 직원", "UNIQUE_ROLE": "한 직원", "AGE_GENDER": "[나이·성별 생략]",
        "ROOM": "한 병실", "DATED_EVENT": "[시기 생략]", "NICKNAME": "[별명 삭제]", "LAB": "한 연구실", "harm": "[표현 삭제]", "person_suffix": "씨",
        "HARM_INSULT": "[모욕 표현 삭제]", "HARM_SEXUAL": "[성적 소문 삭제]",
        "HARM_ACCUSATION": "[확인 안 된 내용 삭제 — 사실이면 공식 절차로 신고]", "HARM_THREAT": "[위협 표현 삭제]",
        "HARM_DOX": "[신상 공개 요청 삭제]",
    },
    "en": {
        "contact": "[contact removed]", "id": "[number removed]",
        "HOSPITAL": "a hospital", "UNIVERSITY_HOSPITAL": "a university hospital", "DEPARTMENT": "a department",
        "WARD": "a ward", "AFFILIATION": "a hospital",
        "TRAINING_YEAR": "a trainee", "ROLE": "a staff member", "UNIQUE_ROLE": "a staff member",
        "AGE_GENDER": "[age/sex omitted]", "ROOM": "a room", "DATED_EVENT": "[date omitted]",
        "NICKNAME": "[nickname removed]", "LAB": "a lab", "harm": "[removed]",
        "HARM_INSULT": "[insult removed]", "HARM_SEXUAL": "[sexual rumour removed]",
        "HARM_ACCUSATION": "[unverified claim removed; report it through official channels if true]",
        "HARM_THREAT": "[threat removed]", "HARM_DOX": "[call to expose removed]",
        "person_suffix": "",
    },
}
_REASON = {
    "ko": {
        "PERSON_FULL_NAME": "실명: 누구인지 바로 알 수 있습니다",
        "PERSON_ROSTER": "명단에 있는 이름입니다",
        "PERSON_GIVEN_NAME": "이름(성 없이)도 같은 사람을 가리킵니다",
        "PERSON_SURNAME_TITLE": "성 + 직함: 소속이 드러나면 특정인이 됩니다",
        "PERSON_MASKED_NAME": "가린 이름(김OO·김모)도 맥락과 함께면 누구인지 드러납니다",
        "PERSON_INITIAL": "이니셜 + 직함도 소속 사람들은 알아봅니다",
        "PERSON_CHOSUNG": "초성만 써도 아는 사람은 알아봅니다",
        "PERSON_ROMANIZED": "영문 이름: 누구인지 알 수 있습니다",
        "contact": "개인 연락처: 당사자에게 바로 닿을 수 있습니다",
        "id": "개인 식별번호: 그대로 노출되면 안 됩니다",
        "affiliation": "소속: 이름과 함께 있으면 특정인을 좁힙니다",
        "detail": "세부 정보(연차·역할·시기 등): 대상을 한 사람으로 좁힙니다",
        "harm": "특정인을 향한 공격적 표현(모욕·소문·비난·위협)입니다",
        "HARM_INSULT": "모욕: 사람을 깎아내리는 말은 모욕죄가 될 수 있습니다",
        "HARM_SEXUAL": "성적 소문: 사실이든 아니든 퍼뜨리면 명예훼손·성희롱이 될 수 있습니다",
        "HARM_ACCUSATION": "확인 안 된 비난(명예훼손 위험): 사실이어도 게시판에 쓰면 명예훼손이 될 수 있습니다",
        "HARM_THREAT": "위협: 해를 끼치겠다는 말은 협박이 될 수 있습니다",
        "HARM_DOX": "신상 공개: 신상을 퍼뜨리거나 함께 괴롭히자는 말은 처벌받을 수 있습니다",
    },
    "en": {
        "PERSON_FULL_NAME": "A full name: anyone can tell who it is",
        "PERSON_ROSTER": "A name on the configured roster",
        "PERSON_GIVEN_NAME": "A given name pointing at the same person",
        "PERSON_SURNAME_TITLE": "Surname + title: with the workplace it names one person",
        "PERSON_MASKED_NAME": "A masked name still points at one person in context",
        "PERSON_INITIAL": "An initial + title: colleagues will know who it is",
        "PERSON_CHOSUNG": "Korean initials: colleagues will know who it is",
        "PERSON_ROMANIZED": "A name: readers can tell who it is",
        "contact": "A personal contact: reaches the person directly",
        "id": "A personal ID number",
        "affiliation": "Workplace: next to a name it narrows down who is meant",
        "detail": "A detail (year, role, date) that narrows it down to one person",
        "harm": "Words attacking a person (insult, rumour, accusation, threat)",
        "HARM_INSULT": "Insult: demeaning words about a person can be actionable",
        "HARM_SEXUAL": "Sexual rumour: spreading it, true or not, can be defamation or harassment",
        "HARM_ACCUSATION": "Unverified accusation (defamation risk): even if true, posting it can be defamation",
        "HARM_THREAT": "Threat: saying you will harm someone can be a crime",
        "HARM_DOX": "Exposure: spreading someone's details or calling others to harass them",
    },
}


def assign_labels(persons: list[Person], text: str) -> None:
    """Letters A, B, … in order of first mention, skipping letters used as initials in the draft
    (where letters are what the suggestion uses, see ``_name_suggestions``)."""
    used = set(re.findall(r"(?<![A-Za-z])([A-Z])(?![a-z])", text))
    letters = [c for c in string.ascii_uppercase if c not in used] or list(string.ascii_uppercase)
    lettered = [p for p in persons if any(m.entity_type != "PERSON_INITIAL" for m in p.mentions)]  # K교수 keeps K
    for i, person in enumerate(sorted(lettered, key=lambda p: min(m.start for m in p.mentions))):
        person.label = letters[i % len(letters)] + ("" if i < len(letters) else str(i // len(letters) + 1))


def suggest(findings: list[Finding], persons: list[Person], text: str, language: str) -> None:
    words = _GENERAL.get(language, _GENERAL["en"])
    reasons = _REASON.get(language, _REASON["en"])
    names = _name_suggestions(findings, persons, text, language, words)
    for f in findings:
        f.reason = reasons.get(f.entity_type) or reasons[f.category]
        if f.category == "name":
            f.suggestion = names[id(f)]
        elif f.category == "harm":
            f.suggestion = words.get(f.entity_type, words["harm"])  # fits the kind of harm
        elif f.category in ("contact", "id"):
            f.suggestion = words[f.category]
        elif f.entity_type == "TRAINING_YEAR":
            f.suggestion = _training_year(f.text, language)
        elif f.entity_type == "HOSPITAL" and re.search(r"대|Univ|University|대학", f.text):
            f.suggestion = words["UNIVERSITY_HOSPITAL"]
        else:
            general = words.get(f.entity_type, words["AFFILIATION" if f.category == "affiliation" else "ROLE"])
            f.suggestion = _generalised(f, language) or general


def _title(text: str, end: int) -> str:
    """The title right after a name (교수님 → 교수), or ""."""
    m = _TITLE_AFTER.match(text, end)
    return m.group(1).removesuffix("님") if m else ""


def _name_suggestions(findings: list[Finding], persons: list[Person], text: str, language: str,
                      words: dict[str, str]) -> dict[int, str]:
    """The replacement of every name finding (by ``id()``), one person written one way."""
    names = [f for f in findings if f.category == "name"]
    labels = {p.key: p.label for p in persons}
    unnamed = _UNNAMED.get(language)
    letters = any(f.entity_type == "PERSON_INITIAL" for f in names)  # the draft writes people as letters
    titles: dict[str, set[str]] = {}
    for f in names:
        if _title(text, f.end):
            titles.setdefault(_title(text, f.end), set()).add(f.person or "")
    seen: set[str] = set()
    out: dict[int, str] = {}
    for f in sorted(names, key=lambda f: f.start):
        key = f.person or ""
        title = _title(text, f.end)
        if f.entity_type == "PERSON_INITIAL":
            out[id(f)] = f.text  # already anonymised: re-lettering it would only confuse
        elif unnamed and title and not letters and len(titles[title]) == 1:
            gap = "" if text[f.end:f.end + 1].isspace() else " "
            out[id(f)] = unnamed[key in seen] + gap
        else:
            label = labels.get(key, "A")
            out[id(f)] = label if title or not words["person_suffix"] else label + words["person_suffix"]
        seen.add(key)
    return out


def _generalised(f: Finding, language: str) -> str:
    """The listed replacement for the longest listed ending of a role or unit ("=": kept as written)."""
    table = _LEXICON.generalisations.get(f.entity_type)
    if not table:
        return ""
    word = f.text.strip()
    for i in range(len(word)):
        entry = table.get(word[i:]) or table.get(word[i:].lower())
        if entry:
            chosen = entry[0] if language == "ko" else entry[1]
            return f.text if chosen == "=" else chosen
    return ""


def _training_year(text: str, language: str) -> str:
    """R2 → 전공의, 3년차 → 몇 년차, 본과 3학년 → 의대생, second-year fellow → fellow."""
    lowered = text.lower()
    if language != "ko":
        for word in ("fellow", "intern", "student"):
            if word in lowered:
                return word
        return "trainee"
    if "학년" in text:
        return "의대생"
    if "년차" in text:
        return "몇 년차"
    return "전공의"
