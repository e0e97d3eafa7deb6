"""A time budget for one analysis: a deadline, and whether the client is still waiting.

The API opens a budget around each analysis (``companion/api.py``) (``with budget(seconds, abandoned)``); the pipeline
and the recognizers ask ``out_of_time()`` between stages and inside their long loops (per piece,
window, rule — never per character). Out of time, a recognizer stops and returns what it has
found so far, and the pipeline finishes the cheap steps (grouping, risk, suggestions) on those
findings; the result says it is incomplete (``Budget.incomplete``). When the client has gone
away (an abandoned nudge), ``check_abandoned()`` raises :class:`Abandoned` between stages so
the rest of the work is dropped. Outside a budget (the CLI, tests of the engine) nothing is
ever out of time.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable, Iterator, Optional


class Abandoned(Exception):
    """The client that asked for this analysis is no longer waiting for it."""


#: share of the budget the recognizers may use: the steps after them (grouping, risk, suggestions,
#: redaction) are linear in the findings and must still fit in the rest
RECOGNITION_SHARE = 0.7


class Budget:
    def __init__(self, seconds: float, abandoned: Optional[Callable[[], bool]] = None) -> None:
        self.deadline = time.monotonic() + seconds * RECOGNITION_SHARE
        self._abandoned = abandoned
        #: the stage that ran out of time first (None: the analysis is complete)
        self.incomplete: str | None = None
        self.gone = False

    def out_of_time(self, stage: str) -> bool:
        """Whether ``stage`` must stop now (deadline passed or client gone); remembers the first."""
        if self.incomplete is not None:
            return True
        if time.monotonic() >= self.deadline or self._client_gone():
            self.incomplete = stage
            return True
        return False

    def _client_gone(self) -> bool:
        if not self.gone and self._abandoned is not None:
            try:
                self.gone = bool(self._abandoned())
            except Exception:  # a server without the hook: assume the client waits
                self._abandoned = None
        return self.gone


_current: ContextVar[Optional[Budget]] = ContextVar("secondlook_budget", default=None)


@contextmanager
def budget(seconds: float, abandoned: Optional[Callable[[], bool]] = None) -> Iterator[Budget]:
    """Run the analysis inside this block under a budget of ``seconds``."""
    current = Budget(seconds, abandoned)
    token = _current.set(current)
    try:
        yield current
    finally:
        _current.reset(token)


def out_of_time(stage: str) -> bool:
    """Whether the current analysis must stop ``stage`` now (False outside a budget)."""
    current = _current.get()
    return current is not None and current.out_of_time(stage)


def incomplete_stage() -> str | None:
    """The stage of the current analysis that ran out of time (None: complete, or no budget)."""
    current = _current.get()
    return None if current is None else current.incomplete


def check_abandoned() -> None:
    """Raise :class:`Abandoned` when the client of the current analysis has gone away."""
    current = _current.get()
    if current is not None and (current.gone or current._client_gone()):
        raise Abandoned()
