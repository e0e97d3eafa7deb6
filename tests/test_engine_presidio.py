"""How the engine uses Presidio: every result explained by its rule, the NLP artifacts our
recognizers read, and entities / allow list / one score threshold passed to ``analyze``."""
from __future__ import annotations

import re
import unicodedata

import pytest
from presidio_analyzer import PatternRecognizer

from companion.engine import build_engine
from companion.engine.engine import MIN_SCORE
from companion.engine.entities import category_of
from companion.engine.nlp import KoreanNlpArtifacts
from companion.engine.normalize import normalize
from companion.engine.recognizers.regex_base import GroupRegexRecognizer, Rule
from engine_support import detection, texts

#: drafts that give every recognizer of the registry something to find, in either language
DRAFTS = [
    "나하늘 선생님 번호 010-1234-5678, 메일 jh.lee@gmail.com, 카톡 tae_oh_92",
    "주민번호 900101-1234568, 외국인등록번호 900101-5123452, 사업자등록번호 220-81-62517",
    "운전면허 11-19-123456-78, 여권번호 M123A4567, 사번 A-20931",
    "세브란스 흉부외과 3년차 정민재가 지난주 목요일 OR에서 간호사한테 기구 던짐. 진짜 쓰레기 같은 놈",
    "김OO 교수, ㄱㅊㅅ 선생, K교수 다 똑같음. 어제 다온이가 그랬고 다온이 또",
    "Prof. Kim Ji-yeon runs the echo lab; Dr. Park is a worthless idiot",
]


@pytest.fixture(scope="module")
def rostered(tmp_path_factory):
    roster = tmp_path_factory.mktemp("roster") / "roster.txt"
    roster.write_text("나하늘\n", encoding="utf-8")
    return build_engine(detection(roster=roster))


def decisions(engine, draft: str, language: str):
    """Presidio's results with their decision process (``return_decision_process``), every score."""
    norm = normalize(draft)
    artifacts = engine.nlp_engine.process_text(norm.text, language, joins=norm.joins)
    return engine.analyzer.analyze(norm.text, language=language, nlp_artifacts=artifacts, score_threshold=0.0,
                                   return_decision_process=True)


def rule_names(recognizer) -> set[str] | None:
    """The names a recognizer's results may give, where the recognizer lists them."""
    if isinstance(recognizer, GroupRegexRecognizer):
        return {rule.name for rule in recognizer.rules}
    if isinstance(recognizer, PatternRecognizer):
        return {pattern.name for pattern in recognizer.patterns}
    return None


# ---- every rule named and explained ----------------------------------------------------------

@pytest.mark.parametrize("language", ["ko", "en"])
def test_every_result_is_explained_by_its_own_rule(rostered, language):
    recognizers = {r.id: r for r in rostered.registry.get_recognizers(language, all_fields=True)}
    seen: set[str] = set()
    names: set[str] = set()
    for draft in DRAFTS:
        for r in decisions(rostered, draft, language):
            recognizer = recognizers[r.recognition_metadata["recognizer_identifier"]]
            explanation = r.analysis_explanation
            assert explanation is not None, (recognizer.name, r)
            name = explanation.pattern_name
            assert name and name != recognizer.name, (recognizer.name, r)
            listed = rule_names(recognizer)
            if listed is not None:
                assert name in listed
            else:  # the name rules, the name model and harm: named by their rule, not their recognizer
                assert re.match(r"korean_name(?:_model)?\.[a-z_]+$|harm\.classifier$|[a-z_]+\.(?:ko|en)\.tsv:\d+ ", name), name
            assert explanation.original_score > 0 and explanation.textual_explanation
            seen.add(recognizer.name)
            names.add(name)
    # every recognizer had something to explain, and the rules are told apart, not one name each
    assert seen == {r.name for r in recognizers.values()}
    assert len(names) >= 2 * len(seen)


def name_rules(engine) -> tuple:
    model = next(r for r in engine.registry.get_recognizers("ko", all_fields=True) if r.name == "KoreanNameModel")
    return model, model.rules


def run(recognizer, engine, draft: str, joins: frozenset[int] | None = None):
    norm = normalize(draft)
    artifacts = engine.nlp_engine.process_text(norm.text, "ko", joins=norm.joins if joins is None else joins)
    return norm.text, recognizer.analyze(norm.text, [], artifacts)


@pytest.mark.parametrize("draft, span, rule", [
    ("윤\u200b태오 진짜 역겨움", "윤태오", "full_name_split_by_invisible"),
    ("여기 담당은 민서진님입니다", "민서진", "full_name_titled"),
    ("표세린 환자 보호자 연락 옴", "표세린", "full_name_weak_title"),
    ("이수진한테 물어보세요", "이수진", "full_name_mecab_person"),
    ("담당 간호사 옥세아", "옥세아", "full_name_title_before"),
    ("오늘 당직표: 내과 정하은 / 소아과 한지우", "정하은", "full_name_roster_slot"),
    ("곽도윤이 또 지각함", "곽도윤", "full_name_garbled_by_mecab"),
    ("표세린 어제 왔음", "표세린", "full_name_rare_surname_split"),
    ("박하람에게 전해줘", "박하람", "full_name_surname_split"),
    ("이도담한테 물어봐", "이도담", "full_name_animate_particle"),
    ("김OO 교수 또 술먹고 옴", "김OO", "masked"),
    ("김모씨가 또 왔어요", "김모씨", "surname_mo"),
    ("K교수 회진 때마다 갈굼", "K", "latin_initial_titled"),
    ("ㄱㅊㅅ 교수 또 난리침", "ㄱㅊㅅ", "chosung"),
    ("ㄱ교수 또 소리지름", "ㄱ", "chosung_titled"),
    ("김 성호 교수님이 오늘 회진", "김 성호", "full_name_written_apart"),
    ("박.준.혁 이 사람 조심하세요", "박.준.혁", "full_name_spelled_apart"),
    ("이름: 유가은", "유가은", "labelled_field"),
    ("추OO 쌤이 그랬는데 추지훈 진짜", "추지훈", "unmasked_surname"),
    ("심하린이 번호 바꿨대 010 5582 1903 저장", "심하린", "contact_follows"),
    ("[정하람] [오후 9:05] 내일 봐요", "정하람", "chat_speaker"),
    ("감사합니다.\n홍다인 드림", "홍다인", "sign_off"),
    ("권휘 교수님 진짜 친절", "권휘", "two_syllable_titled"),
    ("서연쌤 오늘 나이트", "서연", "given_name_titled"),
    ("흉부외과 박 교수 수술 잘함", "박", "surname_titled"),
    ("정하은이랑 유민서랑 둘 다 나이트", "유민서", "listed_with_name"),
    ("권나래한테 혼났어요. 나래가 울었대", "나래", "repeat"),
    ("탁지훈 교수님 외래. 탁한테 물어봐", "탁", "repeat_surname"),
])
def test_each_name_rule_names_itself(engine, draft, span, rule):
    _, rules = name_rules(engine)
    text, results = run(rules, engine, draft)
    assert (span, f"korean_name.{rule}") in {(text[r.start:r.end], r.analysis_explanation.pattern_name) for r in results}


def test_the_name_model_explains_its_own_results_and_what_it_changed(engine):
    model, _ = name_rules(engine)
    text, results = run(model, engine, "어제 다온이가 그랬고 다온이 또")
    assert {(text[r.start:r.end], r.analysis_explanation.pattern_name) for r in results} == {
        ("다온", "korean_name_model.model_only"), ("다온", "korean_name_model.given_name_repeat")}
    text, results = run(model, engine, "이수진한테 물어보세요")
    fused = next(r for r in results if r.analysis_explanation.pattern_name == "korean_name.full_name_mecab_person")
    assert "the name model agrees" in fused.analysis_explanation.textual_explanation
    assert fused.score > fused.analysis_explanation.original_score  # 0.85 by the rule, raised by the model


def test_explanations_are_made_of_rule_names_not_of_the_draft(rostered):
    """Names and figures only (harm's name its lexicon line and concept: our data, not the draft)."""
    for draft in DRAFTS:
        for r in decisions(rostered, draft, "ko"):
            e = r.analysis_explanation
            if not e.recognizer.startswith("HarmRecognizer"):
                assert f"{e.pattern_name} {e.textual_explanation}".isascii(), e.textual_explanation


def test_a_rule_needs_a_name_of_its_own():
    with pytest.raises(TypeError):
        Rule("ROOM", re.compile(r"\d+호"), 0.5)  # no name
    twins = [Rule("ROOM", re.compile(r"\d+호"), 0.5, name="detail.room"), Rule("ROOM", re.compile(r"\d+실"), 0.5, name="detail.room")]
    with pytest.raises(ValueError, match="name of its own"):
        GroupRegexRecognizer("Twins", twins)


# ---- the NLP artifacts our recognizers read ---------------------------------------------------

def test_joins_reach_the_name_rules_through_the_artifacts(engine):
    _, rules = name_rules(engine)
    text, results = run(rules, engine, "윤태오 진짜 역겨움", joins=frozenset({1}))
    assert [(text[r.start:r.end], r.analysis_explanation.pattern_name) for r in results][0] == (
        "윤태오", "korean_name.full_name_split_by_invisible")
    text, results = run(rules, engine, "윤태오 진짜 역겨움")
    assert "korean_name.full_name_split_by_invisible" not in {r.analysis_explanation.pattern_name for r in results}


def test_recognizers_given_no_morphemes_still_run_their_other_rules(engine):
    empty = KoreanNlpArtifacts.of(None)
    assert (empty.tokens, empty.tags, empty.joins, empty.token_at(0)) == ([], [], frozenset(), None)
    model, rules = name_rules(engine)
    for recognizer in (rules, model):
        found = {("김OO 교수님 또"[r.start:r.end], r.entity_type) for r in recognizer.analyze("김OO 교수님 또", [], None)}
        assert ("김OO", "PERSON_MASKED_NAME") in found


# ---- entities, allow list and one score threshold, passed to Presidio -------------------------

DRAFT = "나하늘 선생님 번호 010-1234-5678 그리고 김성호 교수, 세브란스 흉부외과 3년차 진짜 쓰레기 같은 놈"


def test_presidio_is_asked_for_the_configured_categories_only():
    eng = build_engine(detection(categories=("contact", "harm")))
    result = eng.analyze(DRAFT)
    assert {f["category"] for f in result["findings"]} == {"contact", "harm"}
    # the recognizers of other categories do not run at all, and those that do run in registry order
    wanted = [e for e in eng.analyzer.get_supported_entities("ko") if category_of(e) in ("contact", "harm")]
    chosen = eng.registry.get_recognizers("ko", entities=wanted)
    assert {r.name for r in chosen} == {"KoreanContactRecognizer", "OfflineEmailRecognizer", "HarmRecognizer_ko"}
    order = [r for r in eng.registry.recognizers if r in chosen]
    assert chosen == order


def test_one_score_threshold_never_below_the_minimum(engine):
    every = engine.analyze(DRAFT)["findings"]
    assert any(f["score"] < 0.8 for f in every) and all(f["score"] >= MIN_SCORE for f in every)
    high = build_engine(detection(threshold=0.8)).analyze(DRAFT)["findings"]
    assert high and all(f["score"] >= 0.8 for f in high)
    assert {(f["start"], f["end"]) for f in high} < {(f["start"], f["end"]) for f in every}
    low = build_engine(detection(threshold=MIN_SCORE / 2)).analyze(DRAFT)["findings"]
    assert low == every


def test_allow_list_is_the_configured_terms_and_the_requests(engine):
    eng = build_engine(detection(allow=("김성호",)))
    found = texts(eng.analyze(DRAFT, allow=frozenset({"010-1234-5678"})))
    assert "김성호" not in found and "010-1234-5678" not in found and "나하늘" in found
    assert "김성호" in texts(engine.analyze(DRAFT)) and "010-1234-5678" in texts(engine.analyze(DRAFT))
    # a whole finding, exactly: a part of one or a longer term allows nothing
    assert "김성호" in texts(engine.analyze(DRAFT, allow=frozenset({"김성", "김성호 교수"})))


@pytest.mark.parametrize("draft, term", [
    ("김\u200b성호 교수 또 늦음, 이수진한테 물어봐", "김성호"),                        # an invisible character in the draft
    (unicodedata.normalize("NFD", "김성호 교수 또 늦음, 이수진한테 물어봐"), "김성호"),  # decomposed Hangul
    ("ＳＮＵＨ nephrology Dr. Park", "SNUH"),                     # full-width letters in the draft
    ("SNUH nephrology Dr. Park", "ＳＮＵＨ"),                     # … or in the term
])
def test_an_allowed_term_is_allowed_however_it_is_spelled(engine, draft, term):
    """Presidio compares the normalised text (what the recognizers read), so spelling tricks
    neither hide a name from the recognizers nor keep an allowed term flagged."""
    plain = normalize(term).text

    def mentions(allow: frozenset[str]) -> list[str]:
        return [f["text"] for f in engine.analyze(draft, allow=allow)["findings"]
                if f["category"] != "harm" and plain in normalize(f["text"]).text]

    assert mentions(frozenset()) and mentions(frozenset({term})) == []
    assert texts(engine.analyze(draft, allow=frozenset({term})), "name")  # the rest is still flagged
