"""What handlers and jobs need, built once at start; they reach it as ``context.deps``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy.orm import Session, sessionmaker

from digestbot.config import Settings
from digestbot.store.db import in_transaction
from digestbot.store.health import DatabaseHealth, is_outage

__all__ = ["BotDeps", "run_db", "run_db_work"]

T = TypeVar("T")


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class BotDeps:
    """Settings, the store and the clock (replaceable in tests) for every handler and job."""

    settings: Settings
    sessions: sessionmaker[Session]
    clock: Callable[[], datetime] = field(default=_utc_now)
    health: DatabaseHealth = field(default_factory=DatabaseHealth)

    def is_admin(self, user_id: int | None) -> bool:
        """Whether ``user_id`` is one of the configured administrators."""
        return user_id is not None and user_id in self.settings.telegram.admin_ids


async def run_db(deps: BotDeps, work: Callable[[Session], T]) -> T:
    """Run ``work`` in one transaction on a worker thread, so the event loop never blocks on I/O.

    ``work`` must return plain values (dataclasses), not ORM objects: the session closes after it.
    """

    return await run_db_work(deps, lambda: in_transaction(deps.sessions, work))


async def run_db_work(deps: BotDeps, work: Callable[[], Awaitable[T]]) -> T:
    """Await ``work`` (database work that runs its own transactions), recording in ``deps.health``
    whether the database answered."""
    try:
        result = await work()
    except Exception as exc:
        if is_outage(exc):
            deps.health.failed(exc, "a handler")
        raise
    deps.health.answered()
    return result
