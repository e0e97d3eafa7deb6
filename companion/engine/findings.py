"""The Finding record, categories of entity types, deterministic ids and UTF-16 offsets."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Sequence

CATEGORIES = ("name", "contact", "id", "affiliation", "detail", "harm")
IDENTITY = ("name", "contact", "id", "affiliation", "detail")

_CATEGORY_BY_TYPE = {
    "KR_MOBILE_PHONE": "contact", "PHONE_NUMBER": "contact", "EMAIL_ADDRESS": "contact",
    "MESSENGER_ID": "contact", "HOME_ADDRESS": "contact",
    "KR_RRN": "id", "KR_FRN": "id", "KR_BRN": "id", "KR_PASSPORT": "id", "KR_DRIVER_LICENSE": "id",
    "MEDICAL_LICENSE": "id", "EMPLOYEE_ID": "id", "CHART_NUMBER": "id",
    "HOSPITAL": "affiliation", "DEPARTMENT": "affiliation", "WARD": "affiliation", "UNIT": "affiliation", "LAB": "affiliation", "AFFILIATION": "affiliation",
    "TRAINING_YEAR": "detail", "ROLE": "detail", "UNIQUE_ROLE": "detail", "AGE_GENDER": "detail",
    "ROOM": "detail", "DATED_EVENT": "detail", "NICKNAME": "detail",
    # Presidio's own types, for recognizers added to ``Engine.registry`` later
    "PERSON": "name", "CREDIT_CARD": "id", "IBAN_CODE": "id", "US_SSN": "id", "US_PASSPORT": "id",
    "US_DRIVER_LICENSE": "id", "IP_ADDRESS": "contact", "URL": "contact",
}
#: when identity findings overlap, the higher rank wins (then the longer span, then the score)
RANK = {"contact": 5, "id": 5, "name": 4, "affiliation": 2, "detail": 2, "harm": 0}


def category_of(entity_type: str) -> str:
    """The API category of an entity type. A type nobody mapped comes from a recognizer someone
    added to the registry to catch something specific: it is reported as an identifier."""
    if entity_type.startswith("PERSON_"):
        return "name"
    if entity_type.startswith("HARM_"):
        return "harm"
    return _CATEGORY_BY_TYPE.get(entity_type, "id")


@dataclass
class Finding:
    entity_type: str
    category: str
    start: int  # code points into the original text
    end: int
    score: float
    text: str = ""
    person: str | None = None
    reason: str = ""
    suggestion: str = ""
    id: str = ""
    extra: dict = field(default_factory=dict)

    def overlaps(self, other: "Finding") -> bool:
        return self.start < other.end and other.start < self.end


def finding_id(text_digest: str, f: Finding) -> str:
    """Same text, same span, same type → same id; ids of one text never match another's."""
    key = f"{text_digest}:{f.start}:{f.end}:{f.entity_type}".encode()
    return "f_" + hashlib.sha1(key).hexdigest()[:12]


def text_digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


def utf16_offsets(text: str) -> Sequence[int]:
    """utf16[i] = UTF-16 offset of code point i (len(text)+1 entries). Text without characters
    outside the BMP (no emoji) needs no table: the offsets are the code-point offsets."""
    if _ASTRAL.search(text) is None:
        return range(len(text) + 1)
    out = [0]
    acc = 0
    for ch in text:
        acc += 2 if ord(ch) >= 0x10000 else 1
        out.append(acc)
    return out
