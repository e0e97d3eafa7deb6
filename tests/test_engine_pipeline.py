"""The pipeline end to end: offsets, grouping and placeholders, risk, redaction, configuration."""
from __future__ import annotations

import unicodedata

import pytest

from companion.engine import UnknownFindingError, build_engine
from engine_support import detection, texts


def utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


@pytest.mark.parametrize("draft", [
    "😀🎉 김성호 교수 010-1234-5678 😡 세브란스 흉부외과",
    unicodedata.normalize("NFD", "한마음병원 정형외과 이수진 선생님 연락처 010-2284-7719"),
    "윤\u200b태오 R4 진짜 ㅋㅋ 🤮 카톡 tae_oh_92",
    "ｋａｋａｏ ０１０-８８２３-４１５０ 박**쌤",
])
def test_offsets_point_into_the_original(engine, draft):
    result = engine.analyze(draft)
    assert result["findings"]
    for f in result["findings"]:
        assert draft[f["start"]:f["end"]] == f["text"]
        assert f["start_utf16"] == utf16(draft, f["start"]) and f["end_utf16"] == utf16(draft, f["end"])


@pytest.mark.parametrize("original, normalised", [
    ("윤\u200b태오 ０１０-３９１８", "윤태오 010-3918"),
    (unicodedata.normalize("NFD", "김성호 교수"), "김성호 교수"),
    ("번호 공일공 팔이칠삼 오일구사로 연락", "번호 010 8273 5194로 연락"),
    ("이번에 삼성 사 일 이", "이번에 삼성 사 일 이"),
])
def test_normaliser_maps_every_character_back(original, normalised):
    from companion.engine.normalize import normalize

    norm = normalize(original)
    assert norm.text == normalised
    spans = [norm.to_original(i, i + 1) for i in range(len(norm.text))]
    assert all(s < e for s, e in spans)  # every character comes from some original characters
    assert all(a[0] <= b[0] for a, b in zip(spans, spans[1:]))  # in order
    assert norm.to_original(0, len(norm.text)) == (0, len(original))
    rebuilt = "".join(original[s:e] for s, e in dict.fromkeys(spans))
    assert unicodedata.normalize("NFC", rebuilt.replace("\u200b", "")) == unicodedata.normalize("NFC", original.replace("\u200b", ""))


def test_emoji_shifts_utf16_offsets(engine):
    result = engine.analyze("🤮🤮 김성호 교수")
    name = next(f for f in result["findings"] if f["category"] == "name")
    assert (name["start"], name["start_utf16"]) == (3, 5)


def test_ids_are_deterministic_and_text_specific(engine):
    a = engine.analyze("김성호 교수 010-1234-5678")
    b = engine.analyze("김성호 교수 010-1234-5678")
    c = engine.analyze("김성호 교수 010-1234-5679")
    assert [f["id"] for f in a["findings"]] == [f["id"] for f in b["findings"]]
    assert not {f["id"] for f in a["findings"]} & {f["id"] for f in c["findings"]}
    assert len({f["id"] for f in a["findings"]}) == len(a["findings"])


def test_a_titled_person_reads_as_han_then_geu(engine):
    """김성호 교수 … 김 교수 → 한 교수 … 그 교수: one person, written as Korean writes about
    someone unnamed; another person with another title is 한 선생님 of their own."""
    draft = "세브란스 신경과 김성호 교수 또 소리질렀대. 김 교수 라인이라 아무도 말 못함. 이수진 선생님만 불쌍"
    result = engine.analyze(draft, redacted_text=True)
    names = [f for f in result["findings"] if f["category"] == "name"]
    kim = [f for f in names if f["text"].startswith("김")]
    assert len(kim) == 2 and kim[0]["person"] == kim[1]["person"]
    redacted = result["redacted_text"]
    assert "김성호" not in redacted and "이수진" not in redacted and "세브란스" not in redacted
    assert "한 교수 또" in redacted and "그 교수 라인" in redacted and "한 선생님만" in redacted


@pytest.mark.parametrize("draft, redacted", [
    ("이모(41·남)씨가 붙잡혔다", "A(41·남)씨가 붙잡혔다"),  # 씨 after the brackets: no second 씨
    ("김민수 교수가 그랬대. 김민수가 원래 그래", "A 교수가 그랬대. A씨가 원래 그래"),  # one person, one way
])
def test_a_person_not_always_titled_keeps_one_letter(engine, draft, redacted):
    assert engine.analyze(draft, redacted_text=True)["redacted_text"] == redacted


def test_people_sharing_a_title_keep_letters(engine):
    result = engine.analyze("김성호 교수랑 박지훈 교수 둘이 싸움. 김성호 교수가 먼저 시작함", redacted_text=True)
    assert result["redacted_text"] == "A 교수랑 B 교수 둘이 싸움. A 교수가 먼저 시작함"


def test_initials_the_draft_already_uses_are_left_alone(engine):
    """Mr. K stays Mr. K (re-lettering it to F would confuse); others get letters beside it."""
    result = engine.analyze("K교수가 그러는데 이수진 간호사 또 지각", redacted_text=True)
    assert result["redacted_text"] == "K교수가 그러는데 A 간호사 또 지각"
    assert engine.analyze("Mr. K said the patient died", redacted_text=True)["redacted_text"] == "Mr. K said the patient died"


def test_the_title_stays_readable(engine):
    result = engine.analyze("신 수간호사님한테 면담 요청했어요. 신 수간호사님 선에서 막힘", redacted_text=True)
    assert result["redacted_text"] == "한 수간호사님한테 면담 요청했어요. 그 수간호사님 선에서 막힘"
    assert engine.analyze("김민수교수님이 또", redacted_text=True)["redacted_text"] == "한 교수님이 또"


@pytest.mark.parametrize("draft, redacted", [
    ("삼성서울 쪽은 요즘 어때요? 김민수 교수 또 소리질렀대", "한 병원 쪽은"),  # not 한 병원서울
    ("2021년에 서울대병원 정형외과 치프였던 김민수 알아요?", "[시기 생략]에 한 대학병원 전공의였던"),  # not 2021한 대학병원
    ("응급실 이수진 간호사 진짜 태움 심함", "응급실 한 간호사"),  # every hospital has an ER
    ("수간호사님이 또 박지영 간호사 괴롭힘", "간호사님이 또"),  # a role stays a role, not 한 직원님
    ("어제 세브란스병원에서 이수진 간호사 봤어", "어제 한 병원에서"),
    # what made one person unique goes, the role stays
    ("세브란스 소아과 3년차 여자 전공의 있잖아요 걔 또 울었대", "한 병원 한 전공의 있잖아요"),
    ("세브란스 최연소 교수 또 사고침", "한 병원 한 교수 또"),  # not 한 직원 교수, and 최연소 is no name
    ("○○병원 응급의학과 유일한 남자 간호사 선생님 이번에 결혼하신대요", "한 병원 한 간호사 선생님 이번에"),
    ("the only female fellow at Severance cried again", "a doctor at a hospital cried"),
])
def test_redactions_read_cleanly(engine, draft, redacted):
    assert redacted in engine.analyze(draft, redacted_text=True)["redacted_text"]


@pytest.mark.parametrize("draft, reason", [
    ("이수진 간호사 주민번호 900101-1234567, 010-1234-5678", "주민등록번호와 휴대전화번호가 그대로 드러나 있습니다"),
    ("주민번호 900101-1234567 이고 면허번호 12345 입니다. 010-1234-5678",
     "주민등록번호, 면허번호와 휴대전화번호가 그대로 드러나 있습니다"),
])
def test_contact_reasons_read_as_sentences(engine, draft, reason):
    assert [r for r in engine.analyze(draft)["risk"]["reasons"] if "드러나" in r] == [reason]


def test_chosung_joins_the_full_name_with_those_initials(engine):
    result = engine.analyze("김철수 교수 얘기임. ㄱㅊㅅ 진짜 답없다")
    names = [f for f in result["findings"] if f["category"] == "name"]
    assert len({f["person"] for f in names}) == 1


@pytest.mark.parametrize("draft, level", [
    ("조영제 알러지 premedication 질문입니다", "none"),
    ("요즘 인턴들 진짜 개념 없음. 머리가 비었나", "low"),
    ("서울대병원 소아외과 유일한 여자 펠로우 있잖아요", "medium"),
    ("박 교수 오늘 회진 일찍 끝남", "medium"),
    ("정민재 미친놈 간호사한테 기구 집어던짐", "high"),
    ("연락처 010-4827-3916 남겨요", "high"),
    ("정민재 미친놈 번호 010-4827-3916 다들 전화해서 따지세요", "critical"),
    # a mask or an initial is someone only with a workplace or a role beside it
    ("혹시 ㅂㅈㅎ 선생 R2 토욜 당직 바꿔줄수 있대?", "medium"),
    ("해솔병원 김OO 또 지각함", "medium"),
    ("교통사고로 크게 다친 D군(8)과 E양(5) 남매가 병원 6곳에서 수용을 거부당했다", "low"),
])
def test_risk_levels_from_combinations(engine, draft, level):
    assert engine.analyze(draft)["risk"]["level"] == level


@pytest.mark.parametrize("draft, warns", [
    ("○○병원 응급의학과 유일한 남자 간호사 선생님 이번에 결혼하신대요", True),
    ("세브란스 흉부외과 3년차 그 사람 또 사고침", True),
    ("아산 71병동 수간호사 진짜 최악", True),
    ("삼성서울병원 3년차 전공의 월급 얼마인가요", False),
    ("분당서울대병원 내과 R1 지원자 많나요?", False),
    ("서울대병원 소아과 외래 예약 어떻게 하나요", False),
    ("요즘 신경과 전공의들 너무 힘들어요", False),
    ("청담 푸른숲피부과 원장 진짜 사기꾼임. 여기 다니지 마세요", True),
    ("우리 병원 원장님이 이번에 바뀌었어요", False),
    ("다솜병원 응급실 간호사 모집합니다. 남자 간호사 우대", False),
    ("응급의학과 치프 업무 질문이요", False),
    ("분당서울대 소아과 치프 진짜 최악", True),
    ("강남세브란스 응급의학과 교육수련부장 갑질", True),
    ("the only male nurse in the Asan NICU is leaving", True),
])
def test_combinations_identify_one_person_but_not_a_crowd(engine, draft, warns):
    level = engine.analyze(draft)["risk"]["level"]
    assert (level in ("medium", "high", "critical")) == warns


def test_reasons_are_in_the_draft_language(engine):
    ko = engine.analyze("김성호 교수 010-1234-5678")["risk"]["reasons"]
    en = engine.analyze("Dr. Park Jiyeon, phone 010-1234-5678")["risk"]["reasons"]
    assert ko and all(any("\uac00" <= ch <= "\ud7a3" for ch in r) for r in ko)
    assert en and all(r.isascii() for r in en)
    assert any("전화번호" in r for r in ko) and any("phone number" in r for r in en)
    assert not any("_" in r for r in ko + en), "reasons name kinds, not internal entity types"


def test_affiliations_in_a_post_about_no_one_are_not_findings(engine):
    result = engine.analyze("서울대병원 본관 외래 주차 진짜 헬입니다. 세브란스는 발렛 따로 한다던데")
    assert result["findings"] == [] and result["risk"]["level"] == "none"


@pytest.mark.parametrize("draft, entity, text", [
    ('정민재 별명이 "저승사자"임 ㅋㅋ', "NICKNAME", "저승사자"),
    ('Kim from ortho (R3, the one everyone calls "Man Bun") is a creep', "NICKNAME", "Man Bun"),
    ("Prof. Lee runs the Lee lab at SNU", "LAB", "Lee lab"),
    ("서울대병원 소아외과 유일한 여자 펠로우 있잖아요", "UNIQUE_ROLE", "유일한 여자 펠로우"),
    ("김모씨(남/45) 68/F 환자 홍길순", "AGE_GENDER", "68/F"),
    # dated moments and life events next to a person
    ("지난주 셋째 주 목요일 당직 때 한수아 교수가 소리 지름", "DATED_EVENT", "지난주 셋째 주 목요일"),
    ("지난달 15일 밤 11시쯤 윤재석 선생이 응급실에서 난동", "DATED_EVENT", "지난달 15일 밤 11시쯤"),
    ("지난 추석 연휴 직전에 곽민지 간호사가 사직서 냄", "DATED_EVENT", "지난 추석 연휴 직전"),
    ("성서연 교수님 부친상. 빈소는 장례식장", "DATED_EVENT", "부친상"),
    ("방재민 교수님 다음달 정년퇴임이세요", "DATED_EVENT", "정년퇴임"),
    ("옥지후 선생님 육아휴직 복귀하셨어요", "DATED_EVENT", "육아휴직 복귀"),
    ("과에서는 최도현 교수를 '불곰'이라고 부릅니다", "NICKNAME", "불곰"),
    ('윤하람 교수, 다들 "불도저"로 불러요', "NICKNAME", "불도저"),
    # training years in months and in English, ages after a name
    ("신규 4개월차 여은수 쌤 인스타", "TRAINING_YEAR", "신규 4개월차"),
    ("We lost a third-year in March; Dr. Min Jaeho left too", "TRAINING_YEAR", "third-year"),
    ("a second-year research fellow at Ajou, Dr. Kang Mina", "TRAINING_YEAR", "second-year research fellow"),
    ("Mr. Baek Sangho, 77, fell at home", "AGE_GENDER", "77"),
    ("김모씨(남/45) 신분증 미소지", "AGE_GENDER", "45"),
    ("외래에서 만난 서말자 할머니(81) 보호자분", "AGE_GENDER", "81"),
    # a role or unit written as the person's label, right before the name
    ("한OO 교수 얘기인데 작년에 부산에서 올라온 분이에요", "DATED_EVENT", "작년에 부산에서 올라온 분"),
    ("송OO 쌤, 재작년에 외과 병동에서 옮겨오신 분이에요", "DATED_EVENT", "재작년에 외과 병동에서 옮겨오신 분"),
    ("박OO 선생 작년에 파트장 단 사람", "DATED_EVENT", "작년에 파트장 단 사람"),
    ("책임간호사 남ㅇㅇ 쌤 담당", "ROLE", "책임간호사"),
    ("우리 SICU 오다인 선생이 또 늦음", "UNIT", "SICU"),
    # workplaces: national institutions, a health centre named by its town, English short forms
    ("강릉 보건소 민원실 유모 주무관 또 퇴짜", "HOSPITAL", "강릉 보건소"),
    ("국립암센터 소아암센터 하OO 박사 논문 건", "HOSPITAL", "국립암센터 소아암센터"),
    ("The nephro consult came back; Dr. K refused", "DEPARTMENT", "nephro"),
    ("Dr. Noh from Chonnam ortho is rude", "HOSPITAL", "Chonnam ortho"),
    ("칠곡경북대 소아과 김OO 교수", "HOSPITAL", "칠곡경북대 소아과"),
    ("순천향 부천 응급실 박OO 쌤", "HOSPITAL", "순천향 부천 응급실"),
])
def test_details_and_affiliations_by_type(engine, draft, entity, text):
    found = [(f["entity_type"], f["text"]) for f in engine.analyze(draft)["findings"]]
    assert (entity, text) in found


@pytest.mark.parametrize("draft", [
    "정하윤 선생님 다음주에 보건소 가신대요",
    "- AM lab f/u: CBC 김철수 환자",
    "하OO 박사 연구실 얘기입니다",
    "우리 병원 NICU 전담간호사 됐어요. 김OO 교수님 감사",
    "지난 말씀처럼 한수아 교수가 정리함",
    "ㅂㅈㅎ 선생 토욜 당직 바꿔줄수 있대? 나 친구 결혼식",
    "저는 마취과 쪽 사람이라 김OO 교수 수술방에 자주 감",
    "I am a second-year resident and Dr. Kim yelled at me",
    "김OO 교수가 지난 2시간 동안 소리지름. 지난 3일간 안 나옴",
    "김OO 교수 얘기. 작년에 노조에 들어간 민원은 아직 처리 안 됨",
])
def test_context_that_describes_no_one_is_not_a_finding(engine, draft):
    found = [f for f in engine.analyze(draft)["findings"] if f["category"] in ("affiliation", "detail")]
    assert found == []


def test_a_hospital_as_a_venue_is_no_workplace(engine):
    result = engine.analyze("[부고] 채OO 교수님 부친상. 빈소: 청주 성모병원 장례식장 2호실")
    assert not [f for f in result["findings"] if f["category"] == "affiliation"]


def test_a_role_in_the_plural_is_a_group(engine):
    assert "펠로우" not in texts(engine.analyze("혈액종양내과 펠로우들이랑 회식한 김OO 교수"))


def test_affiliation_and_detail_pointing_at_a_person_are_findings(engine):
    result = engine.analyze("삼성서울병원 신경외과 R2 임재현 선생님 이번에 결혼하신대요")
    assert {"affiliation", "detail", "name"} <= {f["category"] for f in result["findings"]}


@pytest.mark.parametrize("draft", [
    "정민재 010-4827-3916 serin.jang@gmail.com 주민번호 900527-2463018",
    "윤\u200b태오 카톡 tae_oh_92, 공일공 팔이칠삼 오일구사",
    "김OO 교수, K교수, ㄱㅊㅅ, 박.준.혁, Dr. Park Ji-yeon",
])
def test_redaction_never_leaves_a_name_contact_or_id(engine, draft):
    result = engine.analyze(draft, redacted_text=True)
    core = [f for f in result["findings"] if f["category"] in ("name", "contact", "id")]
    assert core
    redacted = engine.redact(draft)["redacted_text"]
    assert redacted == result["redacted_text"]
    for f in core:
        if len(f["text"]) >= 2:
            assert f["text"] not in redacted


def test_redact_accept_and_replacements(engine):
    draft = "김성호 교수 번호 010-1234-5678"
    findings = engine.analyze(draft)["findings"]
    phone = next(f for f in findings if f["category"] == "contact")
    name = next(f for f in findings if f["category"] == "name")
    out = engine.redact(draft, accept=[phone["id"]])
    assert out == {"redacted_text": draft.replace("010-1234-5678", phone["suggestion"]), "applied": [phone["id"]], "complete": True}
    out = engine.redact(draft, accept=[name["id"]], replacements={name["id"]: "모"})
    assert out["redacted_text"] == "모 교수 번호 010-1234-5678"


def test_redact_rejects_ids_of_another_text(engine):
    other = engine.analyze("이수진 선생님")["findings"][0]["id"]
    with pytest.raises(UnknownFindingError) as err:
        engine.redact("김성호 교수", accept=[other])
    assert err.value.ids == [other]


def test_language_is_detected(engine):
    assert engine.analyze("Dr. Park yelled at the intern again")["language"] == "en"
    assert engine.analyze("박 교수 또 intern한테 소리지름")["language"] == "ko"


def test_config_categories_threshold_allow_and_roster(tmp_path):
    roster = tmp_path / "roster.txt"
    roster.write_text("# staff\n나하늘\n", encoding="utf-8")
    draft = "나하늘 선생님 번호 010-1234-5678 그리고 김성호 교수"
    eng = build_engine(detection(categories=("contact",), roster=roster))
    assert {f["category"] for f in eng.analyze(draft)["findings"]} == {"contact"}
    eng = build_engine(detection(roster=roster, allow=("김성호",)))
    found = texts(eng.analyze("하늘 위로 나하늘가 김성호 교수와 나.하.늘"), "name")
    assert "나하늘" in found and "나.하.늘" in found and "김성호" not in found
    eng = build_engine(detection(threshold=0.95, roster=roster))
    result = eng.analyze(draft)
    assert texts(result) == ["나하늘"] and all(f["score"] >= 0.95 for f in result["findings"])


def test_a_recognizer_added_to_the_registry_takes_effect():
    from presidio_analyzer import Pattern, PatternRecognizer

    eng = build_engine(detection())
    draft = "병동 코드 WARD-7731 로 들어오세요"
    assert eng.analyze(draft)["findings"] == []
    for language in eng.languages:
        eng.registry.add_recognizer(PatternRecognizer(
            supported_entity="DOOR_CODE", supported_language=language,
            patterns=[Pattern("door code", r"WARD-\d{4}", 0.9)]))
    found = eng.analyze(draft)["findings"]
    assert [(f["entity_type"], f["text"], f["category"]) for f in found] == [("DOOR_CODE", "WARD-7731", "id")]


def test_concurrent_analyses_give_the_same_answers(engine):
    import threading

    drafts = ["세브란스 흉부외과 3년차 정민재가 또 사고침", "김OO 교수 010-1234-5678", "Dr. Park Ji-yeon at Asan",
              "조영제 알러지 질문입니다", "ㄱㅊㅅ 진짜 답없다 윤\u200b태오 카톡 tae_oh_92"] * 4
    expected = [engine.analyze(d) for d in drafts]
    mismatches: list[int] = []

    def worker(offset: int) -> None:
        for i in range(offset, len(drafts), 4):
            if engine.analyze(drafts[i]) != expected[i]:
                mismatches.append(i)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert mismatches == []


def test_an_unreadable_roster_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="roster"):
        build_engine(detection(roster=tmp_path / "missing.txt"))


def test_a_dated_event_is_replaced_without_a_tense(engine):
    result = engine.analyze("방재민 교수님 다음달 셋째 주 금요일 정년퇴임이세요")
    events = [f for f in result["findings"] if f["entity_type"] == "DATED_EVENT"]
    assert events and all(f["suggestion"] == "[시기 생략]" for f in events)


def test_every_entity_type_has_words_in_both_languages():
    """data/entities.tsv and data/messages/*.tsv agree: each type has a category, a reason and a
    suggestion (its own or its category's) in Korean and English, and both files have the same keys."""
    from companion.engine import entities

    ko, en = entities.messages("ko"), entities.messages("en")
    assert set(ko) - {"unnamed.first", "unnamed.later"} == set(en)
    for name, (category, _) in entities._types().items():
        assert entities.category_of(name) == category
        for lang in ("ko", "en"):
            assert entities.word(lang, f"reason.{name}", f"reason.{category}")
            if category not in ("name", "detail", "affiliation"):
                assert entities.word(lang, f"suggestion.{name}", f"suggestion.{category}")
    assert entities.merged_type("DEPARTMENT", "HOSPITAL") == "HOSPITAL"
    assert entities.merged_type("UNIT", "LAB") == "UNIT"
