"""Whether a bot process is ready: pure rules over facts gathered elsewhere (the bot's runtime,
the database, the Bot API calls), so each rule is a function of its inputs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["STALLED_AFTER", "TICK_LATE_AFTER", "Check", "Facts", "evaluate", "readiness_body"]

STALLED_AFTER = 300.0  # seconds a due message may wait before the sender counts as stalled
TICK_LATE_AFTER = 180.0  # seconds since the last tick before planning counts as stopped


@dataclass(frozen=True, slots=True)
class Facts:
    """What the checks look at, gathered at one moment (``now``, Unix time)."""

    now: float
    database_error: str | None  # None: a query just succeeded
    runtime_started: bool
    sender: (
        str  # "starting", "sending", "waiting" (another process holds the SQLite outbox), "stopped"
    )
    oldest_due_age: float | None  # seconds the oldest due message has waited; None: none due
    last_tick: float | None  # when a tick last finished (Unix time)
    api_answered: bool  # the last Bot API call that finished was answered
    api_detail: str = ""


@dataclass(frozen=True, slots=True)
class Check:
    """One check's verdict."""

    ok: bool
    detail: str

    def to_json(self) -> dict[str, Any]:
        """As ``/readyz`` shows it."""
        return {"ok": self.ok, "detail": self.detail}


def evaluate(facts: Facts) -> dict[str, Check]:
    """Every check, by name."""
    return {
        "database": _database(facts),
        "runtime": Check(facts.runtime_started, "started" if facts.runtime_started else "starting"),
        "sender": _sender(facts),
        "tick": _tick(facts),
        "bot_api": _bot_api(facts),
    }


def readiness_body(checks: dict[str, Check]) -> tuple[bool, dict[str, Any]]:
    """Ready when every check is; the JSON body ``/readyz`` answers with."""
    ready = all(check.ok for check in checks.values())
    return ready, {"ready": ready, "checks": {n: c.to_json() for n, c in checks.items()}}


def _database(facts: Facts) -> Check:
    if facts.database_error is None:
        return Check(True, "reachable")
    return Check(False, f"unreachable: {facts.database_error}")


def _sender(facts: Facts) -> Check:
    age = facts.oldest_due_age
    if facts.sender in ("stopped", "starting"):
        return Check(False, "starting" if facts.sender == "starting" else "not running")
    if age is not None and age > STALLED_AFTER:
        return Check(False, f"stalled: a due message has waited {age:.0f} s")
    if facts.sender == "waiting":
        return Check(True, "another process sends from this outbox; this one waits")
    return Check(
        True, "sending" if age is None else f"sending (the oldest due message: {age:.0f} s)"
    )


def _bot_api(facts: Facts) -> Check:
    if facts.api_answered:
        return Check(True, "the last call was answered")
    return Check(False, facts.api_detail or "no call answered yet")


def _tick(facts: Facts) -> Check:
    if facts.last_tick is None:
        return Check(False, "no tick yet")
    ago = facts.now - facts.last_tick
    if ago > TICK_LATE_AFTER:
        return Check(False, f"the last tick was {ago:.0f} s ago")
    return Check(True, f"{ago:.0f} s ago")
