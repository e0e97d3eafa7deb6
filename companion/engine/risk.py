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
        "contact": "{what} 그대로 드러나 있습니다",
        "harm": "특정인을 향한 공격적 표현({what})이 있습니다",
        "threat": "위협이나 신상 공개를 부추기는 표현이 있습니다",
        "weak": "특정인을 알아보기는 어렵지만 주의할 표현이 있습니다",
    },
    "en": {
        "name": "A name or name substitute ({what}) lets readers tell who is meant",
        "combo": "Workplace and details together ({what}) point at one person",
        "contact": "The draft exposes {what}",
        "harm": "Words attacking an identifiable person ({what})",
        "threat": "A threat or a call to expose someone",
        "weak": "No one is identifiable, but some details or harsh words deserve a look",
    },
}


#: How a reason names an exposed contact or ID, by entity type, in the draft's language; the
#: category's word for any other type.
_KINDS = {
    "ko": {"KR_MOBILE_PHONE": "휴대전화번호", "PHONE_NUMBER": "전화번호", "EMAIL_ADDRESS": "이메일 주소",
           "MESSENGER_ID": "메신저·SNS 아이디", "HOME_ADDRESS": "집 주소", "KR_RRN": "주민등록번호",
           "KR_FRN": "외국인등록번호", "KR_BRN": "사업자등록번호", "KR_PASSPORT": "여권번호",
           "KR_DRIVER_LICENSE": "운전면허번호", "MEDICAL_LICENSE": "면허번호", "EMPLOYEE_ID": "사번",
           "CHART_NUMBER": "차트 번호", "contact": "연락처", "id": "식별번호"},
    "en": {"KR_MOBILE_PHONE": "a mobile phone number", "PHONE_NUMBER": "a phone number", "EMAIL_ADDRESS": "an e-mail address",
           "MESSENGER_ID": "a messenger or SNS ID", "HOME_ADDRESS": "a home address",
           "KR_RRN": "a resident registration number", "KR_FRN": "a foreigner registration number",
           "KR_BRN": "a business registration number", "KR_PASSPORT": "a passport number",
           "KR_DRIVER_LICENSE": "a driver's licence number", "MEDICAL_LICENSE": "a licence number",
           "EMPLOYEE_ID": "an employee number", "CHART_NUMBER": "a chart number", "contact": "a contact", "id": "an ID number"},
}


def _subject(words: list[str], language: str) -> str:
    """The exposed kinds as the subject of the sentence: 전화번호와 주민등록번호가 / a phone number and …"""
    if language != "ko":
        return " and ".join(words) if len(words) <= 2 else ", ".join(words[:-1]) + " and " + words[-1]
    def batchim(word: str) -> bool:
        return "가" <= word[-1] <= "힣" and (ord(word[-1]) - 0xAC00) % 28 != 0
    joined = words[0]
    for w in words[1:]:
        joined += ("과 " if batchim(joined) else "와 ") + w
    return joined + ("이" if batchim(joined) else "가")


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


def _kind(f: Finding, language: str) -> str:
    kinds = _KINDS.get(language, _KINDS["en"])
    return kinds.get(f.entity_type) or kinds[f.category]


def assess(findings: list[Finding], persons: list[Person], combo: list[Finding], language: str,
           loose_details: bool = False) -> dict:
    """``loose_details``: the draft has details or workplaces that point at no one (a weak signal)."""
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
        reasons.append(t["contact"].format(what=_subject(list(dict.fromkeys(_kind(f, language) for f in exposed)), language)))
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
    else:
        level = "none"
    return {"level": level, "reasons": reasons}
