"""Train the person-name tagger (a character CRF, python-crfsuite) and report held-out figures.

    python3 build.py train-names            # rebuild companion/engine/models/person_names.crfsuite
    python3 build.py train-names --check    # retrain into a temporary file; fail unless identical

Training text, and nothing else:

* KLUE-NER v1.1 (``../shared/data/klue-ner/``): real news and movie-review sentences with person
  (PS) spans. Sentences whose id hashes into fold 0 of 5 are held out for validation, never
  trained on;
* ``../shared/corpus/dev.jsonl``: our annotated drafts, NAME spans as persons; the same hash
  holds one fifth of them out (its figure is reported separately);
* the KLUE training sentences again, their Korean-form persons renamed to invented names;
* sentences generated here from templates (chat exports, sign-offs, titles glued on, names spelled
  apart, news-style anonymisation, look-alikes that are not names), with invented names made
  from the lexicon's surname and given-name syllable tables by a seeded generator.

Everything is deterministic: inputs in a fixed order, a seeded generator, fixed L-BFGS
parameters. The script writes the model, a manifest (sha256 of every input, the parameters and
the model) and prints the CRF's entity-level figures and the whole engine's figures on the
held-out KLUE sentences.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pycrfsuite  # noqa: E402

from companion.engine.lexicon import load_lexicon  # noqa: E402
from companion.engine.nlp import MecabNlpEngine  # noqa: E402
from companion.engine.recognizers.name_features import Featurizer, candidate_windows, morph_labels  # noqa: E402

SHARED = ROOT.parent / "shared"
KLUE = SHARED / "data" / "klue-ner" / "klue-ner-v1.1_dev_train-split.tsv"
DEV = SHARED / "corpus" / "dev.jsonl"
MODELS = ROOT / "companion" / "engine" / "models"
MODEL = MODELS / "person_names.crfsuite"
MANIFEST = MODELS / "person_names.manifest.json"
DATA = ROOT / "companion" / "engine" / "data"
#: our own files that shape the model: the lexicon tables the features and templates read
LEXICON_FILES = ("surnames.txt", "given_syllables.txt", "titles.txt", "weak_titles.txt", "particles.txt",
                 "common_words.txt", "places.txt")
CODE_FILES = ("tools/train_names.py", "companion/engine/recognizers/name_features.py")
PARAMS = {"algorithm": "lbfgs", "c1": 0.1, "c2": 0.05, "max_iterations": 120, "feature.minfreq": 2,
          "feature.possible_transitions": True}
SEED = 20240302
HELD_OUT_FOLD = 0


def held_out(key: str) -> bool:
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16) % 5 == HELD_OUT_FOLD


# ---- data ------------------------------------------------------------------------------------
Example = tuple[str, list[str]]  # text, BIO tag per character


def read_klue(path: Path) -> list[tuple[str, str, list[str]]]:
    """(id, sentence, tags) per block; only PS tags are kept, the other entities become O."""
    out = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = block.split("\n")
        if not lines or not lines[0].startswith("## "):
            continue
        sid = lines[0][3:].split("\t", 1)[0]
        chars, tags = [], []
        for line in lines[1:]:
            if not line:
                continue
            ch, _, tag = line.rpartition("\t")
            if len(ch) != 1:
                continue
            chars.append(ch)
            tags.append(tag if tag.endswith("-PS") else "O")
        out.append((sid, "".join(chars), tags))
    return out


def read_dev(path: Path) -> list[tuple[str, str, list[str]]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        text = rec["text"]
        tags = ["O"] * len(text)
        for span in rec["spans"]:
            if span["label"] != "NAME":
                continue
            tags[span["start"]] = "B-PS"
            for k in range(span["start"] + 1, span["end"]):
                tags[k] = "I-PS"
        out.append((rec["id"], text, tags))
    return out


def _batchim(ch: str) -> bool:
    code = ord(ch) - 0xAC00
    return 0 <= code < 11172 and code % 28 != 0


def _particle(name: str, rng: random.Random) -> str:
    """A particle that agrees with the last syllable (가/이, 는/은, 를/을, 랑/이랑 …)."""
    b = _batchim(name[-1])
    pairs = [("이", "가"), ("은", "는"), ("을", "를"), ("이랑", "랑"), ("과", "와"), ("이한테", "한테"),
             ("의", "의"), ("도", "도"), ("한테", "한테"), ("에게", "에게"), ("이는", "는"), ("이가", "가")]
    with_b, without = rng.choice(pairs)
    return with_b if b else without


TEMPLATES_FULL = (
    "{N}{P} 어제 또 콜을 안 받았어요", "{N}{P} 당직 바꿔달래", "어제 {N}{P} 나한테 소리 질렀음", "{N} {T} 외래 진짜 불친절함",
    "{N}{T}{P} 오늘 오프래요", "이번 주 수술 {N} {T} 방이에요", "{N}{P} 결혼한다던데 들었어?", "{N}{P} 사직서 냈대요",
    "병동에서 {N}{P} 제일 일 잘함", "{N}의 행방을 아무도 모른다", "{N}{P} 결승골을 넣었다", "{N} 씨는 그날 출근하지 않았다",
    "담당 간호사 {N}", "주치의: {N}", "{N}, {N2}, {N3} 세 명이 나이트", "{N}이랑 {N2}{P} 사귄대", "{N} 환자 낙상 사고 보고서",
    "{N} 보호자분이 또 민원 넣으심", "신규 {N} 쌤 태움 당하는 중", "{N} 드림", "- {N} 올림", "{N} 배상", "이름 : {N}",
    "성명: {N} / 연락처 별도", "{N}{P} 말하길 다음 달에 그만둔대", "원래 {N}{P} 그런 사람 아니었는데", "그때 {N}{P} 봤다고 했잖아",
    "{N}님 확인 부탁드립니다", "{N}입니다. 내일 회의 자료 보내드려요", "감사합니다. {N} 드림", "{N}{P} 진짜 최고다",
    "{N} 선배가 알려줬어요", "{N} 간호사 {G2}쌤이랑 같이 근무", "그 사람 이름이 {N}이었나", "{N}이가 또 늦었대",
)
TEMPLATES_GIVEN = (
    "{G}{P} 왜 그래?", "{G}야 밥 먹자", "{G}쌤 오늘 나이트", "{G} 선생님 어디 계세요?", "{G}씨 잠깐 볼래요?",
    "{G}쌤이 그러는데 내일 회식이래", "어제 {G}{P} 울면서 퇴근함", "{G}{P} 그 얘기 했어?", "{G}샘 고마워요",
    "{G} 쌤한테 물어봐", "{G}이가 그러던데", "{G}님 답장 주세요", "우리 {G}{P} 드디어 합격했어요",
)
CHAT = (
    "[{N}] [오후 {h}:{m:02d}] {msg}", "[{N}] [오전 {h}:{m:02d}] {msg}", "[{G}] [오후 {h}:{m:02d}] {msg}",
    "2024년 {mo}월 {d}일 오후 {h}:{m:02d}, {N} : {msg}", "2023년 {mo}월 {d}일 오전 {h}:{m:02d}, {G} : {msg}",
    "{mo}월 {d}일 오후 {h}:{m:02d} - {N}: {msg}",
)
MESSAGES = ("내일 오프 바꿔줄 사람?", "네 알겠습니다", "오늘 회식 어디서 해요", "저 지금 가는 중", "ㅋㅋㅋ 진짜요?",
            "수고하셨습니다", "그 환자 퇴원했어요", "확인했습니다!", "아 몰라 너무 피곤해", "내일 봬요")
NEWS = ("{SM}(41·남)씨가 경찰에 붙잡혔다", "{SM}(35)씨는 혐의를 부인했다", "피해자 {L}군과 {L2}양은 병원으로 옮겨졌다",
        "{L}씨는 당시 현장에 없었다고 진술했다", "{SM} 씨에 따르면", "가해자 {SM}(28·여)씨")
#: look-alikes: ordinary sentences with surname syllables up front, numbers, countries (all O)
NEGATIVE = (
    "이영화 강추합니다 꼭 보세요", "정말 힘들다 오늘", "이번 주 회식은 취소래요", "선생님들 다 모여주세요", "신경과 외래 대기 두 시간",
    "연봉 3천만원이면 적은 건가요", "5천만 원 대출 받음", "중국 출장 다녀왔어요", "일본이랑 미국 학회 일정", "정신과 의사들 다 그래요",
    "조영제 알러지 있는 환자", "이후로 연락 없음", "우연이 겹쳤네요", "이상하게 조용하네", "강추 영화 추천 좀", "한번 가볼게요",
    "김치찌개 먹으러 가자", "이러다 다 죽어", "전문의 시험 준비 중", "오늘 진짜 최고였어", "안녕하세요 반갑습니다",
    "주말에 병원 가요", "이건 아니다 싶었어요", "조금만 기다려 주세요", "문제가 생겼어요", "유명한 교수님이래",
    "한국 의료 현실", "베트남 출신 간호사분들", "최근 개정본이 안 보여서", "신규 간호사 교육", "정형외과에서 CT 찍는 환자",
)


#: ordinary nouns that start with a surname syllable (and often read like a given name): with
#: particles, in sentences about things, they are not names
LOOKALIKE_WORDS = (
    "탁자", "장마", "기호", "마성", "교섭", "수건", "정원", "이사", "조직", "안경", "한계", "강의", "신발", "공기", "유리",
    "고기", "방법", "차량", "박수", "배추", "구조", "노력", "도구", "남편", "하늘", "서류", "송금", "유행", "임금", "오해",
    "원인", "진료", "성격", "명령", "선물", "권리", "황금", "변수", "주사", "양말", "홍수", "전기", "정보", "우유", "조사",
    "신호", "오이", "석유", "연락", "민원", "편지", "염증", "허리", "하루", "천장", "방학", "인사", "소문", "반지", "정리",
    "국물", "장비", "연휴", "전공", "김밥", "이불", "여행", "나무", "남자", "여자", "문서", "육아", "지원", "진단", "성적",
    "설명", "손님", "송별회", "선배", "후배", "동기", "차트", "오더", "장비", "우선", "채용", "표정", "피부", "하수구",
)
LOOKALIKE_TEMPLATES = ("{W}{P} 없고 다 엉망이야", "{W}{P} 문제야", "오늘 {W}{P} 좀 이상해요", "{W} 때문에 늦었어요",
                       "{W}{P} 정말 중요하다", "어제 {W}{P} 다 끝났대", "{W}도 없고 아무것도 없음")


def _names(lex, rng: random.Random, nlp: MecabNlpEngine) -> tuple[str, str]:
    """An invented full name and its given name, from the lexicon's tables (rarer surnames too);
    a given name mecab reads as a word other than a noun, or a listed look-alike, is drawn again."""
    surnames = [s for s in sorted(lex.surnames)]
    common = sorted(lex.common_surnames)
    given = sorted(lex.given_syllables)
    while True:
        surname = rng.choice(common) if rng.random() < 0.7 else rng.choice(surnames)
        g = rng.choice(given) + rng.choice(given)
        if g[0] == g[1] or g in lex.common_words or surname + g in lex.common_words or surname + g in lex.public_figures:
            continue
        art = nlp.process_text(g, "ko")
        if g in LOOKALIKE_WORDS or (len(art.tokens) == 1 and not art.tags[0].startswith("NN")):
            continue
        return surname + g, g


def generated(lex, nlp: MecabNlpEngine, count: int = 2400) -> list[tuple[str, str, list[str]]]:
    """Template sentences with invented names, tagged; seeded, so always the same list."""
    rng = random.Random(SEED)
    titles = ("교수님", "교수", "선생님", "쌤", "간호사", "과장님", "원장님", "전공의", "씨", "님", "팀장님", "선생")
    out: list[tuple[str, str, list[str]]] = []

    def emit(parts: list[tuple[str, bool]]) -> None:
        text = "".join(p for p, _ in parts)
        tags: list[str] = []
        for piece, is_name in parts:
            if is_name:
                tags += ["B-PS"] + ["I-PS"] * (len(piece) - 1)
            else:
                tags += ["O"] * len(piece)
        out.append((f"gen-{len(out):05d}", text, tags))

    def fill(template: str, **values) -> None:
        """Split a template into literal text and name slots ({N}, {G}, {S}, {L} …)."""
        parts: list[tuple[str, bool]] = []
        i = 0
        while i < len(template):
            j = template.find("{", i)
            if j < 0:
                parts.append((template[i:], False))
                break
            parts.append((template[i:j], False))
            k = template.index("}", j)
            key = template[j + 1:k]
            value = values[key.split(":")[0]]
            if ":" in key:
                value = format(value, key.split(":", 1)[1])
            parts.append((str(value), key in ("N", "N2", "N3", "G", "G2", "S", "SM", "L", "L2", "SP")))
            i = k + 1
        emit([p for p in parts if p[0]])

    for n in range(count):
        full, given = _names(lex, rng, nlp)
        full2, given2 = _names(lex, rng, nlp)
        full3, _ = _names(lex, rng, nlp)
        kind = n % 10
        values = dict(N=full, N2=full2, N3=full3, G=given, G2=given2, T=rng.choice(titles),
                      h=rng.randint(1, 12), m=rng.randint(0, 59), mo=rng.randint(1, 12), d=rng.randint(1, 28),
                      msg=rng.choice(MESSAGES), S=full[0], SM=full[0] + "모", L=chr(ord("A") + rng.randint(0, 25)),
                      L2=chr(ord("A") + rng.randint(0, 25)))
        if kind in (0, 1, 2, 3):
            template = rng.choice(TEMPLATES_FULL)
            values["P"] = _particle(full, rng)
        elif kind in (4, 5):
            template = rng.choice(TEMPLATES_GIVEN)
            values["P"] = _particle(given, rng)
        elif kind == 6:
            template = rng.choice(CHAT)
        elif kind == 7:
            template = rng.choice(NEWS)
        elif kind == 8:
            # a name spelled apart: 나 윤 서 / 나.윤.서
            sep = rng.choice((" ", ".", "·"))
            spelled = sep.join(full)
            fill("{SP}" + rng.choice(("가 또 늦었어요", " 이 사람 조심하세요", " 선생님 아시는 분", "한테 연락 왔음")), SP=spelled)
            continue
        elif n % 20 == 9:
            emit([(rng.choice(NEGATIVE), False)])
            continue
        else:
            word = rng.choice(LOOKALIKE_WORDS)
            emit([(rng.choice(LOOKALIKE_TEMPLATES).replace("{W}", word).replace("{P}", _particle(word, rng)), False)])
            continue
        fill(template, **values)
    return out


# ---- features and training -------------------------------------------------------------------
def featurize(examples, featurizer: Featurizer, nlp: MecabNlpEngine, lex):
    """(features, tags, offset) for every candidate window of every line: the same windows the
    recognizer tags at run time (see ``candidate_windows``)."""
    for _, text, tags in examples:
        morph = morph_labels(text, nlp.process_text(text, "ko"))
        for line in re.finditer(r"[^\n]+", text):
            lo, hi = line.start(), line.end()
            for start, stop in candidate_windows(text, lo, hi, lex.surnames, lex.given_syllables):
                yield featurizer.features(text, start, stop, morph, lo, hi), tags[start:stop], start


def train(examples, model: Path, params: dict, featurizer: Featurizer, nlp: MecabNlpEngine) -> None:
    trainer = pycrfsuite.Trainer(algorithm=params["algorithm"], verbose=False)
    trainer.set_params({k: v for k, v in params.items() if k != "algorithm"})
    for xseq, yseq, _ in featurize(examples, featurizer, nlp, load_lexicon()):
        trainer.append(xseq, yseq)
    trainer.train(str(model))


def spans(tags: list[str]) -> set[tuple[int, int]]:
    out, start = set(), None
    for i, t in enumerate(tags + ["O"]):
        if start is not None and t != "I-PS":
            out.add((start, i))
            start = None
        if t == "B-PS":
            start = i
    return out


def _korean_form(text: str, lex) -> bool:
    """A Korean name's shape: surname + one or two syllables (or a compound surname + one or
    two), or a two-syllable given name; foreign names in Hangul (트럼프) are not counted."""
    if not (all("가" <= ch <= "힣" for ch in text) and 2 <= len(text) <= 4):
        return False
    if len(text) == 2:
        return text[0] in lex.surnames or all(s in lex.given_syllables for s in text)
    return text[0] in lex.surnames or text[:2] in lex.surnames


def _bare(text: str, end: int, titles: tuple[str, ...]) -> bool:
    after = text[end:end + 6].lstrip(" ")
    return not any(after.startswith(t) for t in titles)


class Tally:
    """Entity-level counts for persons: all, Korean-form, bare (no title after), given alone."""

    def __init__(self, lex) -> None:
        self.lex = lex
        self.tp = self.fp = self.fn = 0
        self.kinds = {k: [0, 0] for k in ("korean", "bare", "given")}  # found, total
        self.free = [0, 0]  # person-free sentences flagged, total

    def add(self, text: str, gold: set[tuple[int, int]], pred: list[tuple[int, int]], titles, exact: bool) -> None:
        def hit(g):
            return g in pred if exact else any(s < g[1] and g[0] < e for s, e in pred)
        for g in gold:
            ok = hit(g)
            self.tp += ok
            self.fn += not ok
            name = text[g[0]:g[1]]
            if _korean_form(name, self.lex):
                for kind, cond in (("korean", True), ("bare", _bare(text, g[1], titles)), ("given", len(name) == 2)):
                    if cond:
                        self.kinds[kind][0] += ok
                        self.kinds[kind][1] += 1
        for p in pred:
            if not (p in gold if exact else any(s < p[1] and p[0] < e for s, e in gold)):
                self.fp += 1
        if not gold:
            self.free[1] += 1
            self.free[0] += bool(pred)

    def line(self, label: str) -> str:
        p = self.tp / max(1, self.tp + self.fp)
        r = self.tp / max(1, self.tp + self.fn)
        f1 = 2 * p * r / max(1e-9, p + r)
        kinds = " ".join(f"{k}_recall={v[0] / max(1, v[1]):.3f} ({v[0]}/{v[1]})" for k, v in self.kinds.items())
        free = f"person_free_flagged={self.free[0] / max(1, self.free[1]):.3f} ({self.free[0]}/{self.free[1]})"
        return f"{label}: precision={p:.3f} recall={r:.3f} f1={f1:.3f} {kinds} {free}"


def evaluate_crf(model: Path, examples, featurizer: Featurizer, nlp: MecabNlpEngine, titles) -> Tally:
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    lex = load_lexicon()
    tally = Tally(lex)
    for example in examples:
        _, text, tags = example
        pred = []
        for xseq, _, offset in featurize([example], featurizer, nlp, lex):
            pred += [(s + offset, e + offset) for s, e in spans(tagger.tag(xseq))]
        tally.add(text, spans(tags), sorted(pred), titles, exact=True)
    tagger.close()
    return tally


def evaluate_engine(examples, titles) -> Tally:
    """The whole engine (rules + model, fused) on held-out sentences: a name finding overlapping
    a person span finds it; one overlapping none is a false positive."""
    from companion.engine import build_engine

    engine = build_engine()
    tally = Tally(load_lexicon())
    for _, text, tags in examples:
        found = [(f["start"], f["end"]) for f in engine.analyze(text, "ko")["findings"] if f["category"] == "name"]
        tally.add(text, spans(tags), found, titles, exact=False)
    return tally


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def inputs() -> dict[str, Path]:
    files = {"klue-ner": KLUE, "dev.jsonl": DEV}
    files.update({f"data/{name}": DATA / name for name in LEXICON_FILES})
    files.update({name: ROOT / name for name in CODE_FILES})
    return files


def input_digests() -> dict[str, str]:
    return {key: sha256(path) for key, path in inputs().items()}


def renamed(examples, lex, nlp: MecabNlpEngine) -> list[tuple[str, str, list[str]]]:
    """A copy of every training sentence with a Korean-form person in it, each such person
    renamed to an invented name of the same shape (seeded). KLUE's people are mostly famous,
    and mecab's dictionary knows them (NNP/인명); private colleagues' names it garbles. The copies
    teach the tagger the context a name stands in, not the famous names themselves."""
    rng = random.Random(SEED + 1)
    out = []
    for sid, text, tags in examples:
        found = sorted(s for s in spans(tags) if _korean_form(text[s[0]:s[1]], lex))
        if not found:
            continue
        pieces, new_tags, cursor = [], [], 0
        for start, end in found:
            full, given = _names(lex, rng, nlp)
            name = given if end - start == 2 else full
            pieces.append(text[cursor:start])
            new_tags += tags[cursor:start]
            pieces.append(name)
            new_tags += ["B-PS"] + ["I-PS"] * (len(name) - 1)
            cursor = end
        pieces.append(text[cursor:])
        new_tags += tags[cursor:]
        out.append((sid + "-renamed", "".join(pieces), new_tags))
    return out


def training_sets(lex, nlp: MecabNlpEngine):
    klue = read_klue(KLUE)
    dev = read_dev(DEV)
    gen = generated(lex, nlp)
    klue_train = [x for x in klue if not held_out(x[0])]
    train_set = klue_train + renamed(klue_train, lex, nlp) + [x for x in dev if not held_out(x[0])] + gen
    return train_set, [x for x in klue if held_out(x[0])], [x for x in dev if held_out(x[0])]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="retrain into a temporary file and compare with the shipped model")
    ap.add_argument("--no-engine", action="store_true", help="skip the whole-engine evaluation")
    ap.add_argument("--evaluate", action="store_true", help="only evaluate the shipped model and the engine")
    args = ap.parse_args(argv)
    missing = [str(p) for p in (KLUE, DEV) if not p.exists()]
    if missing:
        print("train-names: missing training data: " + ", ".join(missing), file=sys.stderr)
        return 2
    lex = load_lexicon()
    featurizer = Featurizer(lex)
    nlp = MecabNlpEngine()
    nlp.load()
    train_set, klue_val, dev_val = training_sets(lex, nlp)
    titles = tuple(sorted(lex.titles, key=len, reverse=True))
    t0 = time.monotonic()
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            model = Path(tmp) / "model.crfsuite"
            train(train_set, model, PARAMS, featurizer, nlp)
            same = sha256(model) == sha256(MODEL)
        print(f"train-names --check: retrained model {'matches' if same else 'DIFFERS FROM'} {MODEL.relative_to(ROOT)}")
        return 0 if same else 1
    if args.evaluate:
        print(evaluate_engine(klue_val, titles).line(f"engine (rules + model), KLUE held-out ({len(klue_val)} sentences, overlap)"))
        return 0
    MODELS.mkdir(parents=True, exist_ok=True)
    train(train_set, MODEL, PARAMS, featurizer, nlp)
    print(f"trained on {len(train_set)} sentences in {time.monotonic() - t0:.0f} s "
          f"-> {MODEL.relative_to(ROOT)} ({MODEL.stat().st_size / 1e6:.1f} MB)")
    manifest = {"model": MODEL.name, "model_sha256": sha256(MODEL), "params": PARAMS, "seed": SEED,
                "held_out": f"sha256(sentence id) % 5 == {HELD_OUT_FOLD}", "inputs": input_digests(),
                "sentences": {"train": len(train_set), "klue_held_out": len(klue_val), "dev_held_out": len(dev_val)}}
    MANIFEST.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(evaluate_crf(MODEL, klue_val, featurizer, nlp, titles).line(f"CRF alone, KLUE held-out ({len(klue_val)} sentences, exact spans)"))
    print(evaluate_crf(MODEL, dev_val, featurizer, nlp, titles).line(f"CRF alone, dev held-out ({len(dev_val)} drafts, exact spans)"))
    if not args.no_engine:
        print(evaluate_engine(klue_val, titles).line(f"engine (rules + model), KLUE held-out ({len(klue_val)} sentences, overlap)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
