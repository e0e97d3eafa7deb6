"""Ways to reach a person: phones, e-mail (plain and disguised), messenger/SNS IDs, addresses.

Phones are our own KR patterns, not Presidio's ``PhoneRecognizer``: with the KR region its
python-phonenumbers validity rules reject real-format 010 numbers, it flags institutions'
landlines (대표번호) that are no one's contact, and on a 5,000-character draft it and its context
pass cost ~20 ms of a 100 ms budget. Mobiles (010…, +82 10…) are personal by nature; landlines
count only when the draft calls them someone's own.
"""
from __future__ import annotations

import re
from typing import Callable

import tldextract
from presidio_analyzer import Pattern
from presidio_analyzer.predefined_recognizers import EmailRecognizer

from ..lexicon import Lexicon
from .regex_base import GroupRegexRecognizer, Rule, cue_alternation, cue_alternations, literal_alternation

# tldextract's bundled public-suffix snapshot only: no network fetch, no cache writes.
_TLD = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


class _Vetoes:
    """The contexts that make a match an institution's contact, not a person's, built from the
    cue lists."""

    def __init__(self, lexicon: Lexicon, provider: str) -> None:
        cue = cue_alternations(lexicon, "contact")
        # Public numbers: call centres (15xx/16xx/18xx-xxxx) and short codes are never a person's contact.
        self._public_context = re.compile(cue("public_lines"), re.I)
        self._team_context = re.compile(rf"{cue('team_words')}\s?(?:의\s)?$", re.I)
        self._person_cue = re.compile(rf"['’]s\b|\b{cue('person_cues_en')}\b|{cue('person_cues')}", re.I)
        self._pager_label = re.compile(rf"{cue('pager_labels')}[^\d]*$", re.I)
        self._extension_label = re.compile(cue("extension_labels"), re.I)
        self._place_context = re.compile(cue("institutions"), re.I)
        self._role_mailbox = re.compile(rf"^{cue('role_mailboxes')}[@ ]", re.I)
        self._org_context = re.compile(cue("org_mail_contexts"))
        self._mail_before = re.compile(r"(?<![\w.+-])(?P<local>[\w.+-]+)@[\w-]+(?:\.[\w-]+)+[\s,/]*(?:or|또는|및|혹은)?\s?$")
        self._spelled = re.compile(rf"\((?:at|dot)\)|\[(?:at|dot)\]|\{{(?:at|dot)\}}|<at>|{cue('at_words')}|{cue('dot_words')}"
                                   r"|\s(?:at|AT|dot|DOT)\s")
        self._provider_domain = re.compile(rf"[@＠]\s?{provider}$")
        self._handle_cue = re.compile(rf"(?<![A-Za-z]){cue('handle_cues')}(?![A-Za-z])", re.I)
        #: a platform or a label a handle follows (카톡, 인스타, 아이디, 메일 주소), and the particles
        self.handle_context = cue_alternation(lexicon.cue("contact.platforms") + lexicon.cue("contact.handle_labels"))
        self.particles = particles = literal_alternation(lexicon.particles)
        # the platform or label right before the handle, only a particle or a colon between (카톡은 ABC123)
        self._handle_close = re.compile(rf"{self.handle_context}(?:{particles})?\s?[:：]?\s?$")
        # the Hangul word after the handle, glued or written apart, unless it is only particles (ABC123으로, ABC123 입니다)
        self._word_after = re.compile(rf"\s?(?!(?:{particles}){{1,2}}(?![가-힣]))[가-힣]")

    def public_number(self, text: str, start: int, end: int) -> bool:
        return self._public_context.search(text, max(0, start - 20), start) is not None

    def team_line(self, text: str, start: int, end: int) -> bool:
        """A line of a team or office (인사팀 내선 2214, pharmacy on ext. 3302). A pager is carried by
        one person unless a team owns it; an extension is someone's only when the draft says whose."""
        before = text[max(0, start - 30):start]
        label = self._pager_label.search(before)
        head = before[:label.start()] if label else before
        if self._team_context.search(head.rstrip()) is not None or self._public_context.search(head) is not None:
            return True
        extension = label is not None and self._extension_label.match(label.group()) is not None
        label_start = start - len(before) + len(head)
        return extension and self._person_cue.search(head) is None and not self._after_own_mail(text, label_start)

    def _after_own_mail(self, text: str, label_start: int) -> bool:
        """An extension written right after someone's own address is theirs (o.pyo@… or ext. 4172);
        after an office's mailbox (office@…) it is the office's."""
        mail = self._mail_before.search(text, max(0, label_start - 80), label_start)
        return mail is not None and not self._role_mailbox.match(mail.group("local") + "@")

    def public_address(self, text: str, start: int, end: int) -> bool:
        """An institution's address (병원 위치, 학회 사무실), not someone's home."""
        before = text[max(0, start - 20):start].rsplit("\n", 1)[-1]
        after = re.split(r"[\n.!?]", text[end:end + 15], maxsplit=1)[0]
        return self._place_context.search(before) is not None or self._place_context.search(after) is not None

    def public_email(self, text: str, start: int, end: int) -> bool:
        """An organisation's mailbox (info@…, 학회 사무국 …): public, no one's personal contact. The
        organisation is named in the same sentence (not 학회에서 뵀어요! 명함에 …: where they met)."""
        before = re.split(r"[\n.!?]", text[max(0, start - 20):start])[-1]
        return bool(self._role_mailbox.match(text[start:end])) or self._org_context.search(before) is not None

    def not_a_handle(self, text: str, start: int, end: int) -> bool:
        """A word a few words after a platform that is no handle (인스타에 올린 COVID19 사진). A handle is
        written with @, after a handle cue (아이디, ID, 계정), or in a handle's shape (a lowercase
        letter, _ or a dot: nurse_kim, sAbC123x); an all-caps word with digits (COVID19, ABC123) is one
        only right after its platform (카톡 ABC123) and not followed by an ordinary word (COVID19 사진)."""
        handle = text[start:end].split()[-1]
        start = end - len(handle)
        if handle.startswith(("@", "＠")) or re.search(r"[a-z_.]", handle):
            return False
        before = text[max(0, start - 40):start].rsplit("\n", 1)[-1]
        if self._handle_cue.search(before):
            return False
        return self._handle_close.search(before) is None or self._word_after.match(text, end) is not None

    def not_a_domain(self, found: str) -> bool:
        """"IG @yeonwoo.rn" is a handle: when the address is written with plain @ and dots, its domain
        must end in a real public suffix (spelled-out forms are checked by their shape instead)."""
        if self._spelled.search(found):
            return False
        if self._provider_domain.search(found):
            return False
        domain = re.split(r"[@＠]", found)[-1].replace(" ", "")
        return not _TLD(domain).suffix


_EMAIL_CHAR = r"[!#$%&'*+\-/=?^_`{|}~\w]"
_EMAIL_LABEL = r"\w{1,63}(?:-{1,8}\w{1,63}){0,8}"


class OfflineEmailRecognizer(EmailRecognizer):
    """Presidio's e-mail recognizer with tldextract pinned to its bundled snapshot; organisations'
    mailboxes (``public_email``) are public contacts and are left out.

    Presidio's pattern, with its repeats bounded (local part ≤ 64 characters, labels ≤ 63, at
    most 9 labels): unbounded, each word boundary of a long run (a.a.a.…@, ㅋ~ㅋ~…@) rescans the
    run to its end, quadratic in the run's length."""

    PATTERNS = [Pattern("Email (Medium, bounded)",
                        rf"\b(?:{_EMAIL_CHAR}|{_EMAIL_CHAR}[!#$%&'*+\-/=?^_`{{|}}~.\w]{{0,62}}{_EMAIL_CHAR})"
                        rf"@{_EMAIL_LABEL}(?:\.{_EMAIL_LABEL}){{1,8}}\b", 0.5)]

    def __init__(self, public_email: Callable[[str, int, int], bool], **kwargs) -> None:
        self._public_email = public_email
        super().__init__(**kwargs)

    def validate_result(self, pattern_text: str) -> bool | None:
        return bool(_TLD(pattern_text).fqdn)

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
        if "@" not in text:
            return []
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        return [r for r in results if not self._public_email(text, r.start, r.end)]


#: what writers mask a building's name with (○○아파트, OO빌라)
_MASKS = "○◯●◎□■△*＊"


def _addresses(lexicon: Lexicon) -> tuple[str, str, str]:
    """The regexes of a Korean street or lot address, the same in English, and a flat's number."""
    cue = cue_alternations(lexicon, "contact")
    # A Korean street or lot address: optional province/metropolis (서울, 충북, 경기도, 부산광역시), one
    # or two districts (청주시 서원구), the road or neighbourhood and number, then the flat
    # (래미안아파트, 101동, 1203호), commas allowed between the parts.
    province = rf"(?:{cue('provinces')}|[가-힣]{{1,6}}{cue('province_endings')})"
    buildings = cue_alternation(lexicon.cue("contact.residences") + lexicon.cue("contact.address_buildings"))
    # the building's name may be masked (○○아파트, OO빌라, **맨션)
    named = rf"[가-힣A-Za-z0-9{_MASKS}]"
    flat = (rf"(?:,?\s?(?:{named}{{0,12}}{buildings}|[가-힣A-Za-z]{{2,10}}(?=\s?\d{{1,4}}\s?동)))?"
            r"(?:,?\s?\d{1,4}\s?동)?"
            r"(?:,?\s?(?:\d{1,4}\s?층\s?)?\d{1,5}\s?호)?")
    # … and after a neighbourhood the lot number may be left out before the flat (매탄동 ○○아파트 103동 1502호)
    flat_only = rf",?\s?(?:{named}{{0,12}}{buildings}\s?)?\d{{1,4}}\s?동\s?\d{{1,5}}\s?호"
    address = (rf"(?<![가-힣])(?:{province}\s)?(?:[가-힣]{{1,8}}(?:시|구|군)\s){{1,2}}[가-힣0-9]{{1,12}}(?:동|읍|면|리|로|길)"
               rf"(?:{flat_only}|(?:\s?\d{{1,4}}번?길)?\s?\d{{1,6}}(?:-\d{{1,6}})?(?:번지)?{flat})")
    # The same in English: 15 Sejong-daero 23-gil, Jongno-gu, Seoul, Apt 1101
    roman = r"[A-Z][a-z]{1,30}(?:-[a-z]{1,30}){0,4}"
    cities = rf"{cue('cities_en')}(?:-do|-si)?(?:\s(?:City|Province))?"
    flat_en = rf"(?:{cue('flat_labels_en')}|#)\s?\d{{1,5}}(?:-\d{{1,5}})?"
    en_address = (rf"(?<![\w-])(?:{flat_en},?\s)?\d{{1,4}}(?:-\d{{1,4}})?,?\s{roman}-(?:ro|gil|daero|dong|eup|myeon|ri)\b"
                  rf"(?:\s\d{{1,4}}(?:beon)?-gil)?(?:,?\s{roman}-(?:gu|si|gun|dong|eup|myeon|do)\b)*"
                  rf"(?:,?\s{cities}\b)?(?:,?\s(?:South\s)?Korea\b)?"
                  rf"(?:,?\s{flat_en})?")
    apartment_unit = rf"(?<![가-힣])[가-힣A-Za-z0-9{_MASKS}]{{2,12}}{cue('residences')}\s?\d{{1,4}}\s?동\s?\d{{1,4}}\s?호"
    return address, en_address, apartment_unit


# E-mail spelled out to dodge filters: jh.lee (at) gmail 점 com, sooah 골뱅이 snuh 점 오알지,
# minji.kim at gmail dot com. Separators may carry spaces; the last label may be a TLD read
# aloud in Hangul (컴, 넷, 케이알 …), alone or glued to 점/닷 (점컴, 닷넷). A bare " at " is prose
# ("her at home.com") unless the local part looks like one (a dot, _ or digit) or the dots are
# spelled out too.
# Repeats are bounded (a local part has at most 64 characters, a label 63, a domain a few labels):
# an unbounded local part rescans a long run (a-a-a-…@) from each of its starts.
_LOCAL = r"(?<![\w.])[A-Za-z0-9][\w.+-]{0,63}"
_LOCAL_LIKE = r"(?<![\w.])[A-Za-z0-9](?=[\w+-]{0,62}[._\d])[\w.+-]{0,63}"


def _disguised_email(lexicon: Lexicon) -> tuple[re.Pattern[str], str]:
    """The regex of an e-mail in disguise, and that of a mail provider named in Hangul."""
    cue = cue_alternations(lexicon, "contact")
    at_words, dot_words = cue("at_words"), cue("dot_words")
    at = rf"\s?(?:\(at\)|\[at\]|\{{at\}}|<at>|{at_words}|＠|@)\s?"
    dot = rf"(?:\s?(?:\.|\(dot\)|\[dot\]|\{{dot\}}|{dot_words})\s?|\s(?:dot|DOT)\s)"
    spelled_dot = rf"(?:\s?(?:\(dot\)|\[dot\]|\{{dot\}}|{dot_words})\s?|\s(?:dot|DOT)\s)"
    # a whole word: not the start of 컴퓨터, 넷플릭스
    hangul_tld = rf"{cue('hangul_tlds')}(?![가-힣])"

    def domain(dot: str) -> str:
        return (rf"[A-Za-z0-9-]{{1,63}}(?:{dot}(?:[A-Za-z0-9-]{{1,63}}|{hangul_tld})){{0,8}}"
                rf"(?:{dot}(?:[A-Za-z]{{2,6}}(?![A-Za-z0-9_])|{hangul_tld})|\s?{dot_words}{hangul_tld})")

    # A mail provider named in Hangul stands for its whole domain: jiho.kang 골뱅이 네이버 (점컴).
    provider = rf"{cue('mail_providers')}(?:\s?{dot_words}\s?{hangul_tld})?(?![가-힣])"
    email = re.compile(
        rf"{_LOCAL}{at}{domain(dot)}|{_LOCAL_LIKE}\s(?:at|AT)\s{domain(dot)}|{_LOCAL}\s(?:at|AT)\s{domain(spelled_dot)}"
        rf"|{_LOCAL}\s?(?:{at_words}|\(at\)|\[at\]|[@＠])\s?{provider}")
    return email, provider


def contact_recognizers(lexicon: Lexicon, language: str) -> list:
    cue = cue_alternations(lexicon, "contact")
    disguised_email, provider = _disguised_email(lexicon)
    vetoes = _Vetoes(lexicon, provider)
    address, en_address, apartment_unit = _addresses(lexicon)
    pager_labels = cue("pager_labels")
    units, particles = cue("number_units"), vetoes.particles
    # 집 glued to its owner (우리집, 저희집): a lookbehind each, as they differ in length
    home_owners = "|".join(rf"(?<={re.escape(w)})" for w in lexicon.cue("contact.home_owners"))
    # a handle a few words after its platform or label (카톡 아이디는 …, 메일 주소 …)
    handle_context = vetoes.handle_context
    # hyphens come in many shapes when typed on phones: ‐ ‑ ‒ – — ― − and the Hangul vowel ㅡ
    phone_sep = r"[\s.\-)\u2010-\u2015\u2212\u3161]{0,3}"
    rules = [
        # a digit or a Latin letter glued before it makes it part of a longer code; Hangul does not
        # (핸드폰010-2345-6789: a word glued to the number)
        Rule("KR_MOBILE_PHONE", re.compile(
            rf"(?<![^\W가-힣ㄱ-ㆎ])(?<![+(])(?:\+?82[\s\-]?\(?0?\)?1[016789]|\(?01[016789]){phone_sep}\d{{3,4}}{phone_sep}\d{{4}}(?!\d)"), 0.9, name="contact.kr_mobile"),
        # landlines only when the draft says they are someone's own (자택, 집 전화, 개인 번호), never
        # an institution's line (대표번호, 고객센터 …); area codes 02, 031–064, and 070 (internet home phones)
        Rule("PHONE_NUMBER", re.compile(
            # 집 on its own owns the line only right before it (우리 집 02-…, 집은 02-…, 집: 02-…, and
            # at the end of its line: 우리 집\n02-…), not a place near home (집 근처 이비인후과 02-…);
            # as a word of its own or glued to its owner (우리집), not inside 모집, 편집
            rf"(?:{cue('own_line_labels')}[^\n\d]{{0,10}}|(?=집)(?:(?<![가-힣])|{home_owners})집(?:{particles})?\s?[:：]?\s?)"
            r"(?P<v>(?<!\d)0(?:2|[3-6][1-5]|70)[\s.\-)]{0,2}\d{3,4}[\s.\-]{0,2}\d{4}(?!\d))", re.I), 0.75,
            veto=vetoes.public_number, name="contact.landline_personal"),
        # a number abroad, written with its country code (+1 (646) 555-0143, +81 90-3318-2276, +82-2-…)
        # or in the North American way ((213) 555-0187); not a Korean mobile (above), nor a public line
        Rule("PHONE_NUMBER", re.compile(
            r"(?<![\w+])(?:\+(?!82[\s\-]?\(?0?\)?1[016789])\d{1,3}[\s.\-]?\(?\d{1,4}\)?|\(\d{3}\))[\s.\-]?\d{3,4}[\s.\-]\d{4}(?!\d)"),
            0.8, veto=vetoes.public_number, name="contact.phone_abroad"),
        # e-mail in any disguise: (at)/[at]/골뱅이/" at ", 점/닷/(dot)/" dot ", a TLD in Hangul (점 케이알, 점컴)
        # a pager or extension reaches one person on shift: 삐삐 4471, 콜폰 2283, pager 7719 or 8-5521, ext. 3320
        # (a team's or office's extension — 인사팀 내선 2214 — is a public line)
        Rule("PHONE_NUMBER", re.compile(
            rf"(?<![A-Za-z가-힣]){pager_labels}"
            r"\s?(?:번호|number|no\.?|#)?\s?(?:는|은|:|：|is|was|at)?\s?(?P<v>(?<!\d)(?:\d{3,5}|\d-\d{4})(?![\d-]))"
            # a unit after the number makes it a year, a time or a count (삐삐 2024년부터); written
            # apart, the unit is its own word, a particle allowed (2024 년부터), not 2214 개인 번호
            rf"(?!{units}|\s{units}(?:{particles}){{0,2}}(?![가-힣]))", re.I), 0.7,
            veto=vetoes.team_line, hint=re.compile(pager_labels, re.I), name="contact.pager_extension"),
        Rule("EMAIL_ADDRESS", disguised_email, 0.85, veto=lambda t, s, e: vetoes.public_email(t, s, e) or vetoes.not_a_domain(t[s:e]),
             hint=re.compile(rf"[@＠]|{cue('at_words')}|\b(?:at|AT)\b"), name="contact.email_disguised"),
        Rule("MESSENGER_ID", re.compile(
            rf"{handle_context}[^\n@]{{0,24}}?(?<![\w.])(?P<v>(?=@|[A-Za-z][A-Za-z0-9.]{{0,29}}[_\d]|[A-Za-z][A-Za-z0-9]{{0,29}}\.[A-Za-z])@?[A-Za-z][A-Za-z0-9_.]{{2,29}}[A-Za-z0-9_])(?![@A-Za-z0-9_]|\.[A-Za-z])"),
            0.75, veto=vetoes.not_a_handle, name="contact.handle_after_label"),
        # the platform written right before the handle belongs to it ("카톡 abc_12" is one contact)
        Rule("MESSENGER_ID", re.compile(
            rf"(?<![가-힣A-Za-z]){cue('platforms')}"
            r"\s(?=@|[A-Za-z][A-Za-z0-9.]{0,29}[_\d]|[A-Za-z][A-Za-z0-9]{0,29}\.[A-Za-z])@?[A-Za-z][A-Za-z0-9_.]{2,29}[A-Za-z0-9_](?![@A-Za-z0-9_]|\.[A-Za-z])"),
            0.75, veto=vetoes.not_a_handle, name="contact.handle_after_platform"),
        # personal pages and open-chat links reach one person as surely as a handle; the path is
        # ASCII (\w would take the particle glued after it: instagram.com/nurse_kim으로)
        Rule("MESSENGER_ID", re.compile(
            r"(?:https?://)?(?:open\.kakao\.com/o/|(?:www\.)?instagram\.com/|(?:www\.)?facebook\.com/|"
            r"(?:www\.)?(?:x|twitter)\.com/|blog\.naver\.com/|(?:www\.)?tiktok\.com/@)[A-Za-z0-9_./@-]{1,200}"), 0.8, name="contact.profile_link"),
        # a bare @handle counts when it looks like a personal handle (digits, _ or a dot between
        # letters: @jh.yeom), not @everyone, or is a chat's mention of one person (@jhpark can you
        # cover …), not of a group (@here), nor a dose (@2.5); a full stop after it ends the sentence
        Rule("MESSENGER_ID", re.compile(r"(?<![\w@])@(?=[A-Za-z0-9.]{0,30}(?:[_\d]|[A-Za-z]\.[A-Za-z]))"
                                        r"[A-Za-z_][A-Za-z0-9_.]{1,28}[A-Za-z0-9_](?![A-Za-z0-9_@])"
                                        rf"|(?<![\w@])@(?!(?:{cue('group_mentions')})(?![A-Za-z]))[a-z][a-z]{{3,29}}(?![A-Za-z0-9_@.])"),
             0.6, name="contact.at_handle"),
        Rule("HOME_ADDRESS", re.compile(address), 0.6, veto=vetoes.public_address, name="contact.address_kr"),
        Rule("HOME_ADDRESS", re.compile(en_address), 0.6, veto=vetoes.public_address,
             hint=re.compile(r"-(?:ro|gil|daero|dong|eup|myeon|ri)\b"), name="contact.address_en"),
        Rule("HOME_ADDRESS", re.compile(apartment_unit), 0.75, name="contact.apartment_unit"),
    ]
    return [
        GroupRegexRecognizer("KoreanContactRecognizer", rules, supported_language=language),
        # no context words: they only send every e-mail through Presidio's (linear) context scan
        OfflineEmailRecognizer(vetoes.public_email, supported_language=language, context=[]),
    ]
