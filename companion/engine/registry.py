"""The Presidio registry: every recognizer, built once, for each supported language."""
from __future__ import annotations

from presidio_analyzer import RecognizerRegistry

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


def build_registry(lexicon: Lexicon, roster: list[str]) -> RecognizerRegistry:
    registry = RecognizerRegistry(supported_languages=list(LANGUAGES))
    for language in LANGUAGES:
        # in the order they run: the cheap patterns for contacts and IDs first, so that an
        # analysis that runs out of time (companion/budget.py) has still looked for them
        recognizers = [
            *contact_recognizers(language),
            *id_recognizers(language),
            roster_recognizer(roster, language),
            affiliation_recognizer(lexicon, language),
            detail_recognizer(lexicon, language),
            LearnedNameRecognizer(KoreanNameRecognizer(lexicon, supported_language=language), lexicon, language),
            english_name_recognizer(lexicon, language),
        ]
        for recognizer in recognizers:
            if recognizer is not None:
                registry.add_recognizer(recognizer)
    for recognizer in _harm_recognizers():
        registry.add_recognizer(recognizer)
    return registry


def _harm_recognizers() -> list[HarmRecognizer]:
    """The harm recognizer (its owner's module), one instance per language."""
    return [HarmRecognizer(supported_language=language) for language in LANGUAGES]
