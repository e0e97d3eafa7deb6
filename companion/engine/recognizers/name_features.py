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

from functools import lru_cache
from typing import Sequence

from ..lexicon import Lexicon

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

    def _static_uncached(self, ch: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """The features of one character as itself, as the previous one and as the next one."""
        k = script(ch)
        flags = []
        if ch in self.surnames:
            flags.append("S" if ch not in self.common else "CS")
        if ch in self.given:
            flags.append("G")
        own = ("c=" + ch, "k=" + k, *("f=" + f for f in flags))
        prev = ("p1=" + ch, "p1k=" + k, *("p1f=" + f for f in flags))
        nxt = ("n1=" + ch, "n1k=" + k, *("n1f=" + f for f in flags))
        return own, prev, nxt

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

    def features(self, text: str, start: int, end: int, morph: Sequence[str] | None = None) -> list[list[str]]:
        """Feature lists of ``text[start:end]``; ``morph[i]`` is mecab's label of character i of the
        whole text (see :func:`morph_labels`)."""
        static = self._static
        chars = text[start:end]
        n = len(chars)
        stat = [static(ch) for ch in chars]
        out: list[list[str]] = []
        # word (eojeol) boundaries: position of each character in its word, and per-word features
        word_feats: list[tuple[str, ...]] = []
        wpos: list[int] = []
        i = 0
        while i < n:
            if chars[i].isspace():
                word_feats.append(())
                wpos.append(-1)
                i += 1
                continue
            j = i
            while j < n and not chars[j].isspace():
                j += 1
            word = chars[i:j]
            k = j
            while k < n and chars[k] == " ":
                k += 1
            nxt = chars[k:k + 6].split(" ", 1)[0] if k < n else ""
            next_title = any(nxt[:m] in self.titles and (len(nxt) == m or nxt[m:] in self.particles)
                             for m in (1, 2, 3, 4) if len(nxt) >= m)
            feats = ("wl=%d" % min(len(word), 6), "a2=" + self._after(word[2:]), "a3=" + self._after(word[3:]),
                     "a1=" + self._after(word[1:]), "nt=%d" % next_title,
                     *(("cw",) if word in self.common_words or word[:3] in self.common_words
                       or word[:2] in self.common_words else ()),
                     *(("S2",) if word[:2] in self.surnames2 else ()))
            for p in range(i, j):
                word_feats.append(feats)
                wpos.append(p - i)
            i = j
        for i in range(n):
            own, _, _ = stat[i]
            f = list(own)
            ch = chars[i]
            prev = chars[i - 1] if i > 0 else "^"
            nxt = chars[i + 1] if i + 1 < n else "$"
            if i > 0:
                f.extend(stat[i - 1][1])
                f.append("p2=" + (chars[i - 2] if i > 1 else "^"))
            else:
                f.append("BOS")
            if i + 1 < n:
                f.extend(stat[i + 1][2])
                f.append("n2=" + (chars[i + 2] if i + 2 < n else "$"))
                f.append("n3=" + chars[i + 2:i + 4])
            else:
                f.append("EOS")
            f.append("b-=" + prev + ch)
            f.append("b+=" + ch + nxt)
            f.append("t=" + prev + ch + nxt)
            wp = wpos[i]
            if wp >= 0:
                f.append("wp=%d" % min(wp, 4))
                f.extend(word_feats[i])
                if wp == 0:
                    f.append("w3=" + chars[i:i + 3])
            if morph is not None:
                m = morph[start + i]
                f.append("m=" + m)
                f.append("mp=" + (morph[start + i - 1] if start + i > 0 else "^"))
                f.append("mn=" + (morph[start + i + 1] if start + i + 1 < len(morph) else "$"))
            out.append(f)
        return out


def morph_labels(text: str, artifacts) -> list[str]:
    """mecab's view of every character: ``TAG:P`` with P = B/I/E/S (place in the morpheme), and
    ``*인명`` appended for mecab's person class; "-" where no morpheme covers the character."""
    labels = ["-"] * len(text)
    if artifacts is None:
        return labels
    tags = getattr(artifacts, "tags", None)
    classes = getattr(artifacts, "classes", None)
    if tags is None:
        return labels
    for tok, s, tag, cls in zip(artifacts.tokens, artifacts.tokens_indices, tags, classes):
        t = tag.split("+", 1)[0]
        if cls == "인명":
            t += "*인명"
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
