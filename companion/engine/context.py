"""Presidio's lemma context enhancer, restricted to results whose recognizer has context words.

The stock enhancer deep-copies every result of every recognizer before it looks at any; with
hundreds of name/affiliation/harm results in a long draft that copy dominates the run time.
Only Presidio's KR ID and phone recognizers carry context words here, so only their results
go through it; the rest pass unchanged. The stock enhancer also finds each result's token by
walking the tokens from the first (quadratic in a draft full of ID numbers); here it is a
bisection over the token ends, computed once per draft.
"""
from __future__ import annotations

import threading
from bisect import bisect_right

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts

_ID = RecognizerResult.RECOGNIZER_IDENTIFIER_KEY


class ContextualOnlyEnhancer(LemmaContextAwareEnhancer):
    _ends = threading.local()  # per thread: the token list of the draft being enhanced and its token ends

    def enhance_using_context(self, text: str, raw_results: list[RecognizerResult], nlp_artifacts: NlpArtifacts,
                              recognizers: list[EntityRecognizer], context: list[str] | None = None) -> list[RecognizerResult]:
        with_context = {r.id for r in recognizers if r.context}
        contextual, plain = [], []
        for result in raw_results:
            meta = result.recognition_metadata or {}
            (contextual if meta.get(_ID) in with_context else plain).append(result)
        if not contextual:
            return plain
        try:
            return plain + super().enhance_using_context(text, contextual, nlp_artifacts, recognizers, context)
        finally:
            self._ends.__dict__.clear()  # no piece of the draft outlives its request

    def _find_index_of_match_token(self, word: str, start: int, tokens, tokens_indices: list[int]) -> int:
        """The first token that starts at ``start`` or ends after it (as Presidio's, by bisection)."""
        cache = self._ends
        if getattr(cache, "tokens", None) is not tokens:
            cache.tokens = tokens
            cache.ends = [s + len(t) for s, t in zip(tokens_indices, tokens)]
        i = bisect_right(cache.ends, start)
        if i >= len(tokens):
            raise ValueError(f"Did not find word '{word}' in the list of tokens although it is expected to be found")
        return i
