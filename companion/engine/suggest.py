"""Step 4: a concrete, readable replacement for each finding.

One placeholder letter per person, used for every mention (김성호 교수 … 김 교수 → A 교수 …
A 교수); contacts and IDs removed; workplaces and details generalised.
"""
from __future__ import annotations

import re
import string

from .findings import Finding
from .persons import Person

_TITLE_AFTER = re.compile(r"\s?(?:교수|선생|쌤|샘|간호사|원장|과장|실장|부장|팀장|전공의|레지던트|인턴|펠로우|씨|님|약사|선배|후배|환자|할머니|할아버지)")

_GENERAL = {
    "ko": {
        "contact": "[연락처 삭제]", "id": "[번호 삭제]",
        "HOSPITAL": "한 병원", "UNIVERSITY_HOSPITAL": "한 대학병원", "DEPARTMENT": "한 진료과", "WARD": "한 병동",
        "AFFILIATION": "한 병원",
        "TRAINING_YEAR": "전공의", "ROLE": "한 직원", "UNIQUE_ROLE": "한 직원", "AGE_GENDER": "[나이·성별 생략]",
        "ROOM": "한 병실", "DATED_EVENT": "예전에", "harm": "[표현 삭제]", "person_suffix": "씨",
    },
    "en": {
        "contact": "[contact removed]", "id": "[number removed]",
        "HOSPITAL": "a hospital", "UNIVERSITY_HOSPITAL": "a university hospital", "DEPARTMENT": "a department",
        "WARD": "a ward", "AFFILIATION": "a hospital",
        "TRAINING_YEAR": "a trainee", "ROLE": "a staff member", "UNIQUE_ROLE": "a staff member",
        "AGE_GENDER": "[age/sex omitted]", "ROOM": "a room", "DATED_EVENT": "some time ago", "harm": "[removed]",
        "person_suffix": "",
    },
}
_REASON = {
    "ko": {"name": "특정인을 가리키는 이름(또는 이름 대용) 표현", "contact": "개인 연락처", "id": "개인 식별번호",
           "affiliation": "특정인의 소속을 좁히는 정보", "detail": "특정인을 좁히는 세부 정보", "harm": "특정인을 향한 공격적 표현"},
    "en": {"name": "Names or stands in for one person", "contact": "A personal contact", "id": "A personal ID number",
           "affiliation": "Narrows down where the person works", "detail": "A detail that narrows down who is meant",
           "harm": "Words attacking a person"},
}


def assign_labels(persons: list[Person], text: str) -> None:
    """Letters A, B, … in order of first mention, skipping letters used as initials in the draft."""
    used = set(re.findall(r"(?<![A-Za-z])([A-Z])(?![a-z])", text))
    letters = [c for c in string.ascii_uppercase if c not in used] or list(string.ascii_uppercase)
    for i, person in enumerate(sorted(persons, key=lambda p: min(m.start for m in p.mentions))):
        person.label = letters[i % len(letters)] + ("" if i < len(letters) else str(i // len(letters) + 1))


def suggest(findings: list[Finding], persons: list[Person], text: str, language: str) -> None:
    words = _GENERAL.get(language, _GENERAL["en"])
    reasons = _REASON.get(language, _REASON["en"])
    labels = {p.key: p.label for p in persons}
    for f in findings:
        f.reason = reasons[f.category]
        if f.category == "name":
            label = labels.get(f.person or "", "A")
            titled = _TITLE_AFTER.match(text, f.end) is not None
            f.suggestion = label if titled or not words["person_suffix"] else label + words["person_suffix"]
        elif f.category in ("contact", "id", "harm"):
            f.suggestion = words[f.category]
        elif f.entity_type == "HOSPITAL" and re.search(r"대|Univ|University|대학", f.text):
            f.suggestion = words["UNIVERSITY_HOSPITAL"]
        else:
            f.suggestion = words.get(f.entity_type, words["AFFILIATION" if f.category == "affiliation" else "ROLE"])
