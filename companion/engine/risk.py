"""Step 3b: the risk level of a draft from the combination of what it exposes.

none: nothing; low: weak signals only (a detail, harsh words with no one identifiable);
medium: someone identifiable; high: identifiable and harmed, or a contact/ID exposed;
critical: identifiable, harmed, and a contact/ID or a threat/call to expose.
"""
from __future__ import annotations

from .findings import Finding
from .persons import Person

_THREAT = ("HARM_THREAT", "HARM_DOX")

_TEXT = {
    "ko": {
        "name": "이름이나 이름을 대신하는 표현({what})으로 특정인을 알아볼 수 있습니다",
        "combo": "소속과 세부 정보({what})의 조합으로 특정인을 알아볼 수 있습니다",
        "contact": "연락처나 식별번호({what})가 드러나 있습니다",
        "harm": "특정인을 향한 공격적 표현({what})이 있습니다",
        "threat": "위협이나 신상 공개를 부추기는 표현이 있습니다",
        "weak": "특정인을 알아보기는 어렵지만 주의할 표현이 있습니다",
        "incomplete": "글이 너무 복잡해 끝까지 확인하지 못했습니다: 찾은 것만 표시합니다",
    },
    "en": {
        "name": "A name or name substitute ({what}) lets readers tell who is meant",
        "combo": "Workplace and details together ({what}) point at one person",
        "contact": "A contact or ID ({what}) is exposed",
        "harm": "Words attacking an identifiable person ({what})",
        "threat": "A threat or a call to expose someone",
        "weak": "No one is identifiable, but some details or harsh words deserve a look",
        "incomplete": "Too complex to check completely: only what was found in time is shown",
    },
}


#: How a reason names an exposed contact or ID: by kind, in the draft's language.
_KINDS = {
    "ko": (("PHONE", "전화번호"), ("EMAIL", "이메일"), ("MESSENGER", "메신저·SNS 아이디"), ("ADDRESS", "주소"), ("", "식별번호")),
    "en": (("PHONE", "phone number"), ("EMAIL", "e-mail"), ("MESSENGER", "messenger or SNS ID"), ("ADDRESS", "address"),
           ("", "ID number")),
}


#: How a reason names a kind of harm, in the draft's language.
_HARM_KINDS = {
    "ko": {"HARM_INSULT": "모욕", "HARM_SEXUAL": "성적 소문", "HARM_ACCUSATION": "확인 안 된 비난(명예훼손 위험)",
           "HARM_THREAT": "위협", "HARM_DOX": "신상 공개"},
    "en": {"HARM_INSULT": "insult", "HARM_SEXUAL": "sexual rumour", "HARM_ACCUSATION": "unverified accusation (defamation risk)",
           "HARM_THREAT": "threat", "HARM_DOX": "exposure"},
}


def _harm_kinds(harm: list[Finding], language: str) -> str:
    names = _HARM_KINDS.get(language, _HARM_KINDS["en"])
    order = list(names)
    kinds = sorted({f.entity_type for f in harm if f.entity_type in names}, key=order.index)
    return ", ".join(names[k] for k in kinds) if kinds else names["HARM_INSULT"]


def _kind(entity_type: str, language: str) -> str:
    return next(label for key, label in _KINDS.get(language, _KINDS["en"]) if key in entity_type)


#: why an analysis that ran out of time is incomplete, in both languages (the API's ``incomplete.reason``)
INCOMPLETE_REASON = {language: texts["incomplete"] for language, texts in _TEXT.items()}


def assess(findings: list[Finding], persons: list[Person], combo: list[Finding], language: str,
           loose_details: bool = False, incomplete: bool = False) -> dict:
    """``loose_details``: the draft has details or workplaces that point at no one (a weak signal).
    ``incomplete``: the analysis ran out of time; the level is that of what was found, and never
    "none" (nothing found is not nothing there)."""
    t = _TEXT.get(language, _TEXT["en"])
    # one example mention per person: "김성호, 윤" rather than every repetition
    names = [min(p.mentions, key=lambda m: m.start) for p in persons if p.mentions]
    exposed = [f for f in findings if f.category in ("contact", "id")]
    harm = [f for f in findings if f.category == "harm"]
    threat = [f for f in harm if f.entity_type in _THREAT]
    identified = bool(names) or bool(combo)
    reasons: list[str] = []
    if names:
        reasons.append(t["name"].format(what=", ".join(dict.fromkeys(f.text for f in sorted(names, key=lambda m: m.start)[:3]))))
    elif combo:
        reasons.append(t["combo"].format(what=" + ".join(dict.fromkeys(f.text for f in combo[:3]))))
    if exposed:
        reasons.append(t["contact"].format(what=", ".join(dict.fromkeys(_kind(f.entity_type, language) for f in exposed))))
    if identified and harm:
        reasons.append(t["harm"].format(what=_harm_kinds(harm, language)))
    if threat:
        reasons.append(t["threat"])

    if identified and harm and (exposed or threat):
        level = "critical"
    elif (identified and harm) or exposed:
        level = "high"
    elif identified:
        level = "medium"
    elif harm or findings or loose_details:
        level = "low"
        reasons.append(t["weak"])
    elif incomplete:
        level = "low"
    else:
        level = "none"
    if incomplete:
        reasons.append(t["incomplete"])
    return {"level": level, "reasons": reasons}
