"""Numbers tied to one person: resident registration, licences, employee and chart numbers,
passports, car plates.

Presidio's KR recognizers are built for language ``ko`` with Korean context words; our own
rules add an RRN pattern without the checksum (drafts carry mistyped or invented numbers that
still expose the birth date and sex) and context-led numbers (면허번호 12345, 사번 …).
"""
from __future__ import annotations

import re

from presidio_analyzer.predefined_recognizers import (KrBrnRecognizer, KrDriverLicenseRecognizer,
                                                      KrFrnRecognizer, KrPassportRecognizer, KrRrnRecognizer)

from ..lexicon import Lexicon
from .regex_base import GroupRegexRecognizer, Rule, cue_alternations

_DIGITS = r"\d[\d-]{3,12}\d"
#: an employee or chart number may carry letters: HS-19-0442, KH1092, A-20931
_PHONE_SHAPE = re.compile(r"0\d{1,2}-\d{3,4}-\d{4}|01\d{8,9}|0[2-6]\d{7,9}")
_CODE = r"(?:[A-Za-z]{1,4}[-\s]?)?\d[\d-]{2,12}\d(?![A-Za-z])"


def _context_number(keywords: str, digits: str = _DIGITS) -> re.Pattern[str]:
    # the number may follow in brackets: licence (no. 128837), employee number (CR-240311)
    # and a qualifier in brackets may follow the label: 사번(가발급): A2403157
    return re.compile(rf"(?:{keywords})(?:\s?\([^()\d\n]{{1,8}}\))?\s?\(?(?:번호|No\.?|number|num\.?|#)?\s?(?:는|은|:|：|=|is|was)?\s?(?:제\s?)?"
                      rf"(?P<v>{digits})(?:\s?호)?(?!\d)(?!\s?(?:년|월|일|시간|시|분|개|명|회|건|세|살|%))", re.I)


def _not_after(words) -> str:
    """Lookbehinds that fail right after any of the words, glued or a space apart (운전면허,
    운전 면허): one each, as the words differ in length."""
    return "".join(rf"(?<!{re.escape(w)})(?<!{re.escape(w)}\s)" for w in words)


def id_recognizers(lexicon: Lexicon, language: str) -> list:
    cue = cue_alternations(lexicon, "identifiers")
    rrn_labels = cue("rrn_labels")
    rrn_label_or_code = re.compile(rf"{rrn_labels}|RRN")
    not_another_registration = _not_after(lexicon.cue("identifiers.other_registrations"))
    rules = [
        Rule("KR_RRN", re.compile(r"(?<!\d)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[\s-]?[1-8]\d{6}(?!\d)"), 0.85, name="id.rrn"),
        # a half-masked RRN still gives birth date and sex: 900527-2******
        Rule("KR_RRN", re.compile(r"(?<!\d)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[\s-]?[1-8][*＊xX●○]{6}"), 0.7, name="id.rrn_masked"),
        # half an RRN still gives the birth date or sex and the rest: 주민번호 앞자리 900101, 뒷자리 2345678
        Rule("KR_RRN", re.compile(rf"{rrn_labels}[^\n\d]{{0,10}}?(?P<v>(?<!\d)\d{{6,7}})(?![\d-])"), 0.7, name="id.rrn_half_labelled"),
        Rule("KR_RRN", re.compile(rf"{cue('rrn_halves')}[^\n\d]{{0,4}}?(?P<v>(?<!\d)\d{{6,7}})(?![\d-])"), 0.7,
             veto=lambda t, s, e: rrn_label_or_code.search(t[max(0, s - 40):s]) is None, name="id.rrn_half_front_back"),
        # not a driver's licence (운전면허번호 11-19-123456-78)
        Rule("MEDICAL_LICENSE", _context_number(_not_after(lexicon.cue("identifiers.other_licenses")) + cue("license_labels"), _CODE),
             0.85, name="id.medical_license"),
        # a passport's number after its label, whatever the country (passport no. TR4471902)
        Rule("PASSPORT", _context_number(cue("passport_labels"), _CODE), 0.85, name="id.passport_labelled"),
        Rule("EMPLOYEE_ID", _context_number(cue("employee_labels"), _CODE), 0.85, name="id.employee_number"),
        # 등록번호 alone is a patient's, not a resident's, foreigner's or business's (사업자 등록번호)
        Rule("CHART_NUMBER", _context_number(rf"{cue('chart_labels')}|{not_another_registration}등록\s?번호", _CODE), 0.85,
             name="id.chart_number"),
        # a bank account after its bank or label: 10 to 16 digits in hyphenated groups, or 10 to 14 in a
        # row, and not shaped as a phone number (부산 051-123-4567 is a line)
        Rule("BANK_ACCOUNT", re.compile(rf"(?:{cue('account_labels')})[\s:：]{{0,3}}(?:은|는|:)?\s?"
                                        r"(?P<v>(?<![\d-])(?:\d{2,6}(?:-\d{1,8}){1,3}|\d{10,14})(?![\d-]))", re.I), 0.8,
             veto=lambda t, s, e: not 10 <= sum(c.isdigit() for c in t[s:e]) <= 16 or _PHONE_SHAPE.fullmatch(t[s:e]) is not None,
             name="id.bank_account"),
        # a car's number plate: two or three digits, the plate's syllable, four digits (12가 3456),
        # not when a unit follows, making the four digits an amount or a count (12가 3456원)
        Rule("VEHICLE_PLATE", re.compile(rf"(?<![\d-])\d{{2,3}}(?:{cue('plate_syllables')})\s?\d{{4}}(?![\d-])"
                                         r"(?!\s?(?:년|월|일|시간|시|분|개|명|회|건|세|살|원|%|mg|ml|cc))"), 0.75,
             name="id.vehicle_plate"),
    ]
    return [
        GroupRegexRecognizer("KoreanIdRecognizer", rules, supported_language=language),
        KrRrnRecognizer(supported_language=language, context=list(lexicon.cue("identifiers.rrn_context"))),
        KrFrnRecognizer(supported_language=language, context=list(lexicon.cue("identifiers.frn_context"))),
        KrBrnRecognizer(supported_language=language, context=list(lexicon.cue("identifiers.brn_context"))),
        KrDriverLicenseRecognizer(supported_language=language, context=list(lexicon.cue("identifiers.driver_license_context"))),
        KrPassportRecognizer(supported_language=language, context=list(lexicon.cue("identifiers.passport_context"))),
    ]
