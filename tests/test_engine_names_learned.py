"""The learned person-name model fused with the rules: forms the rules alone missed, look-alikes
that must stay clean, redaction of every mention, and the shipped model's provenance."""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

from engine_support import texts

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "companion" / "engine" / "models"


def names(engine, draft: str) -> list[str]:
    return texts(engine.analyze(draft), "name")


# ---- bare names and given names alone, found by the model ----------------------------------
@pytest.mark.parametrize("draft, name", [
    ("어제 봉채윤의 행방을 아무도 몰랐다", "봉채윤"),
    ("결국 천시윤의 결승골이 터졌다", "천시윤"),
    ("어제 엄다인이 또 늦었음", "엄다인"),
    ("민수가 또 늦었어", "민수"),
    ("서린이 왜 그래? 요즘 이상해", "서린"),
    ("다온쌤 오늘 나이트래요", "다온"),
    ("수연 선생님 어디 계세요?", "수연"),
    ("외래에서 만난 서말자 할머니 또 오셨어", "서말자"),
    ("소아과 나윤서 쌤이랑 같이 근무함", "나윤서"),
    ("진영 언니가 오늘 오프래", "진영"),  # 진영 is also a noun (camp): the kinship word after it decides
    ("수연 누나 결혼한대요", "수연"),
    ("민호 형님이 또 늦으심", "민호"),
])
def test_bare_and_given_names(engine, draft, name):
    assert name in names(engine, draft)


def test_a_particle_the_rules_took_for_a_given_syllable_stays_outside_the_name(engine):
    result = engine.analyze("민수가 늦었대. 민수는 원래 그래", redacted_text=True)
    assert names(engine, "민수가 늦었대. 민수는 원래 그래") == ["민수", "민수"]
    assert "민수" not in result["redacted_text"] and "가 늦었대" in result["redacted_text"]


# ---- chat exports and sign-offs ------------------------------------------------------------
def test_kakaotalk_pc_export_speakers_and_their_given_names(engine):
    draft = "[변하람] [오후 9:05] 내일 오프 바꿔줄 사람?\n[윤도경] [오후 9:06] 하람쌤 저요\n[변하람] [오후 9:07] 감사!"
    result = engine.analyze(draft, redacted_text=True)
    assert names(engine, draft).count("변하람") == 2 and "윤도경" in names(engine, draft)
    for part in ("변하람", "윤도경", "하람"):
        assert part not in result["redacted_text"]


def test_a_speakers_given_name_in_another_message_is_that_person(engine):
    draft = "[편서진] [오후 11:42] 오늘 이브 누구예요?\n[육지환] [오후 11:43] 서진이 대신 들어갈 사람 구함"
    assert "서진" in names(engine, draft)
    assert "서진" not in engine.analyze(draft, redacted_text=True)["redacted_text"]


@pytest.mark.parametrize("draft, name", [
    ("2024년 3월 2일 오후 3:12, 곽다빈 : 네 알겠습니다", "곽다빈"),
    ("2024. 3. 2. 오전 8:40, 꼬북이 : 출근함", "꼬북이"),
])
def test_kakaotalk_mobile_export_speakers(engine, draft, name):
    assert name in names(engine, draft)


def test_a_sign_off_is_a_name_but_an_ordinary_word_before_드림_is_not(engine):
    assert names(engine, "자료 첨부합니다. 확인 부탁드립니다.\n홍다인 드림") == ["홍다인"]
    assert names(engine, "내일 다시 연락 드림") == []


# ---- news-style anonymisation --------------------------------------------------------------
def test_news_anonymisation(engine):
    assert "이모" in names(engine, "경찰은 이모(41·남)씨를 불러 조사했다")
    assert names(engine, "피해 학생 D군과 E양은 병원으로 옮겨졌다") == ["D", "E"]
    assert names(engine, "이모가 김치를 보내주셨다") == []


# ---- English and mixed drafts --------------------------------------------------------------
@pytest.mark.parametrize("draft, name", [
    ("Ashley Han from radiology yelled at the new nurse", "Ashley Han"),
    ("Kevin Seo is the worst intern we have had", "Kevin Seo"),
    ("Dr. Sarah Kim said no to the transfer", "Sarah Kim"),
    ("Dr. Sarah Kim's MRN is on the chart", "Sarah Kim"),
    ("I met Ashley Han's team", "Ashley Han"),
    ("Dr. Park's patient again", "Park"),
    ("Minji Kim's chart was wrong", "Minji Kim"),
    ("Kwon soon-il was on call again", "Kwon soon-il"),
    ("Dr. A Chen refused the consult", "A Chen"),
    ("오늘 Kevin Seo 선생님이 당직", "Kevin Seo"),
    ("Resident lee ha-eun was crying in the call room", "lee ha-eun"),
])
def test_western_given_names_with_korean_surnames_are_one_person(engine, draft, name):
    assert names(engine, draft) == [name]


def test_english_redaction_leaves_no_part_of_the_name(engine):
    result = engine.analyze("Dr. Sarah Kim said no. Later Sarah told the charge nurse Kim to stop.", redacted_text=True)
    for part in ("Sarah", "Kim"):
        assert part not in result["redacted_text"]


@pytest.mark.parametrize("draft", [
    "So well-known doctors disagree", "Thanks Kim for the help", "Michael Jordan played well",
    "in ha-ha mood all day", "an e-mail came",
    "The Parkinson disease case was discussed",
])
def test_english_look_alikes_stay_clean(engine, draft):
    assert names(engine, draft) == []


# ---- look-alikes the model and the rules must leave alone ---------------------------------
@pytest.mark.parametrize("draft", [
    "이영화 강추합니다 꼭 보세요",
    "정말 힘들다 오늘. 이번 주 회식은 취소래요",
    "선생님들 다 모여주세요. 신경과 외래 대기 두 시간",
    "연봉 3천만원이면 적은 건가요? 5천만 원 대출 받음",
    "중국 출장 다녀왔어요. 일본이랑 미국 학회 일정",
    "탁자가 없고 의자도 없음",
    "허준이 쓴 동의보감 읽음. 이국종 교수님 강연 좋았음",
    "조용한 선생님. 유명한 교수님이래요",
    "욕 한바가지씩 박아줘",
    "우리 언니가 간호사예요. 친구 오빠가 의사래",
    "청소 아줌마가 치워주셨어요. 사촌 형이 레지던트",
    "병동 이모님들 최고. 환자 부모님께 설명드림",
    # 이/MM 나라/NNG: "this country", glued
    "이나라는 답이 없다", "굳이 이시점에 그런 말을? 이세상에 그런 사람 없음", "이친구가 뭐라고",
])
def test_look_alikes_stay_clean(engine, draft):
    assert names(engine, draft) == []


# ---- redaction of every mention ------------------------------------------------------------
def test_every_mention_of_a_model_found_name_is_redacted(engine):
    draft = "어제 봉채윤의 실수로 환자가 다쳤다. 봉채윤은 사과도 안 함. 채윤이 진짜 왜 그래"
    result = engine.analyze(draft, redacted_text=True)
    assert "봉채윤" not in result["redacted_text"] and "채윤" not in result["redacted_text"]
    assert "채윤" not in engine.redact(draft)["redacted_text"]


@pytest.mark.parametrize("draft, mention", [
    ("시안이가 왜 승진 1순위인지 모르겠음. 시안이 작년에 한 거 뭐 있냐", "시안이 작년"),
    ("선우다인이랑 같은 조였는데 착한애임. 다인이 그럴 애 아님", "다인이 그럴"),
])
def test_every_mention_of_a_given_name_found_with_its_suffix_is_redacted(engine, draft, mention):
    """A given name the rules and the model found together (시안이가) is repeated with 이 after
    it (시안이 작년에): the rules repeat only what they found alone, so the fusion repeats it."""
    redacted = engine.redact(draft)["redacted_text"]
    assert mention[:2] not in redacted


def test_redact_over_http_leaves_no_name(companion):
    import requests

    draft = "[변하람] [오후 9:05] 민수가 또 늦었어\n[윤도경] [오후 9:06] 하람쌤 민수 원래 그래"
    answer = requests.post(f"{companion.url}/v1/redact", json={"text": draft}, timeout=30,
                           headers={"Authorization": companion.auth("POST", "/v1/redact")})
    assert answer.status_code == 200
    redacted = answer.json()["redacted_text"]
    for part in ("변하람", "윤도경", "하람", "민수"):
        assert part not in redacted


def test_a_long_chain_of_listed_names_is_followed(engine):
    given = ["하은", "민서", "지우", "서윤", "도윤", "하린", "시우", "예린"]
    chain = "이랑 ".join(f"{s}{g}" for s in "정유한송" for g in given)
    found = set(names(engine, chain + "이랑 다 같이 나이트"))
    assert len(found) >= 30


# ---- the shipped model -------------------------------------------------------------------
def test_the_model_file_ships_with_its_attribution_and_manifest():
    model = MODELS / "person_names.crfsuite"
    manifest = json.loads((MODELS / "person_names.manifest.json").read_text(encoding="utf-8"))
    assert manifest["model_sha256"] == hashlib.sha256(model.read_bytes()).hexdigest()
    assert model.stat().st_size < 30_000_000
    readme = (MODELS / "README.md").read_text(encoding="utf-8")
    assert "KLUE" in readme and "CC BY-SA 4.0" in readme


def _train_names():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import train_names
    finally:
        sys.path.remove(str(ROOT / "tools"))
    return train_names


def test_the_manifest_names_the_current_inputs():
    """Training inputs changed since the model was built: rerun ``python3 build.py train-names``."""
    train_names = _train_names()
    manifest = json.loads((MODELS / "person_names.manifest.json").read_text(encoding="utf-8"))
    assert manifest["params"] == train_names.PARAMS
    for key, path in train_names.inputs().items():
        if not path.exists():
            pytest.skip(f"{path} not beside the project")
        assert manifest["inputs"][key] == hashlib.sha256(path.read_bytes()).hexdigest(), key


def test_training_is_deterministic(tmp_path):
    """A small retrain (a slice of the same inputs, a few iterations) gives the same bytes twice."""
    train_names = _train_names()
    if not train_names.KLUE.exists():
        pytest.skip("../shared/data not beside the project")
    from companion.engine.lexicon import load_lexicon
    from companion.engine.nlp import MecabNlpEngine
    from companion.engine.recognizers.name_features import Featurizer

    lex = load_lexicon()
    nlp = MecabNlpEngine()
    nlp.load()
    train_set, _, _ = train_names.training_sets(lex, nlp)
    params = dict(train_names.PARAMS, max_iterations=8)
    digests = []
    for run in range(2):
        model = tmp_path / f"model{run}.crfsuite"
        train_names.train(train_set[:300] + train_set[-100:], model, params, Featurizer(lex), nlp)
        digests.append(hashlib.sha256(model.read_bytes()).hexdigest())
    assert digests[0] == digests[1]
