"""Contacts typed the way phones and filters push people to: odd hyphens, providers named in Hangul."""
from __future__ import annotations

import pytest

try:  # tests/ imported as a package or as plain modules
    from .engine_support import default_engine, texts
except ImportError:
    from engine_support import default_engine, texts


@pytest.fixture(scope="session")
def engine():
    return default_engine()


@pytest.mark.parametrize("draft, contact", [
    ("급하면 010ㅡ3381ㅡ2046 으로 문자", "010ㅡ3381ㅡ2046"),
    ("번호 010–5127–9930 (엔대시)", "010–5127–9930"),
    ("연락처 010―4415―7282 입니다", "010―4415―7282"),
    ("메일은 hana.seo 골뱅이 네이버 로 보내래", "hana.seo 골뱅이 네이버"),
    ("jw_park88 골뱅이 지메일 점컴 이에요", "jw_park88 골뱅이 지메일 점컴"),
    ("주소 minho.c@다음 이었나", "minho.c@다음"),
])
def test_unusual_spellings_are_contacts(engine, draft, contact):
    assert contact in texts(engine.analyze(draft), "contact")


@pytest.mark.parametrize("draft", [
    "ㅡㅡ 진짜 010 얘기는 그만",             # an emoticon, not a separator
    "네이버 다음 구글 중에 뭐가 나아요?",      # providers without an address
    "검사 결과 12ㅡ15 사이로 나왔어요",       # a range, not a phone number
])
def test_look_alikes_are_not_contacts(engine, draft):
    assert texts(engine.analyze(draft), "contact") == []
