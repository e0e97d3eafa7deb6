"""Train the harm classifier: ``python3 build.py train-harm`` (needs the ``train`` extra).

Inputs (nothing else, nothing downloaded):
- ``../shared/data/beep/train.tsv`` — BEEP! comments labelled hate / offensive / none;
- ``tools/harm_drafts.tsv`` — sentences written for this project, ``label<TAB>sentence``
  (1 abusive, 0 not), medical-board phrasing, clean look-alikes included;
- ``../shared/data/klue-ner/…tsv`` — KLUE news and movie-review sentences, as clean text (0):
  what the model must leave alone in ordinary Korean, weighted low (a few reviews are harsh);
- ``../shared/corpus/dev.jsonl`` — sentences of our annotated drafts: a sentence holding a HARM
  span is abusive, a sentence of a post that is not harmful is not; ``tests/drafts/tuned_on.jsonl``
  (drafts other hands wrote to the same rules) the same way.

Every source is split deterministically by a hash of the item (never by position or a random
draw): BEEP into train / validation (threshold) / test (20 %, reported); drafts into train and
held-out (25 %); dev posts into train and held-out (one post in three). Only the train parts
are fitted; the threshold is chosen on the validation part; the figures printed are on the
held-out parts. The model, its manifest (sha256 of inputs and model, parameters, figures) and
its attribution are written under ``companion/engine/data/harm/model/``.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import sys
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from companion.engine.recognizers.harm_model import (BUCKETS, MODEL_FILE, MIN_GRAMS, features, read_model,  # noqa: E402
                                                     save_model, sentences)

SHARED = ROOT.parent / "shared"
BEEP = SHARED / "data" / "beep" / "train.tsv"
DEV = SHARED / "corpus" / "dev.jsonl"
KLUE = SHARED / "data" / "klue-ner" / "klue-ner-v1.1_dev_train-split.tsv"
DRAFTS = ROOT / "tools" / "harm_drafts.tsv"
#: drafts other hands wrote to the corpus rules (tests/drafts/README.md): the part tuned on, read as dev is
OTHER_HANDS = ROOT / "tests" / "drafts" / "tuned_on.jsonl"
OUT = ROOT / "companion" / "engine" / "data" / "harm" / "model"
#: every file the model is made from (the manifest records each one's sha256)
INPUTS = (BEEP, DEV, DRAFTS, KLUE, OTHER_HANDS)

PARAMS = {
    "C": 4.0,  # inverse L2 strength (liblinear)
    "draft_weight": 3.0,
    "klue_weight": 1.0,  # our own sentences and dev sentences count this much more than a BEEP comment
    "min_threshold": 0.58,
    "max_threshold": 0.8,
    "solver": "liblinear",
    "seed": 0,
}


def bucket(key: str, modulo: int) -> int:
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:12], 16) % modulo


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_beep(path: Path) -> list[tuple[str, str]]:
    """(comment, label) with label hate / offensive / none."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    header, body = rows[0], rows[1:]
    text, label = header.index("comments"), header.index("hate")
    return [(r[text], r[label]) for r in body if len(r) > label]


def read_drafts(path: Path) -> list[tuple[str, int]]:
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        label, tab, sentence = line.partition("\t")
        if not tab or label not in ("0", "1"):
            raise SystemExit(f"{path.name}:{number}: expected 0 or 1, a tab, then the sentence")
        out.append((sentence.strip(), int(label)))
    return out


def read_klue(path: Path) -> list[str]:
    """The plain sentences of KLUE-NER (inline <text:TAG> marks replaced by the text)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            _, _, marked = line.partition("\t")
            out.append(re.sub(r"<([^<>:]+):[A-Z]{2}>", r"\1", marked).strip())
    return out


def read_dev(path: Path) -> list[tuple[str, str, int]]:
    """(post id, sentence, label): sentences with a HARM span are 1, sentences of harmless posts 0."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        post = json.loads(line)
        text = post["text"]
        harm = [(s["start"], s["end"]) for s in post["spans"] if s["label"] == "HARM"]
        for s, e in sentences(text):
            if any(hs < e and s < he for hs, he in harm):
                out.append((post["id"], text[s:e], 1))
            elif not post["harmful"]:
                out.append((post["id"], text[s:e], 0))
    return out


def matrix(texts: list[str]) -> sparse.csr_matrix:
    """Rows of distinct buckets / sqrt(max(their number, MIN_GRAMS)): exactly what ``HarmModel`` scores."""
    indptr, indices, data = [0], [], []
    for text in texts:
        buckets, _ = features(text)
        uniq = np.unique(buckets)  # a set of n-grams, as HarmModel.probabilities scores it
        norm = np.sqrt(max(len(uniq), MIN_GRAMS))
        indices.append(uniq)
        data.append(np.full(len(uniq), 1.0 / norm))
        indptr.append(indptr[-1] + len(uniq))
    return sparse.csr_matrix((np.concatenate(data) if data else [], np.concatenate(indices) if indices else [],
                              indptr), shape=(len(texts), BUCKETS))


def fit(texts: list[str], labels: list[int], weights: list[float], params: dict) -> tuple[np.ndarray, float]:
    model = LogisticRegression(C=params["C"], solver=params["solver"], random_state=params["seed"], max_iter=1000)
    model.fit(matrix(texts), np.array(labels), sample_weight=np.array(weights))
    return model.coef_[0].astype(np.float32), float(model.intercept_[0])


def probabilities(weights: np.ndarray, bias: float, texts: list[str]) -> np.ndarray:
    w16 = weights.astype(np.float16).astype(np.float32)  # what ships
    logits = matrix(texts) @ w16 + bias
    return 1.0 / (1.0 + np.exp(-logits))


def figures(p: np.ndarray, gold: list[int], threshold: float) -> dict:
    y = np.array(gold, dtype=bool)
    flagged = p >= threshold
    tp, fp, fn = int((flagged & y).sum()), int((flagged & ~y).sum()), int((~flagged & y).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    negatives = int((~y).sum())
    return {"n": len(gold), "precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3),
            "false_alarm": round(fp / negatives, 3) if negatives else 0.0}


def choose_threshold(p: np.ndarray, gold: list[int], params: dict) -> float:
    """The F1-best threshold on the validation split, within [min_threshold, max_threshold]."""
    best = (-1.0, params["min_threshold"])
    for t in np.arange(params["min_threshold"], params["max_threshold"] + 1e-9, 0.02):
        f1 = figures(p, gold, float(t))["f1"]
        if f1 > best[0] + 1e-9:
            best = (f1, round(float(t), 2))
    return best[1]


def train(beep_rows, drafts, dev, klue, params) -> dict:
    """Fit and evaluate; returns weights, bias, threshold and the held-out figures."""
    split = {"train": [], "validation": [], "test": []}
    for text, label in beep_rows:
        b = bucket(text, 10)
        split["test" if b < 2 else "validation" if b == 2 else "train"].append((text, label))
    drafts_train = [(t, y) for t, y in drafts if bucket(t, 4) != 0]
    drafts_test = [(t, y) for t, y in drafts if bucket(t, 4) == 0]
    dev_train = [(t, y) for pid, t, y in dev if bucket(pid, 3) != 0]
    dev_test = [(t, y) for pid, t, y in dev if bucket(pid, 3) == 0]

    klue_train = [t for t in klue if bucket(t, 5) != 0]
    klue_test = [t for t in klue if bucket(t, 5) == 0]

    texts = ([t for t, _ in split["train"]] + [t for t, _ in drafts_train] + [t for t, _ in dev_train]
             + klue_train)
    labels = ([int(y != "none") for _, y in split["train"]] + [y for _, y in drafts_train] + [y for _, y in dev_train]
              + [0] * len(klue_train))
    sample = ([1.0] * len(split["train"]) + [params["draft_weight"]] * (len(drafts_train) + len(dev_train))
              + [params["klue_weight"]] * len(klue_train))
    weights, bias = fit(texts, labels, sample, params)

    val_texts = [t for t, _ in split["validation"]]
    val_gold = [int(y != "none") for _, y in split["validation"]]
    val_p = probabilities(weights, bias, val_texts)
    threshold = choose_threshold(val_p, val_gold, params)

    test_p = probabilities(weights, bias, [t for t, _ in split["test"]])
    test_labels = [y for _, y in split["test"]]
    report = {"beep_validation": figures(val_p, val_gold, threshold),
              "beep_validation_at_0.5": figures(val_p, val_gold, 0.5),
              "beep_test": figures(test_p, [int(y != "none") for y in test_labels], threshold)}
    for cls in ("hate", "offensive", "none"):
        mask = np.array([y == cls for y in test_labels], dtype=bool)
        if not mask.any():
            continue
        flagged = test_p[mask] >= threshold
        key = "flagged" if cls == "none" else "recall"
        report[f"beep_test_{cls}"] = {"n": int(mask.sum()), key: round(float(flagged.mean()), 3)}
    if klue_test:
        report["klue_heldout_clean"] = {"n": len(klue_test), "flagged": round(float(
            (probabilities(weights, bias, klue_test) >= threshold).mean()), 3)}
    for name, rows in (("drafts_heldout", drafts_test), ("dev_heldout_sentences", dev_test)):
        report[name] = figures(probabilities(weights, bias, [t for t, _ in rows]), [y for _, y in rows], threshold)
    sizes = {"beep_train": len(split["train"]), "beep_validation": len(split["validation"]),
             "beep_test": len(split["test"]), "drafts_train": len(drafts_train), "drafts_heldout": len(drafts_test),
             "dev_train_sentences": len(dev_train), "dev_heldout_sentences": len(dev_test),
             "klue_train": len(klue_train), "klue_heldout": len(klue_test)}
    return {"weights": weights, "bias": bias, "threshold": threshold, "figures": report, "sizes": sizes}


def _name(path: Path) -> str:
    """An input as the manifest names it: ``shared/…`` for the shared folder, else relative to the repo."""
    if path.is_relative_to(SHARED):
        return "shared/" + path.relative_to(SHARED).as_posix()
    return path.relative_to(ROOT).as_posix()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the model and its manifest")
    args = parser.parse_args(argv)
    for path in INPUTS:
        if not path.exists():
            print(f"train_harm: {path} is missing", file=sys.stderr)
            return 2
    result = train(read_beep(BEEP), read_drafts(DRAFTS), read_dev(DEV) + read_dev(OTHER_HANDS), read_klue(KLUE), PARAMS)
    args.out.mkdir(parents=True, exist_ok=True)
    model = args.out / MODEL_FILE
    save_model(model, result["weights"], result["bias"], result["threshold"])
    read_model(model.read_bytes())  # it loads
    manifest = {
        "model": {"file": MODEL_FILE, "sha256": sha256(model), "threshold": result["threshold"]},
        "inputs": {_name(p): sha256(p) for p in INPUTS},
        "params": PARAMS,
        "sizes": result["sizes"],
        "figures": result["figures"],
    }
    (args.out / "MANIFEST.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"train-harm: wrote {model.relative_to(ROOT) if model.is_relative_to(ROOT) else model} "
          f"({model.stat().st_size // 1024} KiB, threshold {result['threshold']})")
    for name, values in result["figures"].items():
        print(f"  {name:24s} " + "  ".join(f"{k}={v}" for k, v in values.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
