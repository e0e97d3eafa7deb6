"""Contacts and identifiers in every spelling, and the numbers that are not a person's."""
from __future__ import annotations

import pytest

from engine_support import texts


@pytest.mark.parametrize("draft, contact", [
    ("번호 010-4827-3916 입니다", "010-4827-3916"),
    ("01039274415로 연락주세요", "01039274415"),
    ("010 5521 8034 이걸로", "010 5521 8034"),
    ("010.6613.2950 문자 주세요", "010.6613.2950"),
    ("+82 10-7351-0462 (해외에서)", "+82 10-7351-0462"),
    ("폰 ０１０-３９１８-２７５０ 임", "０１０-３９１８-２７５０"),
    ("전화 공일공 팔이칠삼 오일구사로 해", "공일공 팔이칠삼 오일구사"),
    ("메일 serin.jang.fm@gmail.com 으로", "serin.jang.fm@gmail.com"),
    ("yunachoi.echo (at) gmail.com 으로 연락", "yunachoi.echo (at) gmail.com"),
    ("hyunwoo.shin 골뱅이 naver.com 이었어요", "hyunwoo.shin 골뱅이 naver.com"),
    ("카톡 아이디 doyun_kim91 이에요", "doyun_kim91"),
    ("인스타 @seoyeon_rehab 에 다 나와있음", "@seoyeon_rehab"),
    ("Her KakaoTalk might be jiwoo_han_id too", "jiwoo_han_id"),
    ("번호 010 - 1234 - 5678 로 연락", "010 - 1234 - 5678"),
    ("메일 minji.kim at gmail dot com 이에요", "minji.kim at gmail dot com"),
    ("오픈채팅 https://open.kakao.com/o/sAbC123 들어와", "https://open.kakao.com/o/sAbC123"),
    ("집 주소가 래미안아파트 101동 1203호래", "래미안아파트 101동 1203호"),
    ("그 사람 집이 서울시 마포구 연남동 123-45 래", "서울시 마포구 연남동 123-45"),
    # e-mail spelled with words, Hangul TLDs, spaces around the separators
    ("메일은 sooah.kim 골뱅이 snuh 점 오알지 야", "sooah.kim 골뱅이 snuh 점 오알지"),
    ("이메일 parkdy (at) naver 점컴 으로 주세요", "parkdy (at) naver 점컴"),
    ("jh.yoon [at] kumc 점 co 점 kr 로 보내세요", "jh.yoon [at] kumc 점 co 점 kr"),
    ("contact her at minseo.lee at yahoo dot com please", "minseo.lee at yahoo dot com"),
    ("메일 hyejin_88 @ daum.net 입니다", "hyejin_88 @ daum.net"),
    # addresses with the province and the flat, and in English
    ("그분 집이 부산 해운대구 좌동순환로 45, 1502호래요", "부산 해운대구 좌동순환로 45, 1502호"),
    ("집주소 대전광역시 유성구 봉명동 543-2 302호", "대전광역시 유성구 봉명동 543-2 302호"),
    ("경남 창원시 의창구 중앙대로 151번길 12, 2층 201호 산대요", "경남 창원시 의창구 중앙대로 151번길 12, 2층 201호"),
    ("Her address is 15 Sejong-daero 23-gil, Jongno-gu, Seoul, Apt 1101", "15 Sejong-daero 23-gil, Jongno-gu, Seoul, Apt 1101"),
    ("He lives at 88 Hakdong-ro, Gangnam-gu, Seoul.", "88 Hakdong-ro, Gangnam-gu, Seoul"),
    # a hospital on the next line does not make a home address an institution's
    ("주소: 서울 강서구 공항대로 210, 1105호\n일산병원 재활의학과 외래 다님", "서울 강서구 공항대로 210, 1105호"),
    # handles and addresses with a particle glued on
    ("메일 jinwoo.han@naver.com으로 보내주세요", "jinwoo.han@naver.com"),
    ("카톡 jiyoon_92로 연락해", "카톡 jiyoon_92"),
    ("카톡 아이디는 hana0312에요", "hana0312"),
    ("인스타 @minji.rn_으로 들어가봐", "@minji.rn_"),
    ("Apt. 302, 14 Bongeunsa-ro 5-gil, Gangnam-gu", "Apt. 302, 14 Bongeunsa-ro 5-gil, Gangnam-gu"),
    ("그 교수 집 서초구 반포대로 201 래미안 104동", "서초구 반포대로 201 래미안 104동"),
    ("call my pager at 5512", "5512"),
    ("네이버 메일 jisoo_k92 로 보내래", "jisoo_k92"),
    ("메일 주소 hj.lee88 이래 (gmail)", "hj.lee88"),
    ("posted patient photos on IG @yeonwoo.rn", "IG @yeonwoo.rn"),
    ("82 10 4432 1198 로 연락", "82 10 4432 1198"),
    ("(010)2234-5567 로 전화", "(010)2234-5567"),
    # pagers, and extensions the draft says are someone's
    ("삐삐 4471 로 연락주세요", "4471"),
    ("콜폰 2283 으로 호출하면 받아요", "2283"),
    ("Dr. Kim's pager 7719, ext. 3320", "3320"),
    ("박 선생님 내선 3392 로 주세요", "3392"),
])
def test_contacts(engine, draft, contact):
    result = engine.analyze(draft)
    # a finding covers the contact (a platform word right before a handle joins it: "카톡 abc_12")
    found = texts(result, "contact")
    assert contact in found or any(f.endswith(" " + contact) for f in found)
    assert result["risk"]["level"] in ("high", "critical")


@pytest.mark.parametrize("draft, number", [
    ("주민번호 900527-2463018 적혀있던데", "900527-2463018"),
    ("주민등록번호는 7903111582046", "7903111582046"),
    ("의사 면허번호 98213 조회해봄", "98213"),
    ("면허 제12345호", "12345"),
    ("사번 104382 로 로그인", "104382"),
    ("차트번호 30418827 환자", "30418827"),
    ("주민번호 900527-2****** 라고 적혀있던데", "900527-2******"),
    ("주민번호 앞자리 900101 이래", "900101"),
    ("생년월일은 모르고 주민번호 뒷자리 2134567 만 알아", "2134567"),
    ("His licence number is 482213 and he still practises", "482213"),
    ("employee ID KH-1092 was suspended", "KH-1092"),
    ("사번 HS-19-0442 로 조회됨", "HS-19-0442"),
    ("her employee number is A-20931", "A-20931"),
    ("MRN 55203918 belongs to that patient", "55203918"),
])
def test_identifiers(engine, draft, number):
    result = engine.analyze(draft)
    assert number in texts(result, "id")
    assert result["risk"]["level"] in ("high", "critical")


@pytest.mark.parametrize("draft", [
    "심평원 고객센터 1644-2000 전화해봤는데 대기만 20분",
    "대표번호 1588-5700으로 문의해도 연결이 안됨",
    "병원 대표전화 031-482-1177 로 예약하세요",
    "프레드니솔론 50mg 13시간 전, 클로르페니라민 4mg",
    "eGFR 38, HbA1c 7.2%, Cr 1.6, K 5.1",
    "2024-03-15 외래 f/u, 다음 검사는 2024-05-01",
    "E11.22 + N18.3 주상병으로 청구",
    "Came in with melena, bleeding at endoscopy was active.",
    "서울대병원 위치 서울시 종로구 대학로 101 입니다",
    "문의는 인사팀 내선 2214로 주세요",
    "학회 사무국 office@ksim.or.kr 로 사전등록 문의하세요",
    "@everyone 회의 10시로 변경",
    "원무과 내선 3301 로 전화하세요",
    "call the lab on ext. 4410 for results",
    "I was at google.com all day",
    "우리는 naver 점심 먹으러 감",
    "The clinic is at 101 Daehak-ro, Jongno-gu, Seoul Hospital",
    "chart review of 120 patients showed",
    "사번 2019년 입사자 교육 일정 공지",
    "메일 보냈어요 2번이나. 이메일 확인 부탁",
    "주민센터 가서 등본 떼고 뒷자리 1234567 은 비밀번호 예시입니다",
])
def test_numbers_that_are_not_personal(engine, draft):
    result = engine.analyze(draft)
    assert texts(result, "contact") == [] and texts(result, "id") == []
    assert result["risk"]["level"] in ("none", "low")


def test_a_handle_with_a_dot_is_not_an_email(engine):
    found = [(f["entity_type"], f["text"]) for f in engine.analyze("posted patient photos on IG @yeonwoo.rn")["findings"]]
    assert ("MESSENGER_ID", "IG @yeonwoo.rn") in found


# Contacts typed the way phones and filters push people to: odd hyphens, providers named in Hangul.
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
