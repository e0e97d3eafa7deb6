"""The harm classifier: the shipped model is the one its manifest describes, training is
deterministic, and on sentences written for these tests (not in the training drafts) it finds
insults no lexicon lists while leaving reporting, plots, self-talk and place names alone."""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

from companion.engine.recognizers.harm_model import MODEL_FILE, features, load_model, model_path, sentences

ROOT = Path(__file__).resolve().parent.parent
MODEL_DIR = ROOT / "companion" / "engine" / "data" / "harm" / "model"
MANIFEST = json.loads((MODEL_DIR / "MANIFEST.json").read_text(encoding="utf-8"))
SHARED = ROOT.parent / "shared"


def test_shipped_model_is_the_one_in_the_manifest() -> None:
    shipped = model_path().read_bytes()
    assert MANIFEST["model"]["file"] == MODEL_FILE
    assert hashlib.sha256(shipped).hexdigest() == MANIFEST["model"]["sha256"]
    assert load_model().threshold == MANIFEST["model"]["threshold"]
    assert len(shipped) < 2_000_000  # small enough to ship in the package
    assert (MODEL_DIR / "ATTRIBUTION.md").read_text(encoding="utf-8").count("CC BY-SA 4.0") >= 2


def test_manifest_names_the_inputs_it_was_trained_on() -> None:
    drafts = ROOT / "tools" / "harm_drafts.tsv"
    assert MANIFEST["inputs"]["tools/harm_drafts.tsv"] == hashlib.sha256(drafts.read_bytes()).hexdigest()
    if not SHARED.exists():
        pytest.skip("../shared not beside the project")
    for name, digest in MANIFEST["inputs"].items():
        path = SHARED / name.removeprefix("shared/") if name.startswith("shared/") else ROOT / name
        assert path.exists(), name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, name


@pytest.mark.skipif(not (SHARED / "data" / "beep" / "train.tsv").exists(), reason="../shared/data not beside the project")
def test_training_is_deterministic_on_a_slice(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    sys.path.insert(0, str(ROOT / "tools"))
    import train_harm

    beep = train_harm.read_beep(train_harm.BEEP)[:600]
    drafts = train_harm.read_drafts(train_harm.DRAFTS)
    first = train_harm.train(beep, drafts, [], [], train_harm.PARAMS)
    second = train_harm.train(list(beep), list(drafts), [], [], dict(train_harm.PARAMS))
    assert first["weights"].tobytes() == second["weights"].tobytes()
    assert (first["bias"], first["threshold"]) == (second["bias"], second["threshold"])
    for out in (tmp_path / "a.npz", tmp_path / "b.npz"):
        train_harm.save_model(out, first["weights"], first["bias"], first["threshold"])
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


def test_features_ignore_separators_and_respect_segments() -> None:
    import numpy as np

    from companion.engine.recognizers import harm_model

    text = "병.신 같은 병신"
    buckets, segments = features(text, [(0, 3), (7, 9)])
    codes = harm_model._code_points("병신")
    folded, _ = harm_model._grams(*harm_model._folded(codes), harm_model.FOLDED_SIZES, 2,
                                  np.zeros(len(codes), dtype=np.int64))
    assert set(folded) and set(folded) <= set(buckets[segments == 0])  # the folded form of 병.신 reads 병신
    assert set(buckets[segments == 1]) == set(features("병신")[0])  # no n-gram crosses into a segment
    assert sentences("씨.발 저 치프. 다음 문장! 3.5 mg") == [(0, 8), (10, 15), (17, 23)]


def harm(engine, text: str) -> list[tuple[str, str]]:
    return [(f["entity_type"], f["text"]) for f in engine.analyze(text)["findings"] if f["category"] == "harm"]


@pytest.mark.parametrize("text, fragment", [
    # insults without a listed slur: mental illness, telling someone to get lost
    ("그 인턴 그냥 병원에서 꺼졌으면 좋겠다", "꺼졌으면"),
    ("너 같은 건 당장 꺼져", "꺼져"),
    ("저 레지던트 정신병자 아니야? 약 좀 먹어라", "정신병자"),
    # mocking nicknames
    ("그 뚱보 과장 또 소리 지름", "뚱보"),
    # misspelt and evaded slurs
    ("ㅄ같은 선배 또 인계 안함", "ㅄ"),
    ("씨.발 저 치프 때문에 미치겠네", "씨.발"),
    ("개새1끼 저 과장", "개새1끼"),
    # a beating wished on someone
    ("저 과장 누가 좀 패줬으면 좋겠다", "패줬으면"),
    ("그 교수 한 대 맞아봐야 정신 차릴 듯", "맞아봐야"),
    # 태움
    ("수간호사님 태움 진짜 심하네요", "태움"),
    # sarcasm and contempt
    ("어쩜 저렇게 일을 못할 수가 있지 그 인턴", "일을 못할"),
    ("You're a worthless excuse for a doctor, get lost", "worthless"),
])
def test_abuse_no_list_names_is_found(engine, text: str, fragment: str) -> None:
    found = harm(engine, text)
    assert any(fragment in span for _, span in found), f"{text!r}: {found}"


@pytest.mark.parametrize("text", [
    pytest.param("와 그 실력으로 교수라니 대단하십니다 진짜", marks=pytest.mark.xfail(
        strict=True, reason="known miss: sarcasm just under the threshold (p 0.57 against 0.58) since the "
                            "classifier also learned from drafts by other hands (tests/drafts)")),
    "그 인턴 참 성실하지 매일 지각하는 거 보면",
])
def test_sarcasm_is_found(engine, text: str) -> None:
    assert harm(engine, text), text


@pytest.mark.parametrize("text", [
    pytest.param("그 선배 천재야 진짜 배울 게 많아", marks=pytest.mark.xfail(
        strict=True, reason="known false alarm: praise just over the threshold (p 0.60 against 0.58)")),
    "그 교수님 수술 실력은 세계 최고",
    "우리 치프 선생님 진짜 대단하다 혼자 다 해냄",
    "어제 김성호 교수 건",  # a subject line naming someone
    pytest.param("박수 쳐드려야겠네 그 레지 첫 논문 나왔대요", marks=pytest.mark.xfail(
        strict=True, reason="known false alarm: praise phrased like sarcasm (박수 쳐드려야겠네)")),
])
def test_praise_of_a_colleague_stays_clean(engine, text: str) -> None:
    assert harm(engine, text) == []


@pytest.mark.parametrize("text", [
    # neutral reporting of a charge, a verdict, an investigation
    "검찰은 지난달 김모 교수를 업무상 횡령 혐의로 기소했다",
    "경찰은 간호사를 폭행한 혐의로 보호자를 입건했다고 밝혔다",
    "The news reported that a nurse was charged with theft",
    # drama plots
    "드라마에서 주인공이 병원장을 협박하는 장면이 나왔다",
    "In the movie the surgeon kills his rival",
    # the writer's own feelings
    "오늘 진짜 힘들어서 울고 싶다",
    "제가 너무 바보 같아서 속상해요",
    # 동 names with a digit inside (the evasion pass must not fold them)
    "창신1동 주민센터에서 예방접종 합니다",
    "쌍문1동 보건소 위치 알려주세요",
    "봉천1동에서 출퇴근해요",
    "대야1동에서 만나요",  # folded, 야1동 would read 야동
    "반야1동 주민센터 앞이에요",
    # clinical talk
    "환자분 혈압 떨어져서 노티드렸어요",
])
def test_look_alikes_stay_clean(engine, text: str) -> None:
    assert harm(engine, text) == []


def test_the_span_is_the_abusive_clause_not_the_post(engine) -> None:
    text = ("오늘 외래 진짜 많았어요. 인계는 잘 받았고 오더도 다 확인했습니다. "
            "근데 그 인턴 진짜 정신병 있는 거 아니냐, 몇 번을 말해도 똑같음. 내일은 회진 일찍 시작합니다.")
    found = harm(engine, text)
    assert found, text
    for _, span in found:
        assert len(span) < 40 and "외래" not in span and "회진" not in span, found


def test_reporting_that_passes_a_rumour_on_is_not_reporting(engine) -> None:
    assert harm(engine, "기사 보니까 그 교수 리베이트 받았다던데 소문 진짜였네")


@pytest.mark.parametrize("text, kinds", [
    ("김성호 교수 리베이트 받았다는 소문. 미친놈이고 가만 안 둔다. 신상 털자. 인턴들한테 치근덕댐",
     {"HARM_ACCUSATION": "확인 안 된 비난(명예훼손 위험)", "HARM_INSULT": "모욕", "HARM_THREAT": "위협",
      "HARM_DOX": "신상 공개", "HARM_SEXUAL": "성적 소문"}),
    ("Dr. Park Jiyeon took kickbacks, she is an idiot, and I'll find you. Let's dox him. He groped a nurse.",
     {"HARM_ACCUSATION": "Unverified accusation (defamation risk)", "HARM_INSULT": "Insult", "HARM_THREAT": "Threat",
      "HARM_DOX": "Exposure", "HARM_SEXUAL": "Sexual rumour"}),
])
def test_reasons_and_suggestions_name_the_kind_in_the_drafts_language(engine, text: str, kinds: dict) -> None:
    result = engine.analyze(text)
    harm_findings = [f for f in result["findings"] if f["category"] == "harm"]
    assert {f["entity_type"] for f in harm_findings} == set(kinds)
    for f in harm_findings:
        assert f["reason"].startswith(kinds[f["entity_type"]]), f
    suggestions = {f["entity_type"]: f["suggestion"] for f in harm_findings}
    assert len(set(suggestions.values())) == len(kinds)  # each kind its own suggestion
    summary = " ".join(result["risk"]["reasons"])
    for kind in kinds.values():
        assert kind.lower() in summary.lower(), summary
