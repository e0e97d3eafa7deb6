"""Step 3b: the risk level of a draft from the combination of what it exposes.

none: nothing; low: weak signals only (a detail, harsh words with no one identifiable);
medium: someone identifiable (by a name, by a mask or an initial with a workplace or a role, or
by a combination); high: identifiable and harmed, or a contact/ID exposed;
critical: identifiable, harmed, and a contact/ID or a threat/call to expose.
"""
from __future__ import annotations

from .entities import LANGUAGES, messages, word
from .findings import Finding
from .persons import Person

_THREAT = ("HARM_THREAT", "HARM_DOX")
#: names that hide who is meant: someone only with a workplace (not a department alone) or a role
_DISGUISED = ("PERSON_MASKED_NAME", "PERSON_INITIAL", "PERSON_CHOSUNG")
_PLACING = ("ROLE", "UNIQUE_ROLE", "TRAINING_YEAR")


def _batchim(text: str) -> bool:
    """The last syllable ends in a consonant (이/가, 과/와 agree with it)."""
    return "가" <= text[-1] <= "힣" and (ord(text[-1]) - 0xAC00) % 28 != 0


def _subject(kinds: list[str], language: str) -> str:
    """The exposed kinds as the subject of the sentence: 전화번호와 주민등록번호가 / a phone number and …"""
    if language != "ko":
        return " and ".join(kinds) if len(kinds) <= 2 else ", ".join(kinds[:-1]) + " and " + kinds[-1]
    # 주민등록번호, 면허번호와 휴대전화번호가: commas, then 과/와 before the last
    joined = ", ".join(kinds[:-1])
    if joined:
        joined += ("과 " if _batchim(joined) else "와 ")
    joined += kinds[-1]
    return joined + ("이" if _batchim(joined) else "가")


def _harm_kinds(harm: list[Finding], language: str) -> str:
    """The kinds of harm in the draft, in the order the language's messages list them."""
    order = [k.removeprefix("harm.") for k in messages(language) if k.startswith("harm.")]
    kinds = sorted({f.entity_type for f in harm if f.entity_type in order}, key=order.index)
    return ", ".join(word(language, f"harm.{k}") for k in kinds) if kinds else word(language, "harm.HARM_INSULT")


def _kind(f: Finding, language: str) -> str:
    return word(language, f"kind.{f.entity_type}", f"kind.{f.category}")


#: why an analysis that ran out of time is incomplete, in both languages (the API's ``incomplete.reason``)
INCOMPLETE_REASON = {language: word(language, "risk.incomplete") for language in LANGUAGES}


def assess(findings: list[Finding], persons: list[Person], combo: list[Finding], language: str,
           loose_details: bool = False, incomplete: bool = False) -> dict:
    """``loose_details``: the draft has details or workplaces that point at no one (a weak signal).
    ``incomplete``: the analysis ran out of time; the level is that of what was found, and never
    "none" (nothing found is not nothing there)."""
    def t(key: str, **what: str) -> str:
        return word(language, f"risk.{key}").format(**what)

    # one example mention per person: "김성호, 윤" rather than every repetition. A person known
    # only by a mask or an initial (김OO, A씨, ㄱㅊㅅ) is someone only with a workplace or a role
    # beside (ㅂㅈㅎ 선생 R2; not D군(8)과 E양(5), the children of a news report)
    placed = any(f.entity_type in _PLACING or (f.category == "affiliation" and f.entity_type != "DEPARTMENT")
                 for f in findings)
    names = [min(p.mentions, key=lambda m: m.start) for p in persons
             if p.mentions and (placed or any(m.entity_type not in _DISGUISED for m in p.mentions))]
    exposed = [f for f in findings if f.category in ("contact", "id")]
    harm = [f for f in findings if f.category == "harm"]
    threat = [f for f in harm if f.entity_type in _THREAT]
    identified = bool(names) or bool(combo)
    reasons: list[str] = []
    if names:
        reasons.append(t("name", what=", ".join(dict.fromkeys(f.text for f in sorted(names, key=lambda m: m.start)[:3]))))
    elif combo:
        reasons.append(t("combo", what=" + ".join(dict.fromkeys(f.text for f in combo[:3]))))
    if exposed:
        reasons.append(t("contact", what=_subject(list(dict.fromkeys(_kind(f, language) for f in exposed)), language)))
    if identified and harm:
        reasons.append(t("harm", what=_harm_kinds(harm, language)))
    if threat:
        reasons.append(t("threat"))

    if identified and harm and (exposed or threat):
        level = "critical"
    elif (identified and harm) or exposed:
        level = "high"
    elif identified:
        level = "medium"
    elif harm or findings or loose_details:
        level = "low"
        reasons.append(t("weak"))
    elif incomplete:
        level = "low"
    else:
        level = "none"
    if incomplete:
        reasons.append(t("incomplete"))
    return {"level": level, "reasons": reasons}
