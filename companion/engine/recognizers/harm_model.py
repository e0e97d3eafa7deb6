"""The learned abuse classifier: hashed character n-grams and a logistic regression, in numpy.

Features (the same function feeds training in ``tools/train_harm.py`` and scoring here):

- the *surface* form — lowercased text, whitespace runs as one space — in character 2–4-grams;
- the *folded* form — only Hangul, jamo and Latin letters kept (digits, punctuation, spaces and
  other separators dropped, so 시1발, 병.신 and 미 친 놈 read as plain words) and every syllable
  decomposed into its jamo (씨발/시발/싀발 share ㅂㅏㄹ) — in jamo 3–5-grams.

Each n-gram is hashed (FNV-1a on code points, per form and length) into ``2**BITS`` buckets; a
segment's vector is its set of buckets (each once) divided by sqrt(max(n, MIN_GRAMS)), n the size of
the set, so its score is ``bias + sum(weights of its distinct n-grams) / sqrt(max(n, MIN_GRAMS))``. All n-grams of a
whole text are hashed in a few numpy operations and summed per segment with one ``bincount``:
linear in the text, however many segments it has. An n-gram crossing a segment boundary
belongs to none. Sentences and clauses (what is scored) are cut at the end of this module.

The weights ship as ``companion/engine/data/harm/model/harm_model.npz`` (float16 weights, bias,
threshold); ``MANIFEST.json`` beside it records how they were made, ``ATTRIBUTION.md`` the corpora
and their licence (CC BY-SA 4.0).
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

BITS = 20
BUCKETS = 1 << BITS
SURFACE_SIZES = (2, 3, 4)
FOLDED_SIZES = (3, 4, 5)
#: a segment's vector is its bucket counts / sqrt(max(n-grams, MIN_GRAMS)): a short segment (a few words)
#: says less, so its score stays nearer the bias instead of swinging on a handful of n-grams
MIN_GRAMS = 100
_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_SHIFT = np.uint64(64 - BITS)
_MODEL_PACKAGE = "companion.engine.data"
_MODEL_DIR = "harm/model"
MODEL_FILE = "harm_model.npz"

# compatibility jamo for the initial, medial and final of a composed syllable (0: no final)
_INITIALS = np.array([ord(c) for c in "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"], dtype=np.int64)
_MEDIALS = np.array([ord(c) for c in "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"], dtype=np.int64)
_FINALS = np.array([0] + [ord(c) for c in "ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"], dtype=np.int64)


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.int64)


def _surface(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(codes, original positions) of the lowercased text with whitespace runs as one space."""
    out = codes.copy()
    upper = (out >= 65) & (out <= 90)
    out[upper] += 32
    space = (out == 32) | (out == 9) | (out == 10) | (out == 13) | (out == 0x3000) | (out == 0xA0)
    out[space] = 32
    keep = ~(space & np.concatenate(([False], space[:-1])))
    positions = np.flatnonzero(keep)
    return out[positions], positions


def _folded(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(jamo codes, original positions) of the letters only, every syllable decomposed."""
    syllable = (codes >= 0xAC00) & (codes <= 0xD7A3)
    jamo = (codes >= 0x3131) & (codes <= 0x318E)
    latin = ((codes >= 65) & (codes <= 90)) | ((codes >= 97) & (codes <= 122))
    positions = np.flatnonzero(syllable | jamo | latin)
    kept = codes[positions]
    lowered = np.where((kept >= 65) & (kept <= 90), kept + 32, kept)
    is_syllable = (kept >= 0xAC00) & (kept <= 0xD7A3)
    s = np.where(is_syllable, kept - 0xAC00, 0)
    table = np.zeros((len(kept), 3), dtype=np.int64)
    table[:, 0] = np.where(is_syllable, _INITIALS[s // 588], lowered)
    table[:, 1] = np.where(is_syllable, _MEDIALS[(s % 588) // 28], 0)
    table[:, 2] = np.where(is_syllable, _FINALS[s % 28], 0)
    flat = table.reshape(-1)
    where = np.repeat(positions, 3)
    present = flat != 0
    return flat[present], where[present]


def _grams(codes: np.ndarray, positions: np.ndarray, sizes: tuple[int, ...], salt: int,
           segment: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(bucket, segment) of every n-gram whose first and last characters lie in one segment."""
    buckets, segments = [], []
    n = len(codes)
    c = codes.astype(np.uint64)
    for size in sizes:
        if n < size:
            break
        h = np.full(n - size + 1, _FNV_OFFSET ^ np.uint64(salt * 16 + size), dtype=np.uint64)
        for j in range(size):
            h = (h ^ c[j:n - size + 1 + j]) * _FNV_PRIME
        first = segment[positions[: n - size + 1]]
        last = segment[positions[size - 1:]]
        inside = (first == last) & (first >= 0)
        buckets.append((h[inside] >> _SHIFT).astype(np.int64))
        segments.append(first[inside])
    if not buckets:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(buckets), np.concatenate(segments)


def features(text: str, bounds: list[tuple[int, int]] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(bucket, segment index) of every n-gram of ``text`` inside the segments ``bounds``
    (character spans into ``text``; the whole text when None). Characters outside every segment
    belong to none (segment -1)."""
    codes = _code_points(text)
    segment = np.full(len(codes), -1, dtype=np.int64)
    if bounds is None:
        segment[:] = 0
    else:
        for k, (s, e) in enumerate(bounds):
            segment[s:e] = k
    b1, s1 = _grams(*_surface(codes), SURFACE_SIZES, 1, segment)
    b2, s2 = _grams(*_folded(codes), FOLDED_SIZES, 2, segment)
    return np.concatenate((b1, b2)), np.concatenate((s1, s2))


def distinct(buckets: np.ndarray, segments: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each (bucket, segment) pair once: a segment is the *set* of its n-grams, so repeating a
    word (가가가…, ㅋㅋㅋㅋ) does not make it weigh more."""
    if not len(buckets):
        return buckets, segments
    keys = np.unique(segments * BUCKETS + buckets)
    return keys % BUCKETS, keys // BUCKETS


@dataclass(frozen=True)
class HarmModel:
    weights: np.ndarray  # float32, BUCKETS
    bias: float
    threshold: float  # probability at or above which a segment is abusive

    def probabilities(self, text: str, bounds: list[tuple[int, int]]) -> np.ndarray:
        """Probability that each segment of ``text`` is abusive (offensive or hate)."""
        if not bounds:
            return np.zeros(0)
        buckets, segments = distinct(*features(text, bounds))
        sums = np.bincount(segments, weights=self.weights[buckets], minlength=len(bounds))
        counts = np.bincount(segments, minlength=len(bounds))
        logits = self.bias + sums / np.sqrt(np.maximum(counts, MIN_GRAMS))
        logits[counts == 0] = -50.0
        return 1.0 / (1.0 + np.exp(-logits))

    def probability(self, text: str) -> float:
        return float(self.probabilities(text, [(0, len(text))])[0])


def save_model(path, weights: np.ndarray, bias: float, threshold: float) -> None:
    """Write the model deterministically (np.savez_compressed would stamp the zip with a time)."""
    buffer = io.BytesIO()
    np.savez(buffer, weights=weights.astype(np.float16), bias=np.array([bias], dtype=np.float64),
             threshold=np.array([threshold], dtype=np.float64), bits=np.array([BITS], dtype=np.int64))
    data = buffer.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(src.namelist()):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, src.read(name))


def read_model(data: bytes) -> HarmModel:
    with np.load(io.BytesIO(data)) as z:
        if int(z["bits"][0]) != BITS:
            raise ValueError(f"{MODEL_FILE}: hashed into 2**{int(z['bits'][0])} buckets, this code expects 2**{BITS}")
        return HarmModel(z["weights"].astype(np.float32), float(z["bias"][0]), float(z["threshold"][0]))


def model_path():
    return resources.files(_MODEL_PACKAGE).joinpath(_MODEL_DIR).joinpath(MODEL_FILE)


@lru_cache(maxsize=1)
def load_model() -> HarmModel:
    """The shipped model, read once per process."""
    return read_model(model_path().read_bytes())


# ---- segments: the sentences and clauses the classifier scores -------------------------------

#: a sentence ends at ! ? … or a line break, or a period not inside a word (씨.발, 3.5 stay whole),
#: with what follows it: more of them, closing quotes or brackets; or after ㅋㅋ / ㅠㅠ and a space
_SENTENCE_END = re.compile(
    r"(?:[!?…。\n]|\.(?![가-힣A-Za-z0-9]))[.!?…。\n]{0,8}[\"'”’)\]]{0,3}|(?<=[ㅋㅎㅠㅜ]{2})\s{1,8}")
#: a long sentence is cut at commas and the like, then at spaces, into pieces of at most this
MAX_SEGMENT = 160
_SOFT_BREAK = re.compile(r"[,;:·]{1,8}\s{0,8}|\s{1,4}[-–—]{1,3}\s{1,4}")


def _pieces(text: str, start: int, end: int, breaker: re.Pattern) -> list[tuple[int, int]]:
    out, cursor = [], start
    for m in breaker.finditer(text, start, end):
        if m.start() > cursor:
            out.append((cursor, m.start()))
        cursor = m.end()
    if end > cursor:
        out.append((cursor, end))
    return out


def _trimmed(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def _capped(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Cut a span longer than MAX_SEGMENT at its last space before the limit (or hard)."""
    out = []
    while e - s > MAX_SEGMENT:
        cut = text.rfind(" ", s + MAX_SEGMENT // 2, s + MAX_SEGMENT)
        cut = cut if cut > s else s + MAX_SEGMENT
        out.append((s, cut))
        s = cut
    out.append((s, e))
    return out


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text``; a sentence over MAX_SEGMENT characters is cut at commas, then spaces."""
    out: list[tuple[int, int]] = []
    for s, e in _trimmed(text, _pieces(text, 0, len(text), _SENTENCE_END)):
        if e - s <= MAX_SEGMENT:
            out.append((s, e))
            continue
        for ps, pe in _trimmed(text, _pieces(text, s, e, _SOFT_BREAK)):
            out.extend(_trimmed(text, _capped(text, ps, pe)))
    return out


#: where a Korean sentence divides into clauses: commas, and connective endings before a space
_CLAUSE_BREAK = re.compile(r"[,;]{1,8}\s{0,8}|(?:(?<=는데)|(?<=지만)|(?<=니까)|(?<=면서)|(?<=[고서며])) (?=\S{2})")


def clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Clause spans of the sentence text[start:end] (the sentence itself when it has one clause)."""
    return _trimmed(text, _pieces(text, start, end, _CLAUSE_BREAK))
