"""Helpers for the engine tests: one real engine per test session (built once, no mocks)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from companion.config import DetectionConfig
from companion.engine import Engine, build_engine

ALL = ("name", "contact", "id", "affiliation", "detail", "harm")


def detection(categories=ALL, threshold: float = 0.0, roster: Path | None = None, allow=()) -> DetectionConfig:
    return DetectionConfig(categories=tuple(categories), threshold=threshold, roster=roster, allow=tuple(allow))


@lru_cache(maxsize=4)
def engine_for(config: DetectionConfig) -> Engine:
    """One real engine per detection configuration and test session (an engine takes seconds to build)."""
    return build_engine(config)


def default_engine() -> Engine:
    return engine_for(detection())


def texts(result: dict, category: str | None = None) -> list[str]:
    return [f["text"] for f in result["findings"] if category is None or f["category"] == category]
