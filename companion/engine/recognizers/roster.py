"""Names from the configured roster: always caught, with particles glued on or spelled apart."""
from __future__ import annotations

import re
from pathlib import Path

from .regex_base import GroupRegexRecognizer, Rule


def read_roster(path: str | Path | None) -> list[str]:
    """One name per line (UTF-8); blank lines and # comments skipped."""
    if not path:
        return []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"[detection] roster: cannot read {path} as a UTF-8 file of names ({exc})") from exc
    return [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]


def roster_recognizer(names: list[str], language: str) -> GroupRegexRecognizer | None:
    if not names:
        return None
    # each name may be spelled with spaces or dots between its characters (김.성.호, 김 성 호)
    spelled = [r"[\s.·]?".join(re.escape(ch) for ch in name.replace(" ", "")) for name in names]
    alternation = "|".join(sorted(spelled, key=len, reverse=True))
    regex = re.compile(rf"(?<![가-힣A-Za-z])(?:{alternation})(?![A-Za-z])", re.I)
    return GroupRegexRecognizer("RosterRecognizer", [Rule("PERSON_ROSTER", regex, 1.0, name="roster.listed_name")], supported_language=language)
