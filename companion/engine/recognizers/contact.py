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
from presidio_analyzer import Pattern
from presidio_analyzer.predefined_recognizers import EmailRecognizer

from .regex_base import GroupRegexRecognizer, Rule

# tldextract's bundled public-suffix snapshot only: no network fetch, no cache writes.
_TLD = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

# Public numbers: call centres (15xx/16xx/18xx-xxxx) and short codes are never a person's contact.
_PUBLIC_CONTEXT = re.compile(r"(대표\s?번호|대표\s?전화|고객\s?센터|콜\s?센터|상담\s?(?:전화|센터)|민원|안내|예약\s?(?:센터|실|번호)|문의\s?(?:전화)?|hotline|helpline|call\s?cent)", re.I)


def _public_number(text: str, start: int, end: int) -> bool:
    return _PUBLIC_CONTEXT.search(text, max(0, start - 20), start) is not None


_TEAM_CONTEXT = re.compile(r"(?:팀|과|실|부|처|센터|데스크|스테이션|문의|대표|office|desk|station|dept|department|front)\s?(?:의\s)?$", re.I)


_PERSON_CUE = re.compile(r"['’]s\b|\b(?:his|her|my)\b|쌤|샘|선생|교수|간호사|님|씨|직통|개인|\b(?:Dr|Prof|Nurse)\b", re.I)


def _team_line(text: str, start: int, end: int) -> bool:
    """A line of a team or office (인사팀 내선 2214, pharmacy on ext. 3302). A pager is carried by
    one person unless a team owns it; an extension is someone's only when the draft says whose."""
    before = text[max(0, start - 30):start]
    label = re.search(r"(?:내선|ext\.?|extension|삐삐|콜폰|콜\s?폰|당직폰|호출기|피퍼|beeper|pager|bleep)[^\d]*$", before, re.I)
    head = before[:label.start()] if label else before
    if _TEAM_CONTEXT.search(head.rstrip()) is not None or _PUBLIC_CONTEXT.search(head) is not None:
        return True
    extension = label is not None and re.match(r"내선|ext|extension", label.group(), re.I) is not None
    return extension and _PERSON_CUE.search(head) is None


_PLACE_CONTEXT = re.compile(r"병원|의원|의료원|보건소|센터|학회|협회|오시는\s?길|위치|캠퍼스|본관|별관|사무실|회사"
                            r"|Hospital|Clinic|Medical|Cent(?:er|re)|Universit|Campus|Office|Society|Association", re.I)


def _public_address(text: str, start: int, end: int) -> bool:
    """An institution's address (병원 위치, 학회 사무실), not someone's home."""
    before = text[max(0, start - 20):start].rsplit("\n", 1)[-1]
    after = re.split(r"[\n.!?]", text[end:end + 15], maxsplit=1)[0]
    return _PLACE_CONTEXT.search(before) is not None or _PLACE_CONTEXT.search(after) is not None


_ROLE_MAILBOX = re.compile(r"(?i)^(?:info|office|admin|contact|help|support|webmaster|secretariat|noreply|no-reply|"
                           r"service|cs|master|press|pr|hr|recruit|jobs?|inquiry|helpdesk|kma|mail)[@ ]")
_ORG_CONTEXT = re.compile(r"사무국|학회|협회|고객센터|대표\s?(?:메일|이메일)|접수처|홈페이지|공식")


def _public_email(text: str, start: int, end: int) -> bool:
    """An organisation's mailbox (info@…, 학회 사무국 …): public, no one's personal contact."""
    return bool(_ROLE_MAILBOX.match(text[start:end])) or _ORG_CONTEXT.search(text, max(0, start - 20), start) is not None


def _not_a_domain(found: str) -> bool:
    """"IG @yeonwoo.rn" is a handle: when the address is written with plain @ and dots, its domain
    must end in a real public suffix (spelled-out forms are checked by their shape instead)."""
    if re.search(r"\((?:at|dot)\)|\[(?:at|dot)\]|\{(?:at|dot)\}|<at>|골뱅이|[점닷]|\s(?:at|AT|dot|DOT)\s", found):
        return False
    if re.search(rf"[@＠]\s?{_PROVIDER}$", found):
        return False
    domain = re.split(r"[@＠]", found)[-1].replace(" ", "")
    return not _TLD(domain).suffix


_EMAIL_CHAR = r"[!#$%&'*+\-/=?^_`{|}~\w]"
_EMAIL_LABEL = r"\w{1,63}(?:-{1,8}\w{1,63}){0,8}"


class OfflineEmailRecognizer(EmailRecognizer):
    """Presidio's e-mail recognizer with tldextract pinned to its bundled snapshot; organisations'
    mailboxes are public contacts and are left out.

    Presidio's pattern, with its repeats bounded (local part ≤ 64 characters, labels ≤ 63, at
    most 9 labels): unbounded, each word boundary of a long run (a.a.a.…@, ㅋ~ㅋ~…@) rescans the
    run to its end, quadratic in the run's length."""

    PATTERNS = [Pattern("Email (Medium, bounded)",
                        rf"\b(?:{_EMAIL_CHAR}|{_EMAIL_CHAR}[!#$%&'*+\-/=?^_`{{|}}~.\w]{{0,62}}{_EMAIL_CHAR})"
                        rf"@{_EMAIL_LABEL}(?:\.{_EMAIL_LABEL}){{1,8}}\b", 0.5)]

    def validate_result(self, pattern_text: str) -> bool | None:
        return bool(_TLD(pattern_text).fqdn)

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
        if "@" not in text:
            return []
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        return [r for r in results if not _public_email(text, r.start, r.end)]


_HANDLE_CONTEXT = (r"(?:카톡|카카오톡|카카오|카톡\s?아이디|라인|인스타(?:그램)?|텔레그램|트위터|페북|페이스북|스레드|"
                   r"KakaoTalk|Kakao|kakao|Instagram|instagram|insta|IG|LINE|Line|Telegram|telegram|Twitter|SNS|DM|아이디|ID|계정|핸들|"
                   r"네이버\s?메일|다음\s?메일|지메일|메일\s?주소|메일|이메일|email|Email|e-mail|닉네임|닉)")
# A Korean street or lot address: optional province/metropolis (서울, 충북, 경기도, 부산광역시), one
# or two districts (청주시 서원구), the road or neighbourhood and number, then the flat
# (래미안아파트, 101동, 1203호), commas allowed between the parts.
_PROVINCE = (r"(?:서울|부산|대구|인천|광주|대전|울산|세종|경기|강원|충북|충남|전북|전남|경북|경남|제주"
             r"|[가-힣]{1,6}(?:특별시|광역시|특별자치시|특별자치도|도))")
_FLAT = (r"(?:,?\s?(?:[가-힣A-Za-z0-9]{0,12}(?:아파트|빌라|오피스텔|맨션|타워)|[가-힣A-Za-z]{2,10}(?=\s?\d{1,4}\s?동)))?"
         r"(?:,?\s?\d{1,4}\s?동)?"
         r"(?:,?\s?(?:\d{1,4}\s?층\s?)?\d{1,5}\s?호)?")
_ADDRESS = (rf"(?<![가-힣])(?:{_PROVINCE}\s)?(?:[가-힣]{{1,8}}(?:시|구|군)\s){{1,2}}[가-힣0-9]{{1,12}}(?:동|읍|면|리|로|길)"
            rf"(?:\s?\d{{1,4}}번?길)?\s?\d{{1,6}}(?:-\d{{1,6}})?(?:번지)?{_FLAT}")
# The same in English: 15 Sejong-daero 23-gil, Jongno-gu, Seoul, Apt 1101
_ROMAN = r"[A-Z][a-z]{1,30}(?:-[a-z]{1,30}){0,4}"
_KR_CITIES = (r"(?:Seoul|Busan|Daegu|Incheon|Gwangju|Daejeon|Ulsan|Sejong|Jeju|Gyeonggi|Gangwon|Chungbuk|Chungnam"
              r"|Jeonbuk|Jeonnam|Gyeongbuk|Gyeongnam)(?:-do|-si)?(?:\s(?:City|Province))?")
_EN_ADDRESS = (rf"(?<![\w-])(?:(?:Apt\.?|Apartment|Unit|Suite|Room|Rm\.?|Flat|#)\s?\d{{1,5}}(?:-\d{{1,5}})?,?\s)?\d{{1,4}}(?:-\d{{1,4}})?,?\s{_ROMAN}-(?:ro|gil|daero|dong|eup|myeon|ri)\b"
               rf"(?:\s\d{{1,4}}(?:beon)?-gil)?(?:,?\s{_ROMAN}-(?:gu|si|gun|dong|eup|myeon|do)\b)*"
               rf"(?:,?\s{_KR_CITIES}\b)?(?:,?\s(?:South\s)?Korea\b)?"
               rf"(?:,?\s(?:Apt\.?|Apartment|Unit|Suite|Room|Rm\.?|Flat|#)\s?\d{{1,5}}(?:-\d{{1,5}})?)?")


# E-mail spelled out to dodge filters: jh.lee (at) gmail 점 com, sooah 골뱅이 snuh 점 오알지,
# minji.kim at gmail dot com. Separators may carry spaces; the last label may be a TLD read
# aloud in Hangul (컴, 넷, 케이알 …), alone or glued to 점/닷 (점컴, 닷넷). A bare " at " is prose
# ("her at home.com") unless the local part looks like one (a dot, _ or digit) or the dots are
# spelled out too.
_AT = r"\s?(?:\(at\)|\[at\]|\{at\}|<at>|골뱅이|＠|@)\s?"
_DOT = r"(?:\s?(?:\.|\(dot\)|\[dot\]|\{dot\}|점|닷)\s?|\s(?:dot|DOT)\s)"
_SPELLED_DOT = r"(?:\s?(?:\(dot\)|\[dot\]|\{dot\}|점|닷)\s?|\s(?:dot|DOT)\s)"
_HANGUL_TLD = r"(?:케이알|오알지|오알|씨오|에이씨|컴|넷|에듀|고브)(?![가-힣]|(?:퓨|백|플|패|포|맹|센|텐|스|트))"
# Repeats are bounded (a local part has at most 64 characters, a label 63, a domain a few labels):
# an unbounded local part rescans a long run (a-a-a-…@) from each of its starts.
_LOCAL = r"(?<![\w.])[A-Za-z0-9][\w.+-]{0,63}"
_LOCAL_LIKE = r"(?<![\w.])[A-Za-z0-9](?=[\w+-]{0,62}[._\d])[\w.+-]{0,63}"


def _domain(dot: str) -> str:
    return (rf"[A-Za-z0-9-]{{1,63}}(?:{dot}(?:[A-Za-z0-9-]{{1,63}}|{_HANGUL_TLD})){{0,8}}"
            rf"(?:{dot}(?:[A-Za-z]{{2,6}}(?![A-Za-z0-9_])|{_HANGUL_TLD})|\s?(?:점|닷){_HANGUL_TLD})")


# A mail provider named in Hangul stands for its whole domain: jiho.kang 골뱅이 네이버 (점컴).
_PROVIDER = (r"(?:네이버|다음|한메일|지메일|네이트|카카오|구글|야후|아웃룩|핫메일)"
             rf"(?:\s?(?:점|닷)\s?{_HANGUL_TLD})?(?![가-힣])")

_DISGUISED_EMAIL = re.compile(
    rf"{_LOCAL}{_AT}{_domain(_DOT)}|{_LOCAL_LIKE}\s(?:at|AT)\s{_domain(_DOT)}|{_LOCAL}\s(?:at|AT)\s{_domain(_SPELLED_DOT)}"
    rf"|{_LOCAL}\s?(?:골뱅이|\(at\)|\[at\]|[@＠])\s?{_PROVIDER}")


def contact_recognizers(language: str) -> list:
    # hyphens come in many shapes when typed on phones: ‐ ‑ ‒ – — ― − and the Hangul vowel ㅡ
    phone_sep = r"[\s.\-)\u2010-\u2015\u2212\u3161]{0,3}"
    rules = [
        Rule("KR_MOBILE_PHONE", re.compile(
            rf"(?<![\d\w+(])(?:\+?82[\s\-]?\(?0?\)?1[016789]|\(?01[016789]){phone_sep}\d{{3,4}}{phone_sep}\d{{4}}(?!\d)"), 0.9, name="contact.kr_mobile"),
        # landlines only when the draft says they are someone's own (자택, 집 전화, 개인 번호), never
        # an institution's line (대표번호, 고객센터 …)
        Rule("PHONE_NUMBER", re.compile(
            r"(?:자택|집\s?(?:전화|번호)?|개인\s?(?:번호|연락처)|home|직통|내선)[^\n\d]{0,10}"
            r"(?P<v>(?<!\d)0(?:2|[3-6][1-5])[\s.\-)]{0,2}\d{3,4}[\s.\-]{0,2}\d{4}(?!\d))", re.I), 0.75,
            veto=_public_number, name="contact.landline_personal"),
        # e-mail in any disguise: (at)/[at]/골뱅이/" at ", 점/닷/(dot)/" dot ", a TLD in Hangul (점 케이알, 점컴)
        # a pager or extension reaches one person on shift: 삐삐 4471, 콜폰 2283, pager 7719, ext. 3320
        # (a team's or office's extension — 인사팀 내선 2214 — is a public line)
        Rule("PHONE_NUMBER", re.compile(
            r"(?<![A-Za-z가-힣])(?:삐삐|콜폰|콜\s?폰|당직폰|호출기|피퍼|내선|beeper|pager|bleep|ext\.?|extension)"
            r"\s?(?:번호|number|no\.?|#)?\s?(?:는|은|:|：|is|at)?\s?(?P<v>(?<!\d)\d{3,5}(?![\d-]))", re.I), 0.7,
            veto=_team_line, hint=re.compile(r"삐삐|폰|호출기|피퍼|내선|beep|pager|bleep|ext", re.I), name="contact.pager_extension"),
        Rule("EMAIL_ADDRESS", _DISGUISED_EMAIL, 0.85, veto=lambda t, s, e: _public_email(t, s, e) or _not_a_domain(t[s:e]), hint=re.compile(r"[@＠]|골뱅이|\b(?:at|AT)\b"), name="contact.email_disguised"),
        Rule("MESSENGER_ID", re.compile(
            rf"{_HANDLE_CONTEXT}[^\n@]{{0,24}}?(?<![\w.])(?P<v>(?=@|[A-Za-z][A-Za-z0-9.]{{0,29}}[_\d])@?[A-Za-z][A-Za-z0-9_.]{{2,29}}[A-Za-z0-9_])(?![@A-Za-z0-9_]|\.[A-Za-z])"),
            0.75, name="contact.handle_after_label"),
        # the platform written right before the handle belongs to it ("카톡 abc_12" is one contact)
        Rule("MESSENGER_ID", re.compile(
            r"(?<![가-힣A-Za-z])(?:카톡|카카오톡|인스타그램|인스타|라인|텔레그램|페북|트위터|KakaoTalk|Kakao|Instagram|insta|IG|"
            r"Telegram|Twitter)\s(?=@|[A-Za-z][A-Za-z0-9.]{0,29}[_\d])@?[A-Za-z][A-Za-z0-9_.]{2,29}[A-Za-z0-9_](?![@A-Za-z0-9_]|\.[A-Za-z])"),
            0.75, name="contact.handle_after_platform"),
        # personal pages and open-chat links reach one person as surely as a handle
        Rule("MESSENGER_ID", re.compile(
            r"(?:https?://)?(?:open\.kakao\.com/o/|(?:www\.)?instagram\.com/|(?:www\.)?facebook\.com/|"
            r"(?:www\.)?(?:x|twitter)\.com/|blog\.naver\.com/|(?:www\.)?tiktok\.com/@)[\w./@-]{1,200}"), 0.8, name="contact.profile_link"),
        # a bare @handle counts when it looks like a personal handle (digits, _ or .), not @everyone
        Rule("MESSENGER_ID", re.compile(r"(?<![\w@])@(?=[A-Za-z0-9.]{0,30}[_\d])[A-Za-z0-9_][A-Za-z0-9_.]{2,29}(?![A-Za-z0-9_@])"), 0.6, name="contact.at_handle"),
        Rule("HOME_ADDRESS", re.compile(_ADDRESS), 0.6, veto=_public_address, name="contact.address_kr"),
        Rule("HOME_ADDRESS", re.compile(_EN_ADDRESS), 0.6, veto=_public_address,
             hint=re.compile(r"-(?:ro|gil|daero|dong|eup|myeon|ri)\b"), name="contact.address_en"),
        Rule("HOME_ADDRESS", re.compile(r"(?<![가-힣])[가-힣A-Za-z0-9]{2,12}(?:아파트|빌라|오피스텔|맨션)\s?\d{1,4}\s?동\s?\d{1,4}\s?호"), 0.75, name="contact.apartment_unit"),
    ]
    return [
        GroupRegexRecognizer("KoreanContactRecognizer", rules, supported_language=language),
        # no context words: they only send every e-mail through Presidio's (linear) context scan
        OfflineEmailRecognizer(supported_language=language, context=[]),
    ]
