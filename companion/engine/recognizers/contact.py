"""Ways to reach a person: phones, e-mail (plain and disguised), messenger/SNS IDs, addresses.

Phones are our own KR patterns, not Presidio's ``PhoneRecognizer``: with the KR region its
python-phonenumbers validity rules reject real-format 010 numbers, it flags institutions'
landlines (대표번호) that are no one's contact, and on a 5,000-character draft it and its context
pass cost ~20 ms of a 100 ms budget. Mobiles (010…, +82 10…) are personal by nature; landlines
count only when the draft calls them someone's own.
"""
from __future__ import annotations

import re

import tldextract
from presidio_analyzer.predefined_recognizers import EmailRecognizer

from .regex_base import GroupRegexRecognizer, Rule

# tldextract's bundled public-suffix snapshot only: no network fetch, no cache writes.
_TLD = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

# Public numbers: call centres (15xx/16xx/18xx-xxxx) and short codes are never a person's contact.
_PUBLIC_CONTEXT = re.compile(r"(대표\s?번호|대표\s?전화|고객\s?센터|콜\s?센터|상담\s?(?:전화|센터)|민원|안내|예약\s?(?:센터|실|번호)|문의\s?(?:전화)?|hotline|helpline|call\s?cent)", re.I)


def _public_number(text: str, start: int, end: int) -> bool:
    return _PUBLIC_CONTEXT.search(text, max(0, start - 20), start) is not None


_PLACE_CONTEXT = re.compile(r"병원|의원|의료원|보건소|센터|학회|협회|오시는\s?길|위치|캠퍼스|본관|별관|사무실|회사")


def _public_address(text: str, start: int, end: int) -> bool:
    """An institution's address (병원 위치, 학회 사무실), not someone's home."""
    return _PLACE_CONTEXT.search(text, max(0, start - 20), min(len(text), end + 15)) is not None


_ROLE_MAILBOX = re.compile(r"(?i)^(?:info|office|admin|contact|help|support|webmaster|secretariat|noreply|no-reply|"
                           r"service|cs|master|press|pr|hr|recruit|jobs?|inquiry|helpdesk|kma|mail)[@ ]")
_ORG_CONTEXT = re.compile(r"사무국|학회|협회|고객센터|대표\s?(?:메일|이메일)|접수처|홈페이지|공식")


def _public_email(text: str, start: int, end: int) -> bool:
    """An organisation's mailbox (info@…, 학회 사무국 …): public, no one's personal contact."""
    return bool(_ROLE_MAILBOX.match(text[start:end])) or _ORG_CONTEXT.search(text, max(0, start - 20), start) is not None


class OfflineEmailRecognizer(EmailRecognizer):
    """Presidio's e-mail recognizer with tldextract pinned to its bundled snapshot; organisations'
    mailboxes are public contacts and are left out."""

    def validate_result(self, pattern_text: str) -> bool | None:
        return bool(_TLD(pattern_text).fqdn)

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        return [r for r in results if not _public_email(text, r.start, r.end)]


_HANDLE_CONTEXT = (r"(?:카톡|카카오톡|카카오|카톡\s?아이디|라인|인스타(?:그램)?|텔레그램|트위터|페북|페이스북|스레드|"
                   r"KakaoTalk|Kakao|kakao|Instagram|instagram|insta|IG|LINE|Line|Telegram|telegram|Twitter|SNS|DM|아이디|ID|계정|핸들)")
_ADDRESS = (r"(?<![가-힣])(?:[가-힣]{1,8}(?:시|도)\s)?[가-힣]{1,8}(?:시|구|군)\s[가-힣0-9]{1,12}(?:동|읍|면|로|길)\s?\d+(?:-\d+)?(?:번지)?"
            r"(?:\s?[가-힣A-Za-z0-9]{0,12}(?:아파트|빌라|오피스텔|맨션))?(?:\s?\d+동)?(?:\s?\d+호)?")


def contact_recognizers(language: str) -> list:
    phone_sep = r"[\s.\-)]{0,3}"
    rules = [
        Rule("KR_MOBILE_PHONE", re.compile(
            rf"(?<![\d\w])(?:\+82[\s\-]?\(?0?\)?1[016789]|01[016789]){phone_sep}\d{{3,4}}{phone_sep}\d{{4}}(?!\d)"), 0.9),
        # landlines only when the draft says they are someone's own (자택, 집 전화, 개인 번호), never
        # an institution's line (대표번호, 고객센터 …)
        Rule("PHONE_NUMBER", re.compile(
            r"(?:자택|집\s?(?:전화|번호)?|개인\s?(?:번호|연락처)|home|직통|내선)[^\n\d]{0,10}"
            r"(?P<v>(?<!\d)0(?:2|[3-6][1-5])[\s.\-)]{0,2}\d{3,4}[\s.\-]{0,2}\d{4}(?!\d))", re.I), 0.75,
            veto=_public_number),
        Rule("EMAIL_ADDRESS", re.compile(
            r"(?<![\w.])[A-Za-z0-9][\w.+-]*\s?(?:\(at\)|\[at\]|\{at\}|골뱅이|＠|@)\s?[A-Za-z0-9-]+"
            r"(?:(?:\.|\s?(?:\(dot\)|\[dot\]|점)\s?)[A-Za-z0-9-]+)*(?:\.|\s?(?:\(dot\)|\[dot\]|점)\s?)[A-Za-z]{2,6}(?![\w])"), 0.85,
            veto=_public_email),
        Rule("EMAIL_ADDRESS", re.compile(
            r"(?<![\w.])[A-Za-z0-9][\w.+-]*\s?(?:골뱅이|@)\s?[A-Za-z0-9-]+\s?(?:점컴|닷컴|점넷)"), 0.85),
        Rule("MESSENGER_ID", re.compile(
            rf"{_HANDLE_CONTEXT}[^\n@]{{0,24}}?(?<![\w.])(?P<v>(?=@|[A-Za-z][A-Za-z0-9.]*[_\d])@?[A-Za-z][A-Za-z0-9_.]{{2,29}}[A-Za-z0-9_])(?![@\w]|\.[A-Za-z])"),
            0.75),
        Rule("EMAIL_ADDRESS", re.compile(
            r"(?<![\w.])[A-Za-z0-9][\w.+-]*\s(?:at|AT)\s[A-Za-z0-9-]+(?:\s(?:dot|DOT)\s[A-Za-z0-9-]+)+(?![\w])"), 0.8),
        # personal pages and open-chat links reach one person as surely as a handle
        Rule("MESSENGER_ID", re.compile(
            r"(?:https?://)?(?:open\.kakao\.com/o/|(?:www\.)?instagram\.com/|(?:www\.)?facebook\.com/|"
            r"(?:www\.)?(?:x|twitter)\.com/|blog\.naver\.com/|(?:www\.)?tiktok\.com/@)[\w./@-]+"), 0.8),
        # a bare @handle counts when it looks like a personal handle (digits, _ or .), not @everyone
        Rule("MESSENGER_ID", re.compile(r"(?<![\w@])@(?=[A-Za-z0-9.]*[_\d])[A-Za-z0-9_][A-Za-z0-9_.]{2,29}(?![\w@])"), 0.6),
        Rule("HOME_ADDRESS", re.compile(_ADDRESS), 0.6, veto=_public_address),
        Rule("HOME_ADDRESS", re.compile(r"(?<![가-힣])[가-힣A-Za-z0-9]{2,12}(?:아파트|빌라|오피스텔|맨션)\s?\d{1,4}\s?동\s?\d{1,4}\s?호"), 0.75),
    ]
    return [
        GroupRegexRecognizer("KoreanContactRecognizer", rules, supported_language=language),
        # no context words: they only send every e-mail through Presidio's (linear) context scan
        OfflineEmailRecognizer(supported_language=language, context=[]),
    ]
