"""Polling for the browser suites (Chromium through the DevTools protocol, Firefox through BiDi)."""
from __future__ import annotations

import time
from typing import Any, Callable


def poll(condition: Callable[[], Any], timeout: float, message: str = "") -> Any:
    """Poll until condition() is truthy; its value, or AssertionError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(message or f"timed out waiting for {condition}")
        time.sleep(0.05)
