"""Presidio's lemma context enhancer, restricted to results whose recognizer has context words.

The stock enhancer deep-copies every result of every recognizer before it looks at any; with
hundreds of name/affiliation/harm results in a long draft that copy dominates the run time.
Only Presidio's KR ID and phone recognizers carry context words here, so only their results
go through it; the rest pass unchanged.
"""
from __future__ import annotations

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts

_ID = RecognizerResult.RECOGNIZER_IDENTIFIER_KEY


class ContextualOnlyEnhancer(LemmaContextAwareEnhancer):
    def enhance_using_context(self, text: str, raw_results: list[RecognizerResult], nlp_artifacts: NlpArtifacts,
                              recognizers: list[EntityRecognizer], context: list[str] | None = None) -> list[RecognizerResult]:
        with_context = {r.id for r in recognizers if r.context}
        contextual, plain = [], []
        for result in raw_results:
            meta = result.recognition_metadata or {}
            (contextual if meta.get(_ID) in with_context else plain).append(result)
        if not contextual:
            return plain
        return plain + super().enhance_using_context(text, contextual, nlp_artifacts, recognizers, context)
