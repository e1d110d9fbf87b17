"""Simulated network distance: every Bot API call waits ``latency + uniform(0, jitter)`` seconds.

Pure values; the server does the waiting (see :mod:`digestbot.sandbox.server`).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

__all__ = ["MAX_SECONDS", "NetworkDelay", "check_seconds", "seconds_problem"]

MAX_SECONDS = 30.0


def seconds_problem(value: object) -> str | None:
    """Why ``value`` is not a number of seconds in 0..MAX_SECONDS ("must be ..."), or None."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return "must be a number of seconds"
    if not 0.0 <= value <= MAX_SECONDS:
        return f"must be between 0 and {MAX_SECONDS:g} seconds, not {value:g}"
    return None


def check_seconds(name: str, value: object) -> float:
    """``value`` as seconds in 0..MAX_SECONDS; ValueError naming ``name`` otherwise."""
    problem = seconds_problem(value)
    if problem is not None or not isinstance(value, int | float):
        raise ValueError(f"{name} {problem}")
    return float(value)


@dataclass(frozen=True)
class NetworkDelay:
    """How far away the Bot API server seems: a fixed ``latency`` plus up to ``jitter`` seconds."""

    latency: float = 0.0
    jitter: float = 0.0

    def __post_init__(self) -> None:
        check_seconds("latency", self.latency)
        check_seconds("jitter", self.jitter)

    def draw(self, rng: random.Random) -> float:
        """The delay of one call; ``rng`` is drawn from only when there is jitter."""
        if self.jitter == 0.0:
            return self.latency
        return self.latency + rng.uniform(0.0, self.jitter)

    def updated(self, data: dict[str, Any]) -> NetworkDelay:
        """This delay with the ``latency``/``jitter`` given in ``data`` (control JSON) replaced.

        Raises ValueError for an unknown key or a value that is not 0..MAX_SECONDS seconds.
        """
        unknown = sorted(set(data) - {"latency", "jitter"})
        if unknown:
            raise ValueError(f"unknown field {unknown[0]!r}: expected latency and jitter")
        return NetworkDelay(
            check_seconds("latency", data.get("latency", self.latency)),
            check_seconds("jitter", data.get("jitter", self.jitter)),
        )

    def to_json(self) -> dict[str, float]:
        """``{latency, jitter}`` as the ``/sandbox/latency`` API shows it."""
        return {"latency": self.latency, "jitter": self.jitter}
