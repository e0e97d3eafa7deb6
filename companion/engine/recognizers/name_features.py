"""Character features for the learned person-name tagger (one source for training and run time).

Every character of a line gets a list of string features: the character and its neighbours,
character bigrams and trigrams, its script, whether it is a known surname or given-name syllable
(the lexicon's tables), mecab's part of speech and semantic class for the morpheme it sits in and
its place there, its place in the word (eojeol), and what follows the word: a particle or a
title glued on after two or three syllables, or a title as the next word. The tagger learns from
real annotated text which of these make a person's name.

Speed: the features of a character that do not depend on its neighbours are built once per
character and cached, so a line costs a few list operations per character (linear in its length).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

from ..lexicon import Lexicon
from ..nlp import KoreanNlpArtifacts

#: tag set of the model: begin / inside a person's name, outside
LABELS = ("B-PS", "I-PS", "O")


def script(ch: str) -> str:
    """H Hangul syllable, J jamo, L Latin, D digit, S space, P punctuation/other."""
    o = ord(ch)
    if 0xAC00 <= o <= 0xD7A3:
        return "H"
    if 0x3131 <= o <= 0x318E:
        return "J"
    if ch.isascii() and ch.isalpha():
        return "U" if ch.isupper() else "L"
    if ch.isdigit():
        return "D"
    if ch.isspace():
        return "S"
    return "P"


class Featurizer:
    """Builds the feature lists of a text's characters; holds the lexicon tables it needs."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.surnames = frozenset(s for s in lexicon.surnames if len(s) == 1)
        self.surnames2 = frozenset(s for s in lexicon.surnames if len(s) == 2)
        self.common = lexicon.common_surnames
        self.given = lexicon.given_syllables
        self.titles = frozenset(lexicon.titles)
        self.particles = frozenset(lexicon.particles)
        self.common_words = lexicon.common_words
        self._static = lru_cache(maxsize=8192)(self._static_uncached)
        self.word_features = lru_cache(maxsize=8192)(self._word_features)
        self._morph = lru_cache(maxsize=4096)(self._morph_uncached)

    @staticmethod
    def _morph_uncached(label: str) -> tuple[str, str, str]:
        return "m=" + label, "mp=" + label, "mn=" + label

    def _static_uncached(self, ch: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """The features of one character as itself, as the previous one and as the next one."""
        k = script(ch)
        flags = []
        if ch in self.surnames:
            flags.append("S" if ch not in self.common else "CS")
        if ch in self.given:
            flags.append("G")
        # the script and the lexicon flags as one feature: H, HS (surname), HCSG (common surname
        # that is also a given-name syllable) …
        kind = k + "".join(flags)
        return ("c=" + ch, "k=" + kind), ("p1=" + ch, "p1k=" + kind), ("n1=" + ch, "n1k=" + kind)

    def _after(self, rest: str) -> str:
        """What follows the first syllables of a word: nothing, a particle, a title, or other."""
        if not rest:
            return "E"
        if rest in self.particles:
            return "J"
        for n in (4, 3, 2, 1):
            if rest[:n] in self.titles and (len(rest) == n or rest[n:] in self.particles):
                return "T"
        return "X"

    def _word_features(self, word: str, nxt: str) -> tuple[str, ...]:
        """Features shared by the characters of one word: its length, what follows its first one,
        two or three syllables, whether the next word is a title, whether it is a common word."""
        next_title = any(nxt[:m] in self.titles and (len(nxt) == m or nxt[m:] in self.particles)
                         for m in (1, 2, 3, 4) if len(nxt) >= m)
        feats = ["wl=%d" % min(len(word), 6), "a1=" + self._after(word[1:]), "a2=" + self._after(word[2:]),
                 "a3=" + self._after(word[3:]), "nt=%d" % next_title]
        if word in self.common_words or word[:3] in self.common_words or word[:2] in self.common_words:
            feats.append("cw")
        if word[:2] in self.surnames2:
            feats.append("S2")
        return tuple(feats)

    def features(self, text: str, start: int, end: int, morph: Sequence[str] | None = None,
                 lo: int = 0, hi: int | None = None) -> list[list[str]]:
        """Feature lists of the characters ``text[start:end]``, looking at context inside
        ``text[lo:hi]`` (a line); ``morph[i]`` is mecab's label of character i of the whole text
        (see :func:`morph_labels`). Features of a character are the same whether it is tagged in
        a whole line (training) or in a window of it (run time)."""
        hi = len(text) if hi is None else hi
        static = self._static
        mfeat = self._morph
        words = self.word_features
        out: list[list[str]] = []
        word_feats: tuple[str, ...] = ()
        word_start = -1
        last = len(text) - 1
        for i in range(start, end):
            ch = text[i]
            prev = text[i - 1] if i > lo else "^"
            nxt = text[i + 1] if i + 1 < hi else "$"
            f = [*static(ch)[0], *static(prev)[1], *static(nxt)[2],
                 "p2=" + (text[i - 2] if i - 1 > lo else "^"), "n2=" + (text[i + 2] if i + 2 < hi else "$"),
                 "b-=" + prev + ch, "b+=" + ch + nxt]
            if ch.isspace():
                word_start = -1
            else:
                if word_start < 0 or i == lo:
                    word_start = i
                    j = i
                    while j < hi and not text[j].isspace():
                        j += 1
                    k = j
                    while k < hi and text[k] == " ":
                        k += 1
                    following = text[k:min(k + 6, hi)].split(" ", 1)[0] if k < hi else ""
                    word_feats = words(text[i:j], following)
                    f.append("w3=" + text[i:min(i + 3, j)])
                wp = i - word_start
                if wp < 4:
                    f.append(_WP[wp])
                    f.extend(word_feats)
                else:
                    f.append("wp=4")
            if morph is not None:
                f.append(mfeat(morph[i])[0])
                f.append(mfeat(morph[i - 1] if i > 0 else "^")[1])
                f.append(mfeat(morph[i + 1] if i < last else "$")[2])
            out.append(f)
        return out


_WP = ("wp=0", "wp=1", "wp=2", "wp=3")


def candidate_windows(text: str, lo: int, hi: int, surnames: frozenset[str], given: frozenset[str]) -> list[tuple[int, int]]:
    """Runs of words in ``text[lo:hi]`` that may hold a name: a word whose first syllable is a
    surname, whose first two syllables are given-name syllables, or a Latin capital before Hangul
    (A씨); of each word its first ``WORD_HEAD`` characters. Neighbouring candidates form one
    window (names spelled apart: 나 윤 서). A name almost never starts inside another word, so the
    tagger only needs these windows."""
    out: list[tuple[int, int]] = []
    for m in _WORD.finditer(text, lo, hi):
        w = m.group()
        h = _SYLLABLES.search(w)
        if h is None:
            continue
        syl = h.group()
        if not (syl[0] in surnames or syl[:2] in surnames
                or (len(syl) >= 2 and syl[0] in given and syl[1] in given)
                or (h.start() == 1 and w[0].isascii() and w[0].isupper())):
            continue
        stop = min(m.end(), m.start() + WORD_HEAD)
        if out and text[out[-1][1]:m.start()].isspace() and m.start() - out[-1][1] <= 2:
            out[-1] = (out[-1][0], stop)
        else:
            out.append((m.start(), stop))
    return out


_WORD = re.compile(r"\S+")
#: how much of a word a window takes: a name (at most four syllables, a bracket before it) and
#: the start of what follows it; the rest of a long word cannot change where the name ends
WORD_HEAD = 7
_SYLLABLES = re.compile(r"[가-힣]+")


@lru_cache(maxsize=1024)
def _coarse(tag: str, cls: str) -> str:
    """mecab's tag, coarsely: its fine tags follow its dictionary, which knows famous people
    (NNP/인명) but garbles private names (정하/VA 은/ETM), so a tagger leaning on fine tags learns
    celebrities. Kept: person class, proper/common noun, particle, ending, predicate, other."""
    if cls == "인명":
        return "PER"
    first = tag.split("+", 1)[0]
    if first == "NNP":
        return "NNP"
    if first.startswith(("NN", "NR", "NP")):
        return "N"
    if first.startswith("J"):
        return "J"
    if first.startswith(("E", "XS")):
        return "E"
    if first.startswith(("VV", "VA", "VX", "VC")):
        return "V"
    if first.startswith(("MAG", "MAJ", "MM", "IC")):
        return "M"
    return "O"


def morph_labels(text: str, artifacts: KoreanNlpArtifacts) -> list[str]:
    """mecab's view of every character: ``TAG:P`` with P = B/I/E/S (place in the morpheme), and
    ``*인명`` appended for mecab's person class; "-" where no morpheme covers the character."""
    labels = ["-"] * len(text)
    for tok, s, tag, cls in zip(artifacts.tokens, artifacts.tokens_indices, artifacts.tags, artifacts.classes):
        t = _coarse(tag, cls)
        length = len(tok)
        if length == 1:
            if s < len(labels):
                labels[s] = t + ":S"
            continue
        for k in range(length):
            if s + k >= len(labels):
                break
            labels[s + k] = t + (":B" if k == 0 else ":E" if k == length - 1 else ":I")
    return labels
