"""The facts ``/readyz`` judges, gathered from one running bot: its runtime, its database and its
Bot API calls (the rules are :mod:`digestbot.monitoring.readiness`)."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy.exc import SQLAlchemyError

from digestbot.bot.context import BotApplication
from digestbot.monitoring.readiness import Check, Facts, evaluate
from digestbot.monitoring.server import Readiness
from digestbot.store.outbox import oldest_due_age

__all__ = ["DATABASE_TIMEOUT", "gather_facts", "readiness_of"]

DATABASE_TIMEOUT = 5.0  # seconds the database check may take before it counts as unreachable


def readiness_of(application: BotApplication) -> Readiness:
    """The ``/readyz`` callable for ``application``."""

    async def readiness() -> dict[str, Check]:
        return evaluate(await gather_facts(application))

    return readiness


async def gather_facts(application: BotApplication) -> Facts:
    """Ask the database (on a thread, with a timeout) and read the runtime's and calls' state."""
    data = application.bot_data
    deps, runtime, api = data.deps, data.runtime, data.api_watch

    def waited() -> float | None:
        with deps.sessions() as session:
            return oldest_due_age(session, deps.clock())

    error: str | None = None
    age: float | None = None
    try:
        age = await asyncio.wait_for(asyncio.to_thread(waited), DATABASE_TIMEOUT)
    except TimeoutError:
        error = f"no answer within {DATABASE_TIMEOUT:.0f} s"
    except SQLAlchemyError as exc:
        error = _first_line(exc)
    return Facts(
        now=time.time(),
        database_error=error,
        runtime_started=runtime.started,
        sender=runtime.sender_state,
        oldest_due_age=age,
        last_tick=runtime.last_tick,
        api_answered=api.answered,
        api_detail=api.last_error,
    )


def _first_line(exc: SQLAlchemyError) -> str:
    """A short reason: the driver's first line, without SQLAlchemy's background link."""
    original = getattr(exc, "orig", None) or exc
    text = str(original).strip().splitlines()
    return f"{type(original).__name__}: {text[0][:200] if text else ''}"
