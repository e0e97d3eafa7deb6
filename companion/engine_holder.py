"""Loads the detection engine off the request path so the service answers from the start.

Until the engine is ready, ``/v1/health`` says "starting" (503) and analysis answers 503;
a failed load is reported as such rather than leaving the service half-started.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from .config import DetectionConfig
    from .engine import Engine

log = logging.getLogger("secondlook")


def default_engine_factory(detection: "DetectionConfig") -> "Engine":
    from .engine import build_engine  # heavy imports (Presidio, the analyzer) stay off start-up

    return build_engine(detection)


class EngineHolder:
    def __init__(self, detection: "DetectionConfig",
                 factory: Callable[["DetectionConfig"], "Engine"] = default_engine_factory) -> None:
        self._detection = detection
        self._factory = factory
        self._ready = threading.Event()
        self.engine: "Engine | None" = None
        self.load_ms: float | None = None
        self.error: str | None = None

    def load(self) -> None:
        """Load synchronously (used by the CLI and by the background thread)."""
        started = time.perf_counter()
        try:
            engine = self._factory(self._detection)
            # the engine's ~100,000 long-lived objects (lexicons, models, compiled patterns) out of
            # the collector's sight: a full collection during a long draft otherwise scans them all
            # (measured: ~300 ms of a 20,000-character draft with thousands of findings)
            gc.freeze()
            self.engine = engine
        except Exception as exc:  # reported through health and the log, never swallowed
            self.error = f"{type(exc).__name__}: {exc}"
            log.error("engine failed to load: %s", self.error)
            raise
        finally:
            self.load_ms = round((time.perf_counter() - started) * 1000, 1)
            self._ready.set()

    def load_in_background(self) -> threading.Thread:
        def run() -> None:
            try:
                self.load()
            except Exception:
                pass  # already recorded in self.error and logged
        thread = threading.Thread(target=run, name="secondlook-engine-loader", daemon=True)
        thread.start()
        return thread

    def wait(self, timeout: float | None = None) -> bool:
        return self._ready.wait(timeout)

    @property
    def ready(self) -> bool:
        return self.engine is not None
