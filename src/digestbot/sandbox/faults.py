"""Injected faults: rules that make matching Bot API calls fail, slow down or drop the connection.

A rule matches by method (case-insensitive, None = any) and chat (None = any), fires with a
probability, and retires after ``count`` hits when a count is given. Apart from the rules, the
set holds the network delay that every Bot API call waits (:class:`NetworkDelay`).
"""

from __future__ import annotations

import enum
import itertools
import random
from dataclasses import dataclass, field
from typing import Any

from digestbot.sandbox.errors import ApiError, forbidden, too_many_requests
from digestbot.sandbox.latency import NetworkDelay

__all__ = ["FaultKind", "FaultRule", "FaultSet", "fault_rule_from_json"]


class FaultKind(enum.Enum):
    """What a rule does to a matching request."""

    RETRY_AFTER = "429"
    FORBIDDEN = "403"
    SERVER_ERROR = "500"
    BAD_GATEWAY = "502"
    LATENCY = "latency"
    DROP = "drop"


@dataclass
class FaultRule:
    """One fault; ``remaining`` counts down from ``count`` (None = forever)."""

    kind: FaultKind
    method: str | None = None
    chat_id: int | None = None
    count: int | None = None
    probability: float = 1.0
    retry_after: int = 5
    latency: float = 0.0
    description: str | None = None
    id: int = 0
    remaining: int | None = None

    def matches(self, method: str, chat_id: int | None) -> bool:
        """True when the rule applies to this method and chat (ignoring count and chance)."""
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or self.chat_id == chat_id

    def to_error(self) -> ApiError:
        """The Bot API error this rule answers with (only for error kinds)."""
        if self.kind is FaultKind.RETRY_AFTER:
            return too_many_requests(self.retry_after)
        if self.kind is FaultKind.FORBIDDEN:
            return forbidden(self.description or "bot was blocked by the user")
        if self.kind is FaultKind.SERVER_ERROR:
            return ApiError(500, self.description or "Internal Server Error")
        return ApiError(502, self.description or "Bad Gateway")

    def to_json(self) -> dict[str, Any]:
        """The rule as the ``/sandbox/faults`` API shows it."""
        return {
            "id": self.id,
            "kind": self.kind.value,
            "method": self.method,
            "chat_id": self.chat_id,
            "count": self.count,
            "remaining": self.remaining,
            "probability": self.probability,
            "retry_after": self.retry_after,
            "latency": self.latency,
            "description": self.description,
        }


def fault_rule_from_json(data: dict[str, Any]) -> FaultRule:
    """Build a rule from ``/sandbox/faults`` JSON; raises ValueError or KeyError on bad input."""
    count = data.get("count")
    chat_id = data.get("chat_id")
    rule = FaultRule(
        kind=FaultKind(str(data["kind"])),
        method=data.get("method"),
        chat_id=None if chat_id is None else int(chat_id),
        count=None if count is None else int(count),
        probability=float(data.get("probability", 1.0)),
        retry_after=int(data.get("retry_after", 5)),
        latency=float(data.get("latency", 0.0)),
        description=data.get("description"),
    )
    if not 0.0 <= rule.probability <= 1.0 or (rule.count is not None and rule.count < 1):
        raise ValueError("probability must be in 0..1 and count at least 1")
    return rule


@dataclass
class FaultSet:
    """The active rules and network delay; ``rng`` is injectable so tests are repeatable."""

    rng: random.Random = field(default_factory=random.Random)
    rules: list[FaultRule] = field(default_factory=list)
    delay: NetworkDelay = field(default_factory=NetworkDelay)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def add(self, rule: FaultRule) -> FaultRule:
        """Activate a rule; returns it with its id."""
        rule.id = next(self._ids)
        rule.remaining = rule.count
        self.rules.append(rule)
        return rule

    def next_delay(self) -> float:
        """Seconds the next Bot API call waits before it is handled (drawn from ``rng``)."""
        return self.delay.draw(self.rng)

    def clear(self) -> int:
        """Remove every rule; returns how many there were."""
        removed = len(self.rules)
        self.rules.clear()
        return removed

    def pick(self, method: str, chat_id: int | None) -> list[FaultRule]:
        """The rules that fire now: any latency rules, then at most one failing rule (oldest first).

        Each rule that fires counts down; a later failing rule waits for a later request.
        """
        if not self.rules:
            return []
        fired: list[FaultRule] = []
        failing = False
        for rule in list(self.rules):
            is_latency = rule.kind is FaultKind.LATENCY
            if (failing and not is_latency) or not rule.matches(method, chat_id):
                continue
            if rule.probability < 1.0 and self.rng.random() >= rule.probability:
                continue
            fired.append(rule)
            failing = failing or not is_latency
            if rule.remaining is not None:
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self.rules.remove(rule)
        return fired
