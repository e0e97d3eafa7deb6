"""Messenger chat exports: the head an exported message line starts with, its time stamp and its
speaker (KakaoTalk PC and mobile, LINE, WhatsApp, Slack and Teams, a pasted "이름: …" transcript).

One source for two recognizers: the speaker is a person's name (``korean_names``), and the
stamp is when a message was sent, not a dated event in someone's life (``details``).
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Callable, Iterator, NamedTuple

#: a message's time as exports show it (오후 2:03, 9:41 PM, 07:04)
_TIME = r"(?:(?:오전|오후)\s?\d{1,2}:\d{2}|\d{1,2}:\d{2}(?:\s?[AaPp][Mm])?)"
_DATE = r"\d{4}(?:년\s?|\.\s?|-|/)\d{1,2}(?:월\s?|\.\s?|-|/)\d{1,2}(?:일|\.)?"
#: WhatsApp's date and time (4/22/24, 22.04.2024; 15:03, 15:03:12, 3:03 pm)
_SHORT_DATE = r"\d{1,2}[./]\d{1,2}[./]\d{2,4}"
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp]\.?[Mm]\.?)?"
#: a chat's display name in Latin or Hangul letters (Oh, Minseo; Daniel 변; minho.kook)
_DISPLAY = r"[A-Za-z가-힣][\w.'’-]{0,20}(?:,?[ ][A-Za-z가-힣][\w.'’-]{0,19}){0,2}?"
_HEADS = re.compile(
    rf"^\[(?P<pc>[^\[\]\n]{{1,20}})\]\s?\[{_TIME}\]"                                   # [정하람] [오후 9:05]
    rf"|^(?P<stamp>{_DATE}\s?{_TIME}),\s?(?P<mobile>[^:\n,]{{1,20}}?)\s?:\s"            # 2024년 3월 2일 오후 3:12, 정하람 :
    rf"|^\[{_TIME}\]\s?(?P<timed>[^:\n\[\]]{{1,20}}?)\s?:\s"                            # [오후 6:12] 옥채원:
    rf"|^{_TIME}\t(?P<line>[^\t\n]{{1,20}})\t"                                          # 22:43<TAB>빈채율<TAB>
    # WhatsApp, iPhone and Android: [4/22/24, 15:03] Aigerim (coordinator): … | 22/04/2024, 3:03 pm - So Yejin: …
    rf"|^(?:\[{_SHORT_DATE},\s?{_CLOCK}\]|{_SHORT_DATE},\s?{_CLOCK}\s[-–])\s?(?P<app>[^:\n()\[\]]{{1,30}}?)(?:\s\([^()\n]{{1,30}}\))?\s?:\s"
    # Slack and Teams: the display name (Oh, Minseo; Daniel 변; minho.kook; **minji.k** as
    # exported in Markdown), maybe a team or role in brackets, the time, alone on its line
    rf"|^(?:\*\*)?(?P<team>{_DISPLAY})(?:\*\*)?(?:\s\([^()\n]{{1,40}}\))?[ \t]{{1,3}}{_TIME}[ \t]*$"
    # … or the time and a colon before the message on the same line (Yuki (JP desk) 10:03: …)
    rf"|^(?P<inline>{_DISPLAY})(?:\s\([^()\n]{{1,40}}\))?[ \t]{{1,3}}{_TIME}\s?:\s",
    re.M)
#: a line that only dates the messages below it: "--------------- 2024년 5월 12일 일요일 ---------------"
_DAY_LINE = re.compile(rf"^[-=\s]*(?P<stamp>{_DATE}(?:\s?\(?[월화수목금토일](?:요일)?\)?)?)[-=\s]*$", re.M)
#: the head of a KakaoTalk export (PC and mobile): the room's name, "님과 카카오톡 대화"
_ROOM = re.compile(r"^(?P<room>[^\n]{1,60}?)\s?님과 카카오톡 대화[ \t]*$", re.M)
#: how far a stamp reaches into its line (a day line's dashes, the date): see ``in_stamp``
STAMP_REACH = 64
#: a transcript pasted without times: "가람: 오늘 차지 누구였어?", "Alex K: whoever told admin",
#: maybe after an emoji or a thread's reply marks (🐻hyun: …, └ sunny_rn: …, >>> redflag_md: …)
#: (see ``speakers``)
_PLAIN = re.compile(r"^[ \t]*(?:[^\w\s\[({]{1,5}[ ]?)?(?P<plain>[가-힣]{1,4}|[A-Za-z][\w.'’-]{0,15}(?: [A-Z][A-Za-z]{0,12}\.?)?)\s?:\s", re.M)
#: … counted as one (as a Slack or Teams export's heads are) only with this many such lines
PLAIN_LINES = 3


#: where a speaker was read (``Speaker.source``): a head only an export writes ([정하람] [오후 9:05]);
#: a pasted transcript's "이름: "; a name and a time alone on a line (Slack, Teams: also
#: "Updated Schedule  3:00 PM", "점심  12:30 PM"); such heads of a conversation, several speakers
#: speaking again (any handle may speak there: minho.kook, Yuna). The caller checks all but EXPORT.
EXPORT, TRANSCRIPT, HEAD, TALK = "export", "transcript", "head", "talk"


class Speaker(NamedTuple):
    start: int
    end: int
    source: str
    #: where the head ends: the message itself starts there (on the next line for a Slack head)
    message: int


def speakers(text: str) -> Iterator[Speaker]:
    """The display name at the head of every exported message line."""
    team: list[tuple[int, int, int]] = []  # Slack and Teams heads: (start, end, message)
    for m in _HEADS.finditer(text):
        group = next(g for g in ("pc", "mobile", "timed", "line", "app", "team", "inline") if m.group(g) is not None)
        raw = m.group(group)
        name = raw.strip()
        if not name:
            continue
        start = m.start(group) + len(raw) - len(raw.lstrip())
        if group not in ("team", "inline"):
            yield Speaker(start, start + len(name), EXPORT, m.end())
        elif group == "inline" or _message_follows(text, m.end()):
            team.append((start, start + len(name), m.end()))
    source = TALK if _conversation([text[s:e] for s, e, _ in team]) else HEAD
    for start, end, message in team:
        yield Speaker(start, end, source, message)
    plain = list(_PLAIN.finditer(text))
    if _conversation([m.group("plain") for m in plain]):
        for m in plain:
            yield Speaker(m.start("plain"), m.end("plain"), TRANSCRIPT, m.end())


def _conversation(names: list[str]) -> bool:
    """Several lines, two speakers at least, one who speaks again (a form's labels, 성명: …
    진단명: …, head one line each)."""
    said = Counter(names)
    return len(names) >= PLAIN_LINES and len(said) >= 2 and max(said.values()) >= 2


def _message_follows(text: str, end: int) -> bool:
    """The line after a Slack or Teams head is its message, not another head (a timetable)."""
    line = re.match(r"\n([^\n]*)", text[end:end + 200])
    return line is not None and line.group(1).strip() != "" and _HEADS.match(line.group(1)) is None


def group_room(text: str, heads: list[Speaker]) -> Callable[[int, int], bool]:
    """Whether ``text[start:end]`` lies in the room's name a KakaoTalk export starts with ("해솔대병원
    61병동 동기방 님과 카카오톡 대화"), and is no one who speaks in it (``heads``: its speakers): a
    group's name (동기방, 8기, 단톡) is no one's; in a one-to-one chat the room is named for the
    other person, who speaks."""
    rooms = [m.span("room") for m in _ROOM.finditer(text)]
    if not rooms:
        return lambda start, end: False
    spoken = {text[s:e] for s, e, _, _ in heads}
    return lambda start, end: any(a <= start and end <= b for a, b in rooms) and text[start:end] not in spoken


def in_stamp(text: str, start: int, end: int) -> bool:
    """``text[start:end]`` lies in the time stamp of an exported message or a day line (which
    start their line: only the last ``STAMP_REACH`` characters are looked back at, so a long line
    full of dates costs no more than a short one)."""
    reach = max(0, start - STAMP_REACH)
    line = text.rfind("\n", reach, start) + 1
    if line == 0 and reach > 0:
        return False
    for regex in (_HEADS, _DAY_LINE):
        m = regex.match(text, line)
        if m is not None and m.group("stamp") is not None and m.start("stamp") <= start and end <= m.end("stamp"):
            return True
    return False
