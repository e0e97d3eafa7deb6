"""The Presidio registry: every recognizer, built once, for each supported language."""
from __future__ import annotations

from presidio_analyzer import EntityRecognizer, RecognizerRegistry

from .lexicon import Lexicon
from .recognizers.affiliation import affiliation_recognizer
from .recognizers.contact import contact_recognizers
from .recognizers.details import detail_recognizer
from .recognizers.english_names import english_name_recognizer
from .recognizers.harm import HarmRecognizer
from .recognizers.identifiers import id_recognizers
from .recognizers.korean_names import KoreanNameRecognizer
from .recognizers.learned_names import LearnedNameRecognizer
from .recognizers.roster import roster_recognizer

LANGUAGES = ("ko", "en")


class OrderedRegistry(RecognizerRegistry):
    """Presidio's registry, giving its recognizers in the order they were added also when asked
    for some entity types (Presidio collects those in a set, in no fixed order): the cheap
    patterns still run first (see ``build_registry``)."""

    def get_recognizers(self, language: str, entities: list[str] | None = None, all_fields: bool = False,
                        ad_hoc_recognizers: list[EntityRecognizer] | None = None) -> list[EntityRecognizer]:
        chosen = set(super().get_recognizers(language, entities, all_fields, ad_hoc_recognizers))
        return [r for r in [*self.recognizers, *(ad_hoc_recognizers or [])] if r in chosen]


def build_registry(lexicon: Lexicon, roster: list[str]) -> RecognizerRegistry:
    registry = OrderedRegistry(supported_languages=list(LANGUAGES))
    for language in LANGUAGES:
        # in the order they run: the cheap patterns for contacts and IDs first, so that an
        # analysis that runs out of time (companion/budget.py) has still looked for them
        recognizers = [
            *contact_recognizers(lexicon, language),
            *id_recognizers(lexicon, language),
            roster_recognizer(roster, language),
            affiliation_recognizer(lexicon, language),
            detail_recognizer(lexicon, language),
            LearnedNameRecognizer(KoreanNameRecognizer(lexicon, supported_language=language), lexicon, language),
            english_name_recognizer(lexicon, language),
        ]
        for recognizer in recognizers:
            if recognizer is not None:
                registry.add_recognizer(recognizer)
    for recognizer in _harm_recognizers(lexicon):
        registry.add_recognizer(recognizer)
    return registry


def _harm_recognizers(lexicon: Lexicon) -> list[HarmRecognizer]:
    """The harm recognizer (its owner's module), one instance per language."""
    return [HarmRecognizer(supported_language=language, lexicon=lexicon) for language in LANGUAGES]
