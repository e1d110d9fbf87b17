"""What the Bot API calls say about the link to Telegram: metrics per call, and whether the last
call was answered (for readiness)."""

from __future__ import annotations

import time
from collections.abc import Callable

from digestbot.monitoring.metrics import Client, Metrics
from digestbot.monitoring.observe import RequestObserver

__all__ = ["ApiWatch"]

TOO_MANY_REQUESTS = 429


class ApiWatch:
    """Fed by both HTTP clients (:meth:`observer`); remembers the last answer and the last call
    that got none."""

    def __init__(self, metrics: Metrics, wall: Callable[[], float] = time.time) -> None:
        self.metrics = metrics
        self._wall = wall
        self.last_answer: float | None = None  # wall-clock time of the last answered call
        self.last_failure: float | None = None  # ... of the last call that got no answer
        self.last_error = ""

    def observer(self, client: Client) -> RequestObserver:
        """The observer for one of the bot's HTTP clients."""

        def observe(method: str, seconds: float, status: int | None) -> None:
            now = self._wall()
            if status is None:
                self.metrics.api_request_errors.labels(client.value).inc()
                self.last_failure, self.last_error = now, f"{method} got no answer"
                return
            labels = self.metrics.api_request_seconds.labels(client.value, method)
            labels.observe(seconds)
            self.last_answer = now
            self.metrics.last_api_answer.set(now)
            if status == TOO_MANY_REQUESTS:
                self.metrics.flood_waits.labels(client.value).inc()

        return observe

    @property
    def answered(self) -> bool:
        """Whether the last call that finished was answered (any HTTP status counts)."""
        if self.last_answer is None:
            return False
        return self.last_failure is None or self.last_answer >= self.last_failure
