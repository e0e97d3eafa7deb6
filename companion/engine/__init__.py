"""SecondLook's detection engine: who does a Korean (or English) draft identify, and how risky is it.

Pipeline (one module per step): ``normalize`` → Presidio ``AnalyzerEngine`` with our Korean
``nlp`` engine and ``recognizers`` → ``persons`` (grouping, identifiability) and ``risk`` →
``suggest`` → ``redact`` (Presidio ``AnonymizerEngine`` with our operator).
"""
from .engine import Engine, UnknownFindingError, build_engine

__all__ = ["Engine", "UnknownFindingError", "build_engine"]
