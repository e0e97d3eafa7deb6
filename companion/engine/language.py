"""Which language a draft is in: Korean when Hangul makes up a real share of its letters."""
from __future__ import annotations

import re

_HANGUL = re.compile(r"[가-힣ㄱ-ㅣ]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_language(text: str) -> str:
    hangul = len(_HANGUL.findall(text))
    latin = len(_LATIN.findall(text))
    if hangul == 0:
        return "en"
    # a Korean draft with English terms stays Korean; an English draft with a few Korean words stays English
    return "ko" if hangul * 3 >= latin * 0.5 else "en"
