"""The detection pipeline: normalise → analyse → group and score → suggest → redact."""
from __future__ import annotations

import re
from typing import Any

from presidio_analyzer import AnalyzerEngine, RecognizerResult

from ..budget import check_abandoned, incomplete_stage
from .boundaries import WordBoundaries
from .context import ContextualOnlyEnhancer
from .entities import CATEGORIES, IDENTITY, MIN_SCORE, RANK, category_of, merged_type
from .findings import Finding, finding_id, stripped, text_digest, utf16_offsets
from .language import detect_language
from .lexicon import Lexicon, load_lexicon
from .linking import ages_after_names, romanized_repeats
from .nlp import MecabNlpEngine
from .normalize import normalize
from .persons import (COMBO_WINDOW, combination_subject, drop_weak_context, group_persons,
                      keep_pointing)
from .recognizers.roster import read_roster
from .redact import Redactor, non_overlapping
from .registry import LANGUAGES, build_registry
from .risk import INCOMPLETE_REASON, assess
from .suggest import assign_labels, suggest


class UnknownFindingError(ValueError):
    """Finding ids that are not findings of the text given to ``Engine.redact``."""

    def __init__(self, ids: list[str], complete: bool = True) -> None:
        super().__init__("unknown finding ids: " + ", ".join(ids))
        self.ids = list(ids)
        #: False: the analysis ran out of time, so the ids may be findings it did not reach
        self.complete = complete


class Engine:
    def __init__(self, detection: Any = None) -> None:
        self.categories = tuple(getattr(detection, "categories", None) or CATEGORIES)
        #: the one threshold Presidio applies: the configured one, never below MIN_SCORE
        self.score_threshold = max(MIN_SCORE, float(getattr(detection, "threshold", 0.0) or 0.0))
        self.allow = frozenset(a.strip() for a in (getattr(detection, "allow", None) or ()) if a.strip())
        self.lexicon: Lexicon = load_lexicon()
        roster = read_roster(getattr(detection, "roster", None))
        self.nlp_engine = MecabNlpEngine(LANGUAGES, self.lexicon)
        self.nlp_engine.load()
        self.registry = build_registry(self.lexicon, roster)
        self.analyzer = AnalyzerEngine(
            registry=self.registry, nlp_engine=self.nlp_engine, supported_languages=list(LANGUAGES),
            context_aware_enhancer=ContextualOnlyEnhancer(context_prefix_count=5, context_suffix_count=3))
        self.redactor = Redactor()
        self.boundaries = WordBoundaries(self.lexicon)
        self.languages = list(LANGUAGES)
        self.analyze("김성호 교수 010-1234-5678", redacted_text=True)  # warm up every code path once at load

    # ---- pipeline --------------------------------------------------------------------------
    def _findings(self, text: str, language: str, allow: frozenset[str] = frozenset()) -> tuple[list[Finding], dict, str]:
        """Every step but the redaction: findings (with ids and suggestions), risk, language.
        ``allow``: the request's own terms never flagged, on top of the configured allow list."""
        lang, found = self._recognize(text, language, allow)
        check_abandoned()
        self.boundaries.extend(found, text)
        identity = _merge_neighbours(non_overlapping([f for f in found if f.category in IDENTITY]), text)
        harm = non_overlapping([f for f in found if f.category == "harm"])
        kept, persons, combo, loose = self._who_is_identified(identity, text)
        findings = sorted(kept + harm, key=lambda f: (f.start, f.end))
        risk = assess(findings, persons, combo, lang, loose_details=loose, incomplete=incomplete_stage() is not None)
        assign_labels(persons, text)
        suggest(findings, persons, text, lang)
        digest = text_digest(text)
        for f in findings:
            f.id = finding_id(digest, f)
        return findings, risk, lang

    def _recognize(self, text: str, language: str, allow: frozenset[str] = frozenset()) -> tuple[str, list[Finding]]:
        """Normalise, run Presidio with our NLP engine, map results back to the original text.

        Presidio is asked for the configured categories' entity types only, with one score
        threshold, and drops allowed terms itself: a result whose text is, exactly, one of the
        terms (configured or the request's). It compares the normalised text, so a term is
        allowed however the draft spells it (with an invisible character, in full-width letters,
        decomposed), as the recognizers read it."""
        norm = normalize(text)
        lang = detect_language(norm.text) if language in ("auto", "", None) else language
        if lang not in LANGUAGES:
            lang = "ko"
        artifacts = self.nlp_engine.process_text(norm.text, lang, joins=norm.joins)
        check_abandoned()
        # every category: every entity type (None to Presidio), without listing them on each call
        entities = None if set(self.categories) == set(CATEGORIES) else [
            e for e in self.analyzer.get_supported_entities(lang) if category_of(e) in self.categories]
        allow_list = sorted({normalize(term).text for term in self.allow | allow} - {""})
        raw: list[RecognizerResult] = self.analyzer.analyze(
            norm.text, language=lang, entities=entities, score_threshold=self.score_threshold,
            allow_list=allow_list, allow_list_match="exact", nlp_artifacts=artifacts)
        found: list[Finding] = []
        for r in raw:
            start, end = stripped(text, *norm.to_original(r.start, r.end))
            if end > start:
                found.append(Finding(r.entity_type, category_of(r.entity_type), start, end, round(float(r.score), 2),
                                     text[start:end]))
        return lang, found + romanized_repeats(text, found)

    def _who_is_identified(self, identity: list[Finding], text: str) -> tuple[list[Finding], list, list[Finding], bool]:
        """Group names into persons; keep workplaces and details only where they point at someone
        (a name, or — with no name — an identifying combination). Returns the kept identity
        findings, the persons, the combination (if any) and whether loose details were seen."""
        names = [f for f in identity if f.category == "name"]
        persons = group_persons(names, self.lexicon.surnames)
        raw_context = [f for f in identity if f.category in ("affiliation", "detail")]
        context = drop_weak_context(raw_context, names, self.lexicon, text)
        combo = [] if names else combination_subject(raw_context, self.lexicon.unique_roles | self.lexicon.clinic_roles)
        if names:
            pointing = keep_pointing(context, names)
        else:
            pointing = _unique(combo + keep_pointing(context, combo, COMBO_WINDOW))
        kept = [f for f in identity if f.category in ("name", "contact", "id")] + pointing
        taken = [(f.start, f.end) for f in identity]
        kept += [a for a in ages_after_names(text, names, self.lexicon) if not any(s < a.end and a.start < e for s, e in taken)]
        return kept, persons, combo, any(f.category == "detail" for f in raw_context)

    def analyze(self, text: str, language: str = "auto", allow: frozenset[str] = frozenset(),
                redacted_text: bool = False) -> dict:
        """Findings, risk and language of ``text``; with ``redacted_text``, also the text with every
        finding replaced by its suggestion (what ``redact`` gives without ``accept``).

        Each finding carries its ``rank`` (``entities.RANK``): with its length and score, what
        ``redact.non_overlapping`` orders by, so a client applies accepted findings by the same rule."""
        findings, risk, lang = self._findings(text, language, allow)
        utf16 = utf16_offsets(text)
        out = []
        for f in findings:
            item = {"id": f.id, "category": f.category, "entity_type": f.entity_type, "start": f.start, "end": f.end,
                    "start_utf16": utf16[f.start], "end_utf16": utf16[f.end], "text": f.text, "score": f.score,
                    "rank": RANK[f.category], "reason": f.reason, "suggestion": f.suggestion}
            if f.person:
                item["person"] = f.person
            out.append(item)
        result = {"findings": out, "risk": risk, "language": lang, "complete": True}
        if redacted_text:
            result["redacted_text"] = self.redactor.apply(text, findings)[0]
        stage = incomplete_stage()
        if stage is not None:
            result.update(complete=False, incomplete={"stage": stage, "reason": dict(INCOMPLETE_REASON)})
        return result

    def redact(self, text: str, accept: list[str] | None = None, replacements: dict[str, str] | None = None,
               allow: frozenset[str] = frozenset(), language: str = "auto") -> dict:
        """``text`` with the accepted findings (all without ``accept``) replaced. The text is analysed
        again in ``language`` (the one the ids came from: the ids of an ``en`` analysis are found again)."""
        findings, _, _ = self._findings(text, language, allow)
        by_id = {f.id: f for f in findings}
        asked = list(accept) if accept is not None else list(by_id)
        unknown = [i for i in list(asked) + list(replacements or {}) if i not in by_id]
        complete = incomplete_stage() is None
        if unknown:
            raise UnknownFindingError(sorted(set(unknown)), complete)
        redacted, applied = self.redactor.apply(text, [by_id[i] for i in asked], replacements)
        return {"redacted_text": redacted, "applied": applied, "complete": complete}


def _unique(findings: list[Finding]) -> list[Finding]:
    return list({id(f): f for f in findings}.values())


_GAP = re.compile(r"\s{1,2}")


def _merge_neighbours(findings: list[Finding], text: str) -> list[Finding]:
    """세브란스 + 흉부외과 → one affiliation finding "세브란스 흉부외과" (one suggestion for the place)."""
    out: list[Finding] = []
    for f in findings:
        prev = out[-1] if out else None
        if (prev is not None and prev.category == f.category and f.category in ("affiliation", "detail")
                and _GAP.fullmatch(text[prev.end:f.start] or " ") and f.start - prev.end <= 2):
            entity = merged_type(prev.entity_type, f.entity_type)
            out[-1] = Finding(entity, f.category, prev.start, f.end, max(prev.score, f.score), text[prev.start:f.end],
                              extra={"parts": prev.extra.get("parts", 1) + f.extra.get("parts", 1)})
        else:
            out.append(f)
    return out


def build_engine(detection: Any = None) -> Engine:
    """Build the engine once (loads mecab, compiles every recognizer); slow-ish, call at start-up."""
    return Engine(detection)
