"""In-memory usage counters: request counts, analysis latency, redaction feedback.

Nothing here ever holds draft text; only entity types, actions, paths and timings. The
latency window is bounded so a long-running companion does not grow.
"""

from __future__ import annotations

import threading
from collections import Counter, deque

FEEDBACK_ACTIONS = ("accepted", "edited", "dismissed")
_MAX_ENTITY_TYPES = 256


def percentile(sorted_values: list[float], q: float) -> float:
    """Linear-interpolated percentile of already sorted values (0 when empty)."""
    if not sorted_values:
        return 0.0
    pos = (len(sorted_values) - 1) * q
    low = int(pos)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (pos - low)


class Stats:
    def __init__(self, window: int = 2048) -> None:
        self._lock = threading.Lock()
        self._requests: Counter[str] = Counter()
        self._statuses: Counter[int] = Counter()
        self._latency: deque[float] = deque(maxlen=window)
        self._feedback: dict[str, Counter[str]] = {}

    def record_request(self, endpoint: str, status: int) -> None:
        with self._lock:
            self._requests[endpoint] += 1
            self._statuses[status] += 1

    def record_analysis(self, elapsed_ms: float) -> None:
        with self._lock:
            self._latency.append(elapsed_ms)

    def record_feedback(self, decisions: list[tuple[str, str]]) -> bool:
        """Count decisions (entity type, action), all or none: False when a new entity type would
        overflow the table."""
        with self._lock:
            new = {t for t, _ in decisions if t not in self._feedback}
            if len(self._feedback) + len(new) > _MAX_ENTITY_TYPES:
                return False
            for entity_type, action in decisions:
                self._feedback.setdefault(entity_type, Counter())[action] += 1
            return True

    def snapshot(self) -> dict:
        with self._lock:
            latencies = sorted(self._latency)
            return {
                "requests": dict(self._requests),
                "statuses": {str(k): v for k, v in sorted(self._statuses.items())},
                "analyze_latency_ms": {
                    "count": len(latencies),
                    "p50": round(percentile(latencies, 0.50), 2),
                    "p95": round(percentile(latencies, 0.95), 2),
                    "p99": round(percentile(latencies, 0.99), 2),
                },
                "feedback": {
                    etype: {a: counts.get(a, 0) for a in FEEDBACK_ACTIONS}
                    for etype, counts in sorted(self._feedback.items())
                },
            }
