"""HarmRecognizer: the real lexicons under companion/engine/data/harm, no mocks."""
from __future__ import annotations

import re
import unicodedata

import pytest

from companion.engine.recognizers.harm import HarmRecognizer
from companion.engine.recognizers.harm_lexicon import HARM_TYPES, LexiconError, _checked, load_lexicon


@pytest.fixture(scope="module")
def ko() -> HarmRecognizer:
    return HarmRecognizer(supported_language="ko")


@pytest.fixture(scope="module")
def en() -> HarmRecognizer:
    return HarmRecognizer(supported_language="en")


def found(recognizer: HarmRecognizer, text: str) -> list[tuple[str, str]]:
    return [(r.entity_type, text[r.start:r.end]) for r in recognizer.analyze(text, None, None)]


def assert_finds(recognizer: HarmRecognizer, text: str, entity_type: str, fragment: str) -> None:
    hits = found(recognizer, text)
    assert any(t == entity_type and fragment in span for t, span in hits), f"{text!r}: {hits}"


@pytest.mark.parametrize(
    "text, entity_type, fragment",
    [
        # insults and profanity, with particles glued on and evasions
        ("아산 K교수 진짜 미친놈 아님?", "HARM_INSULT", "미친놈"),
        ("그 펠로우 완전 또라이던데", "HARM_INSULT", "또라이"),
        ("인성 쓰레기가 치프라니", "HARM_INSULT", "쓰레기"),
        ("병신같이 일하네", "HARM_INSULT", "병신"),
        ("그 레지 ㅂㅅ임", "HARM_INSULT", "ㅂㅅ"),
        ("ㅁㅊ 저 인간 또 튐", "HARM_INSULT", "ㅁㅊ"),
        ("시1발 오늘도 인계 안함", "HARM_INSULT", "시1발"),
        ("병.신 같은 선배", "HARM_INSULT", "병.신"),
        ("미 친 놈 아니냐", "HARM_INSULT", "미 친 놈"),
        ("저 새끼 또 콜 씹음", "HARM_INSULT", "새끼"),
        ("요즘 간호사들 머리가 비었나", "HARM_INSULT", "머리가 비었"),
        ("개념을 밥 말아 먹었냐", "HARM_INSULT", "개념을 밥 말아"),
        # sexual rumours
        ("인턴들한테 치근덕대는 걸로 유명", "HARM_SEXUAL", "치근덕"),
        ("회식마다 여자 인턴한테 치근댐", "HARM_SEXUAL", "치근댐"),
        ("회식 때 간호사 몸 더듬었다는 얘기", "HARM_SEXUAL", "몸 더듬"),
        ("과장이랑 불륜이래", "HARM_SEXUAL", "불륜"),
        ("외래 간호사랑 바람났다던데", "HARM_SEXUAL", "바람났"),
        ("성희롱으로 신고 들어감", "HARM_SEXUAL", "성희롱"),
        # unverified accusations
        ("업체한테 리베이트 받았다는 소문", "HARM_ACCUSATION", "리베이트 받"),
        ("대리수술 시킨다는 얘기 있음", "HARM_ACCUSATION", "대리수술"),
        ("수술기록 조작한다는 얘기", "HARM_ACCUSATION", "수술기록 조작"),
        ("뒷돈 챙긴다던데", "HARM_ACCUSATION", "뒷돈"),
        ("그러다 환자 죽였잖아", "HARM_ACCUSATION", "환자 죽였"),
        ("공금 빼돌린 거 걸림", "HARM_ACCUSATION", "빼돌린"),
        ("후배 공을 가로챔", "HARM_ACCUSATION", "가로챔"),
        ("R1들 때리고 다닌다던데", "HARM_ACCUSATION", "때리고"),
        ("서류를 얼굴에 집어던짐", "HARM_ACCUSATION", "집어던짐"),
        # threats
        ("너 가만 안 둔다", "HARM_THREAT", "가만 안 둔"),
        ("안 갚으면 집까지 찾아간다", "HARM_THREAT", "집까지 찾아간다"),
        ("죽여버린다 진짜", "HARM_THREAT", "죽여버"),
        ("조용히 사직서 써라", "HARM_THREAT", "사직서 써라"),
        ("다음엔 실명으로 게시판에 올린다", "HARM_THREAT", "실명"),
        # calls to expose
        ("이 사람 신상 털자", "HARM_DOX", "신상 털"),
        ("신상 털어봅시다", "HARM_DOX", "신상 털어"),
        ("신상 공개 갑니다", "HARM_DOX", "신상 공개"),
        ("좌표 찍어줄게", "HARM_DOX", "좌표 찍"),
        ("다들 전화해서 따지세요", "HARM_DOX", "전화해서 따지"),
        ("카톡으로 한마디씩 해주세요", "HARM_DOX", "한마디씩"),
        ("신 상 털 자", "HARM_DOX", "신 상 털"),
    ],
)
def test_korean_harm(ko: HarmRecognizer, text: str, entity_type: str, fragment: str) -> None:
    assert_finds(ko, text, entity_type, fragment)


@pytest.mark.parametrize(
    "text, entity_type, fragment",
    [
        ("He's an idiot.", "HARM_INSULT", "idiot"),
        ("honestly he's a total psycho", "HARM_INSULT", "psycho"),
        ("The man is a parasite", "HARM_INSULT", "parasite"),
        ("a useless piece of trash", "HARM_INSULT", "piece of trash"),
        ("He groped a nurse at the party", "HARM_SEXUAL", "groped"),
        ("he's sleeping with the attending", "HARM_SEXUAL", "sleeping with"),
        ("rumor is she took kickbacks from the rep", "HARM_ACCUSATION", "kickbacks"),
        ("he falsified sedation records", "HARM_ACCUSATION", "falsified"),
        ("I'll find you", "HARM_THREAT", "I'll find you"),
        ("watch your back", "HARM_THREAT", "watch your back"),
        ("let's dox him", "HARM_DOX", "dox"),
        ("this guy needs to be exposed", "HARM_DOX", "needs to be exposed"),
        ("Everyone please call her and ask why", "HARM_DOX", "call her and ask"),
    ],
)
def test_english_harm(en: HarmRecognizer, text: str, entity_type: str, fragment: str) -> None:
    assert_finds(en, text, entity_type, fragment)


def test_mixed_draft_is_covered_by_either_language(ko: HarmRecognizer) -> None:
    text = "그 교수 honestly he's a creep, 여자 인턴들한테 치근덕댐"
    types = {t for t, _ in found(ko, text)}
    assert {"HARM_INSULT", "HARM_SEXUAL"} <= types


@pytest.mark.parametrize(
    "text",
    [
        "오늘 당직 미친 듯이 바빴다",
        "진짜 죽겠다 입원만 여덟 명",
        "새벽에 환자가 사망하셔서 사망선고 함",
        "killer headache after a 30 hour shift",
        "쓰레기통 위치 바뀌었어요",
        "수술 전날 털 제모하세요",
        "신상품 스크럽 세일한대요",
        "경고 증상 있으면 바로 응급실로",
        "응급 제왕절개 들어갑니다",
        "협박 편지를 받은 환자 정신과 협진",
        "말더듬 있는 소아 환자 언어치료 의뢰",
        "새끼손가락 골절 부목",
        "기생충 감염 의심되어 대변검사",
        "작업치료 선생님 오후에 오세요",
        "성희롱 예방 교육 이수하세요",
        "모니터 전원이 꺼져서 알람이 안 울림",
        "알코올 중독 환자 금단 증상 관리",
        "폭행 피해 환자 진단서 발급 절차",
        "시발점이 어디인지 모르겠음",
        "좀 더 두고 봅시다",
        "몸조심하세요 독감 유행",
        "다음주에 외래로 찾아갈게요",
        "이불 덮어주고 체위변경",
        "리베이트 쌍벌제 개정 공부 중",
        "신상 정보 유출되지 않도록 주의",
        "Patient threatened to leave AMA",
        "A patient's family member yelled at the nurses today",
        "정신과 병동 환자분이 흥분해서 간호사한테 물건을 던지셨는데 다친 사람은 없음",
        "Giardia is a parasite",
        "BP was high overnight",
        "she lied down after sedation",
        "pituitary stalk thickening",
        "Sexual harassment training is due Friday",
        "I will find the paper and send it",
        "Can everyone please email her your slides",
        "파킨슨병 환자 레보도파 용량",
        "3개년 계획 발표",
        "대리수술 처벌 강화 법안",
        "내가 진짜 병신이지 오더를 또 틀림",
        "I am such an idiot, forgot my badge again",
    ],
)
def test_traps_do_not_fire(ko: HarmRecognizer, text: str) -> None:
    assert found(ko, text) == []


def test_offsets_point_into_the_original_text(engine) -> None:
    """The pipeline normalises (NFD, zero-width, full-width) before the recognizer; spans map back."""
    def harm(text: str) -> list[str]:
        return [f["text"] for f in engine.analyze(text)["findings"] if f["category"] == "harm"]

    nfd = unicodedata.normalize("NFD", "😡 그 사람 미친놈임")
    assert [unicodedata.normalize("NFC", t) for t in harm(nfd)] == ["미친놈임"]
    assert harm("그 사람 병\u200b신 같음") == ["병\u200b신"]
    assert harm("진짜 ｉｄｉｏｔ") == ["ｉｄｉｏｔ"]


def test_results_carry_type_score_and_explanation(ko: HarmRecognizer) -> None:
    text = "김OO 교수 가만 안 둔다 신상 털자"
    results = ko.analyze(text, None, None)
    assert {r.entity_type for r in results} == {"HARM_THREAT", "HARM_DOX"}
    for r in results:
        assert 0.5 <= r.score <= 1.0
        assert r.analysis_explanation.recognizer == ko.name
        assert ".tsv:" in r.analysis_explanation.pattern_name  # the lexicon line and its concept


def test_entities_filter(ko: HarmRecognizer) -> None:
    text = "미친놈이 가만 안 둔다고 함"
    only = ko.analyze(text, ["HARM_THREAT"], None)
    assert {r.entity_type for r in only} == {"HARM_THREAT"}
    assert ko.analyze(text, ["PERSON"], None) == []


def test_supported_languages() -> None:
    assert HarmRecognizer(supported_language="en").supported_language == "en"
    assert set(HarmRecognizer().supported_entities) == set(HARM_TYPES.values())
    with pytest.raises(ValueError):
        HarmRecognizer(supported_language="ja")


def test_final_consonant_widening() -> None:
    from companion.engine.recognizers.harm_lexicon import _expand

    widened = _expand("가로채~", {}, "test")
    for form in ("가로채", "가로챈", "가로챌", "가로챔", "가로챕", "가로챘"):
        assert re.fullmatch(widened, form)
    assert _expand("먹~", {}, "test") == "먹"  # already has a final consonant


def test_every_lexicon_line_is_anchored_for_speed() -> None:
    lexicon = load_lexicon()
    unanchored = [lexicon.branches[i].entry.source for i in lexicon.unanchored]
    assert unanchored == []
    assert {b.entry.entity_type for b in lexicon.branches} == set(HARM_TYPES.values())


def test_bad_lexicon_line_names_file_and_line() -> None:
    with pytest.raises(LexiconError, match="insult.ko.tsv:3"):
        _checked("(미친", "insult.ko.tsv:3")
    with pytest.raises(LexiconError, match="capturing"):
        _checked("(미친)놈", "insult.ko.tsv:4")


@pytest.mark.parametrize(
    "text, entity_type, fragment",
    [
        # contempt in any ending, masked profanity, vocatives
        ("그 교수 진짜 무능해서 환자만 불쌍함", "HARM_INSULT", "무능해서"),
        ("그 치프 쪼잔하고 비열함", "HARM_INSULT", "비열함"),
        ("개XX 같은 팀장 덕분에 야근", "HARM_INSULT", "개XX"),
        ("시바 그 선배 때문에 퇴사각", "HARM_INSULT", "시바"),
        ("야 이 멍청아 그것도 모르냐", "HARM_INSULT", "멍청아"),
        ("그 레지 인간성 제로", "HARM_INSULT", "인간성 제로"),
        ("K교수 수술 실력 바닥", "HARM_INSULT", "실력 바닥"),
        ("이번 치프 무책임의 끝판왕", "HARM_INSULT", "무책임의 끝판왕"),
        ("그 펠로우 정신머리가 글러먹었어", "HARM_INSULT", "글러먹"),
        # sexual rumours
        ("그 간호사 몸 팔아서 승진했다는 말", "HARM_SEXUAL", "몸 팔아"),
        ("와이프 몰래 딴 여자 만나고 다님", "HARM_SEXUAL", "딴 여자"),
        ("회식 자리에서 신규 허벅지에 손 올렸대", "HARM_SEXUAL", "손 올렸"),
        ("유부남 교수랑 레지던트 연애설", "HARM_SEXUAL", "연애설"),
        # accusations
        ("성적 조작으로 들어왔다는 소문", "HARM_ACCUSATION", "성적 조작"),
        ("논문 대필시킨 거 다 앎", "HARM_ACCUSATION", "대필시킨"),
        ("재료비 부풀려서 업체랑 나눠 먹는다던데", "HARM_ACCUSATION", "부풀려"),
        ("약품 창고에서 수면제 빼간다는 소문", "HARM_ACCUSATION", "수면제 빼간"),
        ("진단서 돈 받고 써준다는 얘기", "HARM_ACCUSATION", "돈 받고 써준"),
        ("수술 중 실수로 혈관 건드려 놓고 레지 탓함", "HARM_ACCUSATION", "탓함"),
        # threats
        ("집 앞에서 기다린다고 전해라", "HARM_THREAT", "기다린다"),
        ("두고 보자 반드시 되갚아 준다", "HARM_THREAT", "두고 보자"),
        ("니 면허 날아가게 만들어 주마", "HARM_THREAT", "날아가게 만들어"),
        ("다음에 보면 패버린다", "HARM_THREAT", "패버린다"),
        ("니 자식들 학교 어딘지 안다", "HARM_THREAT", "어딘지 안다"),
        # calls to expose or to harass together
        ("전화번호 뿌려버릴까", "HARM_DOX", "번호 뿌려"),
        ("병원에 민원 폭탄 넣자", "HARM_DOX", "민원 폭탄"),
        ("그 원장 집 아파트 동호수까지 알아냄", "HARM_DOX", "동호수까지 알아냄"),
        ("단톡방에 그 간호사 사진 돌리자", "HARM_DOX", "사진 돌리자"),
        ("맘카페에 이 의사 이름 다 알립시다", "HARM_DOX", "이름 다 알립시다"),
    ],
)
def test_korean_harm_broad_phrasings(ko: HarmRecognizer, text: str, entity_type: str, fragment: str) -> None:
    assert_finds(ko, text, entity_type, fragment)


@pytest.mark.parametrize(
    "text, entity_type, fragment",
    [
        ("He's sleeping with the head nurse apparently.", "HARM_SEXUAL", "sleeping with the head nurse"),
        ("Our PD is a spineless coward.", "HARM_INSULT", "spineless coward"),
        ("The attending covered up the wrong-site surgery.", "HARM_ACCUSATION", "covered up the wrong-site"),
        ("I will find where you live.", "HARM_THREAT", "find where you live"),
        ("sharing her home address here", "HARM_DOX", "sharing her home address"),
    ],
)
def test_english_harm_broad_phrasings(en: HarmRecognizer, text: str, entity_type: str, fragment: str) -> None:
    assert_finds(en, text, entity_type, fragment)


@pytest.mark.parametrize(
    "text",
    [
        "개념 설명 좀 부탁드립니다",
        "감염병 퍼지는 속도가 빠름",
        "요즘 불륜 드라마 너무 많지 않아요?",
        "수술용 스폰지 카운트 안 맞아서 X-ray 찍음",
        "학회 스폰서 부스 위치 아시는 분",
        "내연기관 차 팔고 전기차 삼",
        "고양이 새끼 분양합니다",
        pytest.param("이 내성균 진짜 독한 놈이네", marks=pytest.mark.xfail(
            strict=True, reason="known miss: the classifier reads 놈 about a germ as an insult (p 0.73)")),
        "시바견 키우시는 분 계세요?",
        "약 냄새가 역겨워서 못 먹겠다는 환자",
        "사이코패스 진단 척도 PCL-R 관련 질문",
        "psycho-oncology conference next week",
        "kickback prevention compliance training",
        "야간 당직 때 환자 방치되지 않도록 인력 충원 요청",
        "차트 조작 방지용 감사 로그 기능",
        "기록 위조 처벌 규정 어디서 보나요",
        "몸 만지는 걸 무서워하는 아이 진찰 요령",
        "신체 접촉 최소화해서 진찰하는 방법",
        "학회장 좌표 찍어드릴게요 지도 링크 참고",
        "뒷담화 하지 말자는 캠페인 포스터 붙음",
        "회식 때 술 강요 금지 공지 내려옴",
        "고소한 냄새 나는 간식 사왔어요",
        "다음 주에 외래로 찾아갈게요",
        "검사실 앞에서 기다리세요",
        "병원 공식 인스타에 직원 사진 올려도 되나요",
        "환자가 간호사한테 성적 농담해서 어떻게 대처해야 할지",
        "신상 털기 범죄 처벌 강화된다는 기사",
        "바람 피우는 남편 때문에 우울증 온 환자 상담",
        "스토킹 피해 환자 보호 조치 안내",
        "다들 독감 조심하세요",
        "학회 홈페이지에 초록 올리는 법",
        "병동 다 같이 회식 장소 투표해요",
        "오늘 업무 폭탄 맞았어요",
        "치아 뿌리 염증 치료",
        "실명 위험이 있는 녹내장 환자",
    ],
)
def test_everyday_and_clinical_uses_do_not_fire(ko: HarmRecognizer, text: str) -> None:
    assert found(ko, text) == []


@pytest.mark.parametrize(
    "text, entity_type, fragment",
    [
        # drafts written after the lexicons were tuned, one signal each
        ("원장이 직원 월급에서 유니폼값 떼감", "HARM_ACCUSATION", "떼감"),
        ("그 펠로우 논문 데이터 다 만들어낸 거래", "HARM_ACCUSATION", "만들어낸"),
        ("정신과 그 선생 상담 내용 술자리에서 떠벌림", "HARM_ACCUSATION", "떠벌림"),
        ("수간호사 자기 조카 신규로 꽂아놓고 편한 근무만 줌", "HARM_ACCUSATION", "꽂아놓"),
        ("원장이 직원들한테 가짜 후기 쓰라고 시킴", "HARM_ACCUSATION", "가짜 후기"),
        ("그 병원 간호사들 다 태움 가해자들", "HARM_ACCUSATION", "태움 가해자"),
        ("레지 월급 일부를 의국비 명목으로 교수가 가져감", "HARM_ACCUSATION", "명목으로"),
        ("오늘 일 그냥 안 넘어간다", "HARM_THREAT", "안 넘어간"),
        ("번호라도 알면 가만 안 두려고", "HARM_THREAT", "가만 안 두"),
        ("진짜 그 인턴 손모가지 날려버리고 싶네", "HARM_THREAT", "손모가지 날려버"),
        ("이 교수 학회 때 찾아가서 공개적으로 따질 겁니다", "HARM_THREAT", "찾아가서 공개적으로 따질"),
        ("퇴근 후에 여자 간호사들한테 영화 보자고 계속 연락함", "HARM_SEXUAL", "보자고"),
        ("MZ 인턴들 진짜 개념이 안드로메다에 있음", "HARM_INSULT", "개념이 안드로메다"),
        ("제약 영업사원들 바퀴벌레처럼 외래 앞에 바글바글", "HARM_INSULT", "바퀴벌레처럼"),
        ("솔까 그 인턴 일머리 제로임", "HARM_INSULT", "일머리 제로"),
        ("다 같이 그 교수 메일로 항의 메일 보내요", "HARM_DOX", "항의 메일 보내요"),
    ],
)
def test_korean_harm_in_phrasings_the_lexicons_were_not_tuned_on(ko: HarmRecognizer, text: str, entity_type: str, fragment: str) -> None:
    assert_finds(ko, text, entity_type, fragment)


@pytest.mark.parametrize(
    "text, entity_type, fragment",
    [
        ("I'm slashing her tires.", "HARM_THREAT", "slashing her tires"),
        ("He'll make sure I never match anywhere.", "HARM_THREAT", "make sure I never match"),
        ("Dr. H smells like alcohol every morning.", "HARM_ACCUSATION", "smells like alcohol"),
        ("that nurse is a snake", "HARM_INSULT", "is a snake"),
        ("Hospital administrators are parasites sucking money out of healthcare.", "HARM_INSULT", "parasites sucking"),
        ("He docked the nurses' pay for his own mistake.", "HARM_ACCUSATION", "docked the nurses' pay"),
    ],
)
def test_english_harm_in_phrasings_the_lexicons_were_not_tuned_on(en: HarmRecognizer, text: str, entity_type: str, fragment: str) -> None:
    assert_finds(en, text, entity_type, fragment)


@pytest.mark.parametrize(
    "text",
    [
        "논문 표절 검사 유사도 몇 퍼센트까지 괜찮나요",
        "약 먹고 눈이 풀려서 운전 못 하겠다는 환자",
        "I have the patient's wife's number if the team needs it for consent.",
        "Helminths are parasites of the gut.",
        "Hospital administrators announced a new parking policy.",
        "snake bite antivenom dosing question",
        "유리 멘탈이라 걱정인데 신규 생활 버틸 수 있을까요",
        "그 병원 연락처 아는 분 계신가요? 전원 문의하려고요",
        "다음 학회 때 다들 와서 포스터 발표 봐주세요",
        "원장님이 유니폼 새로 맞춰주셨어요",
        "보호자가 협박성 발언을 해서 기록 남겼습니다",
        "백신 접종 후 이상반응 신고 방법",
    ],
)
def test_everyday_uses_near_harm_words_do_not_fire(ko: HarmRecognizer, text: str) -> None:
    assert found(ko, text) == []


@pytest.mark.parametrize(
    "text",
    [
        # self-description, things rather than people, friendly and legal uses of threat words
        "한심한 정책 때문에 현장만 힘들어요",
        "무능한 시스템 개선 건의합니다",
        "제가 눈치가 너무 없어서 선배들한테 혼나요",
        "나도 이제 꼰대 됐나 신규 보면 답답함",
        "오늘 재수 없는 날 차 긁힘",
        "집 앞에서 기다릴게 빨리 와",
        "이 소송 끝까지 간다는 기사 봤어요",
        "카드 게임에서 패 버리는 타이밍",
        "환자랑 사적으로 연락하면 안 된다는 규정 공지",
        "우리 애가 자꾸 동생 고자질해요",
        "회식 때 원샷 강요 금지 캠페인",
        "얼차려 문화 없어진 지 오래죠",
        "The attending covered up the wound with a sterile dressing.",
        "Make sure everyone knows the new code cart location.",
        "I smell like alcohol swabs after every shift lol",
        # the writer insulting themselves, with no one else in the sentence
        "진짜 나 자신이 너무 한심하고 병신같다 ㅋㅋ",
        "내가 병신이지 이 직업 왜 골랐을까",
        "내가 너무 한심하게 느껴지는 하루",
        "I hate myself, such an idiot today",
        "I'm honestly such a fucking idiot, how do people memorize all the CYP drugs",
        # a swear word said at no one
        "EMR 처방화면 또 뻗음 ㅅㅂ 원무과에서 전화 20통 옴",
        # … in a chat export, where the speaker heads the message, not someone it is aimed at
        "[김도하] [오전 2:16] 내가 내 자신이 너무 한심해. 오늘 인계하다가 환자 이름도 헷갈림.\n[정시우] [오전 2:18] 너 잘못 아니야",
        "2024년 6월 1일 오후 9:22, 탁은비 : 진짜 똥손이다 나같은게 손이 왜 이래ㅋㅋㅋ",
        # … a role after 무슨 is what the writer says they are not fit to be; a role before 자격 is a job
        "나같은게 무슨 ICU 간호사라고 ㅋㅋ 똥손 진짜",
        "나 진짜 멍청한 병신인가봐 오늘만 두번 틀림",
        "나 이러다 미친년 될듯 ㅋㅋ",
        # … the writer's self-talk of the sentence before carries on unsaid; or the writer apologises
        "진짜 제가 멍청한 병신이죠. 의사 자격이 없는 듯",
        "아직 모르는 게 많아서요. 멍청해서 죄송합니다",
        "lol you're not an idiot, that block is brutal",
        # a workplace called names, with no one in the sentence (노답 is a proper noun to mecab)
        "아 이 병원 전산 진짜 쓰레기 같네",
        "이 병원 운영 마인드 ㄹㅇ 노답",
        # colleagues as a group (교수님들, 후배들) are no one the sentence is aimed at
        "같은 병동 후배들은 인계 때마다 눈치보느라 죽을맛이래요",
        "인턴들 요즘 진짜 힘들어함 ㅋㅋ",
    ],
)
def test_self_talk_and_things_do_not_fire(ko: HarmRecognizer, text: str) -> None:
    assert found(ko, text) == []


@pytest.mark.parametrize("text, fragment", [
    ("내가 보기엔 걔 병신임", "병신"),
    ("나 자신도 한심하지만 걔는 진짜 병신같다", "병신"),
    ("하여튼 김치년들", "김치년들"),  # contempt for a group is still contempt
    ("걔 ㅅㅂ 진짜 싫어", "ㅅㅂ"),  # a swear word at someone
    ("저 병신 또 왔네", "병신"),  # 저 is "that" here, not the writer
    ("[김도하] [오전 2:16] 박지훈 진짜 한심해\n[정시우] [오전 2:18] ㅇㅈ", "한심해"),  # a name in the message is someone
    ("제가 어제 박지훈 교수한테 혼났어요. 완전 미친놈", "미친놈"),  # the writer's sentence before was aimed at someone
    ("어제도 오더 빼먹어서 내가 두번 전화함\n머리에 뭐가 들었는지 모르겠다 진짜", "머리에"),  # 내가 is no self-talk before
    ("저 인간이 무슨 의사야 병신이지", "병신"),  # 무슨 의사 is what 저 인간 is said not to be
    ("이 병원 원장 진짜 쓰레기", "쓰레기"),  # a workplace's head is someone
])
def test_an_insult_beside_the_writer_still_fires_when_someone_else_is_there(ko: HarmRecognizer, text: str, fragment: str) -> None:
    assert any(fragment in span for _, span in found(ko, text))


@pytest.mark.parametrize("text, entity_type, fragment", [
    ("You are a pathetic thief and everyone knows it.", "HARM_INSULT", "pathetic thief"),
    ("She's a sneaky liar, ask anyone on the ward.", "HARM_INSULT", "sneaky liar"),
    ("I hope you choke on it.", "HARM_THREAT", "choke on it"),
    ("Honestly I hope he rots in jail", "HARM_THREAT", "rots in jail"),
])
def test_english_contempt_and_ill_wishes(en: HarmRecognizer, text: str, entity_type: str, fragment: str) -> None:
    assert_finds(en, text, entity_type, fragment)


@pytest.mark.parametrize("text", [
    "I hope you get well soon!",
    "Hope you burn out less this year than last",
    "The patient was a little anxious before the scope",
])
def test_english_kind_wishes_do_not_fire(en: HarmRecognizer, text: str) -> None:
    assert found(en, text) == []
