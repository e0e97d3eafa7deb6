"""The Finding record, deterministic ids, spans and UTF-16 offsets (entity types: see entities.py)."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Sequence


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


def stripped(text: str, start: int, end: int) -> tuple[int, int]:
    """The span ``text[start:end]`` without whitespace at its ends."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


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
