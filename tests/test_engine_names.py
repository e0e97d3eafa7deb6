"""Korean and English names, their disguises, and the words that must not be read as names."""
from __future__ import annotations

import pytest

from engine_support import default_engine, texts


@pytest.mark.parametrize("draft, name", [
    ("정민재가 어제 또 콜을 씹었어요", "정민재"),
    ("이수진한테 물어보세요", "이수진"),
    ("황보민석 선생님이 당직이었음", "황보민석"),
    ("남궁현 교수님 외래 너무 불친절", "남궁현"),
    ("신입 간호사 이하은 쌤 일 못함", "이하은"),
    ("송지훈이랑 한채원이 사귄대", "한채원"),
    ("권나래한테 혼났어요", "권나래"),
    ("우하인한테 물어봤더니 모른대요", "우하인"),
    ("어제 차은우가 콜 안받음", "차은우"),
    ("주치의: 한지민 / 담당 간호사: 오세린", "오세린"),
    ("정하은이랑 유민서랑 둘 다 나이트", "유민서"),
    ("오늘 당직표: 내과 정하은 / 소아과 한지우", "정하은"),
    ("심하린이 번호 바꿨대 010 5582 1903 저장", "심하린"),
    ("Dr. Park — full name 함예준, 2년차 펠로우", "함예준"),
    ("옥세아가 어제 당직 펑크냄", "옥세아"),
    ("여기 담당은 민서진님입니다", "민서진"),
    ("윤서후 fellow가 또 노티 안함", "윤서후"),
    # names mecab knows as a person or cannot parse at all; older generations' syllables
    ("이동렬이 어제 콜 씹음", "이동렬"),
    ("곽도윤이 또 지각함", "곽도윤"),
    ("남궁현우랑 독고영재가 싸움", "남궁현우"),
    ("한갑수 환자 낙상 사고", "한갑수"),
    ("윤점례 할머니가 또 탈출하심", "윤점례"),
    ("정말순 할머니 보호자 번호 010-2233-4455", "정말순"),
])
def test_full_names_with_particles_and_titles(engine, draft, name):
    assert name in texts(engine.analyze(draft), "name")


@pytest.mark.parametrize("draft, name", [
    ("흉부외과 박 교수 수술 잘함", "박"),
    ("최선생님이 오늘 오프래요", "최"),
    ("정쌤이 일은 잘하잖아", "정"),
    ("신 수간호사님한테 면담 요청함", "신"),
])
def test_surname_with_title_is_the_surname(engine, draft, name):
    assert texts(engine.analyze(draft), "name") == [name]


@pytest.mark.parametrize("draft, name", [
    ("김OO 교수 또 술먹고 옴", "김OO"),
    ("이○○ 간호사 태움 심함", "이○○"),
    ("박** 선생 연락 안됨", "박**"),
    ("최XX 전공의 사직함", "최XX"),
    ("정ㅇㅇ 쌤 결혼한대", "정ㅇㅇ"),
    ("주치의 정O훈 선생님", "정O훈"),
    ("김모 교수 논문 조작 의혹", "김모"),
    ("김 모 교수 징계 받을뻔", "김 모"),
    ("K교수 회진 때마다 갈굼", "K"),
    ("J쌤 오늘 나이트래", "J"),
    ("ㄱㅊㅅ 교수 또 난리침", "ㄱㅊㅅ"),
    ("ㅂㅈㅎ는 지금 펠로우임", "ㅂㅈㅎ"),
    ("ㄱ교수 또 소리지름", "ㄱ"),
    ("주치의 남궁 선생님 진짜 친절", "남궁"),
    ("K모 교수 징계 받았대", "K모"),
    ("김 아무개 교수 논문 표절", "김 아무개"),
    ("김某 교수 논문", "김某"),
    ("김모씨가 또 왔어요", "김모씨"),
    ("권휘 교수님 진짜 친절", "권휘"),
    ("박건 교수가 그랬대", "박건"),
    ("김 성호 교수님이 오늘 회진", "김 성호"),
])
def test_masked_names_initials_and_chosung(engine, draft, name):
    assert name in texts(engine.analyze(draft), "name")


@pytest.mark.parametrize("draft, name", [
    ("박.준.혁 이 사람 조심하세요", "박.준.혁"),
    ("김 도 윤 선생 아시는 분", "김 도 윤"),
    ("윤\u200b태오 진짜 역겨움", "윤\u200b태오"),
])
def test_names_spelled_apart_or_with_zero_width(engine, draft, name):
    found = engine.analyze(draft)["findings"]
    assert any(f["text"] == name and f["category"] == "name" for f in found)


def test_name_in_nfd_is_found_and_points_at_the_original(engine):
    import unicodedata
    draft = unicodedata.normalize("NFD", "어제 김성호 교수가 회진 돌았음")
    names = [f for f in engine.analyze(draft)["findings"] if f["category"] == "name"]
    assert names and all(draft[f["start"]:f["end"]] == f["text"] for f in names)
    assert unicodedata.normalize("NFC", names[0]["text"]) == "김성호"


def test_given_name_after_the_full_name_joins_the_person(engine):
    result = engine.analyze("권나래 선생님이 프리셉터였는데 나래쌤이 원래 엄하대요")
    names = [f for f in result["findings"] if f["category"] == "name"]
    assert [f["text"] for f in names] == ["권나래", "나래"]
    assert names[0]["person"] == names[1]["person"]


@pytest.mark.parametrize("draft, name", [
    ("Dr. Park told the intern to leave", "Park"),
    ("Prof. Kim Ji-yeon runs the echo lab", "Kim Ji-yeon"),
    ("Choi Yuna from cardiology sent the slides", "Choi Yuna"),
    ("Prof. L yelled at the nurses again", "L"),
    ("Minji Kim from the PICU was great", "Minji Kim"),
    ("Dr. Miller from the exchange program is rude", "Miller"),
    ("Park 교수님 또 늦으심", "Park"),
    ("Has anyone heard from Dr. Doh Yerin since she left?", "Doh Yerin"),
    ("Prof. Seo Ha-eun and Nurse Bae Soyeon argued", "Bae Soyeon"),
    ("I spoke with Dr. Ryu Dayeon yesterday", "Ryu Dayeon"),
    ("our attending Lee humiliated the intern", "Lee"),
])
def test_english_and_romanized_names(engine, draft, name):
    assert name in texts(engine.analyze(draft), "name")


@pytest.mark.parametrize("draft", [
    "Osler and Cushing were both at Hopkins; great read.",
    "Prof. Harrison wrote the textbook everyone still buys.",
    "Harrison's says levodopa first-line for Parkinson's disease.",
    "Read Dr. Paul Farmer and Dr. Siddhartha Mukherjee",
    "Dr. Atul Gawande's checklist is great",
    "La La Land was on TV",
    "Dr. Google says it's cancer lol",
    "my fellow residents and I went home",
    "Kim Jong-un is in the news again. Ban Ki-moon spoke at the WHO",
])
def test_english_eponyms_are_not_names(engine, draft):
    assert texts(engine.analyze(draft), "name") == []


@pytest.mark.parametrize("draft", [
    "선생님들 이번에 정말 감사했습니다. 한번 더 부탁드려요",
    "조영제 알러지 환자 전처치 질문입니다. 신경과 선생님들은 어떻게 하세요",
    "안과 강의 자료 올렸어요. 임상 파트는 전공의 선생님이 정리",
    "파킨슨 환자 레보도파 용량, 해리슨 기준으로 봐도 될까요",
    "요즘 인턴들 너무 힘들어함. 정신과 의사들 번아웃 심각",
    "70대 여자 환자 CT 찍었는데 이하선 종대 소견",
    "이국종 교수님 다큐 보고 외상외과 지원하고 싶어졌어요",
    "심지어 인턴한테까지 돈 빌려갔다는 얘기가 있음",
    "ㅋㅋㅋ ㅎㅎ ㄱㅅ ㅇㅋ 다들 수고",
    "원무과에 문의해도 답이 없고 대기만 20분",
    "신규쌤들 교육 일정 공유합니다. 병동쌤들 모두 고생하셨어요",
    "오늘도 교수님이 회진 늦게 오심. 정말로 교수님 화나셨어요",
    "원인균이 나왔어요. 최종결과가 나왔어요. 유명한 교과서. 서명란이 비었어요",
    "하지만 조심히 들어가세요. 정리가 안돼요. 이상은 없습니다",
    "박민수 차관 브리핑 보셨어요? 정은경 청장 때랑 비교됨",
    "작년 송년회때도 2차 가서 인턴쌤 한명 울면서 나갔대요",
    "이 정도 선생님이면 괜찮죠. 그 정도 교수면 뭐",
    "부인종양 파트 교수님들 회의. 반복성 구강궤양 환자",
    "이태원에서 회식했어요. 한남동에 살아요. 유한양행에서 나온 약. 인슐린을 올렸어요",
    "교수 회의에서 결정됐어요. 간호사 정원이 부족해요. 교수 임용이 늦어져요. 전공의 이동이 많아요.",
    "원인균이 뭔지 전화로 물어봄. 최종결과가 나오면 연락처로 알려드림",
    "부원장님이 오셨어요. 박단 위원장 발표 봤어요? 김택우 비대위원장 브리핑",
    "유명한 교수님이래요. 조용한 선생님. 심각한 교수님. 진정한 선생님",
    # verbs and adverbs before a title, a noun that starts with a surname + a title's syllables
    "일은 열심히 하는데 교수님은 모르세요. 저런 게 어떻게 교수 달았냐",
    "다들 그렇게 하시고 선생님은 가만히. 모른다 하시고 전공의 선생님들도 오프",
    "특정 제약사 영업사원한테 매달 봉투",
    # words that start with a rarer surname syllable and take a particle
    "그 길병원이 문제였다. 표준이 없고 편의가 없고 탁자가 없고 옥상이 닫혔다",
    "국가가 정한 제도가 있는데 맹장이 터져서 석사가 늦어졌다. 명단이 없고 반응이 없다",
    "허준이 쓴 동의보감 읽음. [익명] 전임의가 외래 기록 조작",
    "그 인공호흡이 문제였다. 그 영업사원이 문제였다. 그 간호부장이 문제였다",
    "오늘 당직 너무 힘드네요. 다들 화이팅입니다!",
    "작년에 들어간 민원도 수간호사 선에서 막힘. 기록을 교수님이 지움",
    "명예 교수 되셨대. 지도 교수님이 그러셨어. 신임 교수 발령. 원로 교수님들. 두 선생님이 오심",
])
def test_traps_are_not_names(engine, draft):
    assert texts(engine.analyze(draft), "name") == []


@pytest.mark.parametrize("draft, full, bare", [
    ("독고민재 교수 진짜 무서움. 작년에 독고한테 혼난 인턴만 셋", "독고민재", "독고"),
    ("남궁서하 선생님 알죠? 남궁 쌤이 이번에 그만둔대요", "남궁서하", "남궁"),
    ("황보석진 교수 회진 때 난리. 황보가 원래 성격이 그럼.", "황보석진", "황보"),
    ("탁지성 선생 또 지각. 탁이 또 늦었어요", "탁지성", "탁"),
    ("남궁현 교수 회진. 남궁한테 다들 혼남", "남궁현", "남궁"),
])
def test_bare_surname_after_the_full_name_is_the_same_person(engine, draft, full, bare):
    names = [f for f in engine.analyze(draft)["findings"] if f["category"] == "name"]
    assert [f["text"] for f in names] == [full, bare]
    assert names[0]["person"] == names[1]["person"]


@pytest.mark.parametrize("draft", [
    "차민우 선생 있잖아요. 차가 막혀서 늦었대요",
    "정하윤 선생님. 정이 많은 분이에요",
    "서문진 교수 책 읽음. 서문에 다 써있음",
])
def test_bare_common_surname_that_is_a_word_stays_a_word(engine, draft):
    assert len(texts(engine.analyze(draft), "name")) == 1


def test_surname_mo_with_an_office_rank(engine):
    assert "구모" in texts(engine.analyze("시청 보건과 구모 주무관 너무 불친절"), "name")


def test_bare_romanized_surname_after_the_full_name_is_the_same_person(engine):
    result = engine.analyze("Prof. Seonwoo Jiho at Ajou yelled at me again. Seonwoo is a nightmare.")
    names = [f for f in result["findings"] if f["category"] == "name"]
    assert [f["text"] for f in names] == ["Seonwoo Jiho", "Seonwoo"]
    assert names[0]["person"] == names[1]["person"]


def test_a_hospital_is_not_a_romanized_name(engine):
    result = engine.analyze("Anyone know Dr. Gong Yerin (PGY-3, Kyung Hee IM)?")
    assert texts(result, "name") == ["Gong Yerin"]


@pytest.mark.parametrize("draft, name", [
    ("그 윤x희 선생 말하는 거죠?", "윤x희"),
    ("박●● 교수 또 그럼", "박●●"),
    ("김■■ 쌤이 그랬대", "김■■"),
])
def test_names_masked_with_x_or_filled_shapes_are_names(engine, draft, name):
    assert name in texts(engine.analyze(draft), "name")


def test_a_name_written_out_after_its_masked_form():
    result = default_engine().analyze("염OO 얘기예요.. 이제 실명 깝니다. 염태준")
    assert {"염OO", "염태준"} <= set(texts(result, "name"))


@pytest.mark.parametrize("draft", ["도OO 쌤이 도시락 싸오심", "박OO 선생님 박하사탕 드세요", "정OO 교수님 정말 정신없다"])
def test_same_syllable_words_after_a_masked_name_stay_words(engine, draft):
    assert len(texts(engine.analyze(draft), "name")) == 1
