"""Helpers for the engine tests: one real engine per test session (built once, no mocks)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from companion.config import DetectionConfig
from companion.engine import Engine, build_engine

ALL = ("name", "contact", "id", "affiliation", "detail", "harm")


def detection(categories=ALL, threshold: float = 0.0, roster: Path | None = None, allow=()) -> DetectionConfig:
    return DetectionConfig(categories=tuple(categories), threshold=threshold, roster=roster, allow=tuple(allow))


@lru_cache(maxsize=1)
def default_engine() -> Engine:
    return build_engine(detection())


def texts(result: dict, category: str | None = None) -> list[str]:
    return [f["text"] for f in result["findings"] if category is None or f["category"] == category]
