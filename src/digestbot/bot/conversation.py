"""What a chat's next update needs to know, kept in the database for every bot process.

A conversation may go on in another process (webhooks behind a load balancer) or after a restart,
so nothing of it lives in python-telegram-bot's ``chat_data``: each piece is a row of
:mod:`digestbot.store.conversation` with a lifetime of its own (:data:`LIFETIMES`).

The lookups stay quiet while the database is away: a value that cannot be read is treated as
absent and one that cannot be written is lost (the reader is asked again or told the results
expired); :func:`~digestbot.bot.deps.run_db` has already told the operator.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from digestbot.bot.deps import BotDeps, run_db
from digestbot.store.conversation import (
    delete_state,
    get_state,
    keep_newest_states,
    prune_states,
    put_state,
)
from digestbot.store.health import is_outage

__all__ = [
    "KEPT_SEARCHES",
    "LIFETIMES",
    "Kept",
    "await_answer",
    "awaited_answer",
    "cache_group_admins",
    "cached_group_admins",
    "end_wait",
    "forget_expired",
    "greeting_message",
    "recall_search",
    "remember_greeting",
    "remember_search",
]

T = TypeVar("T")
KEPT_SEARCHES = 20  # search queries kept per chat; older page buttons expire


class Kept(enum.StrEnum):
    """What is kept per chat; the value is the key (or its prefix) in the store."""

    AWAITED_ANSWER = "await:"  # + user id: the SettingsAction whose typed answer is awaited
    SEARCH = "search:"  # + token: the query a page button turns the pages of
    GREETING = "greeting"  # the /start message: its language choice brings the tags
    GROUP_ADMINS = "admins"  # the group's administrators' user ids, as Telegram listed them


LIFETIMES = {
    Kept.AWAITED_ANSWER: timedelta(minutes=10),
    Kept.SEARCH: timedelta(days=1),
    Kept.GREETING: timedelta(days=1),
    Kept.GROUP_ADMINS: timedelta(minutes=1),
}


def _now() -> datetime:
    """Real time, not the bot's clock (which the sandbox moves by days): lifetimes are a
    person's minutes."""
    return datetime.now(UTC)


async def _quietly(deps: BotDeps, work: Callable[[Session], T], absent: T) -> T:
    """``work`` in a transaction; ``absent`` when the database is away."""
    try:
        return await run_db(deps, work)
    except SQLAlchemyError as exc:
        if not is_outage(exc):
            raise
        return absent


async def _get(deps: BotDeps, chat_id: int, key: str) -> Any | None:
    return await _quietly(deps, lambda s: get_state(s, chat_id, key, now=_now()), None)


async def _put(deps: BotDeps, chat_id: int, kept: Kept, key: str, value: Any) -> None:
    lifetime = LIFETIMES[kept]
    await _quietly(
        deps, lambda s: put_state(s, chat_id, key, value, now=_now(), lifetime=lifetime), None
    )


async def await_answer(deps: BotDeps, chat_id: int, user_id: int | None, what: str) -> None:
    """The user's next plain text in the chat answers ``what`` (for ten minutes)."""
    kept = Kept.AWAITED_ANSWER
    await _put(deps, chat_id, kept, f"{kept}{user_id}", what)


async def awaited_answer(deps: BotDeps, chat_id: int, user_id: int | None) -> str | None:
    """What the user's next text answers, if anything is awaited."""
    value = await _get(deps, chat_id, f"{Kept.AWAITED_ANSWER}{user_id}")
    return value if isinstance(value, str) else None


async def end_wait(deps: BotDeps, chat_id: int, user_id: int | None) -> None:
    """Nothing is awaited from the user any more."""
    key = f"{Kept.AWAITED_ANSWER}{user_id}"
    await _quietly(deps, lambda s: delete_state(s, chat_id, key), False)


async def remember_search(deps: BotDeps, chat_id: int, query: str) -> str:
    """Keep ``query`` for the chat's page buttons (the newest :data:`KEPT_SEARCHES`); its token."""
    token = secrets.token_urlsafe(6)
    kept = Kept.SEARCH
    lifetime = LIFETIMES[kept]

    def work(session: Session) -> None:
        now = _now()
        put_state(session, chat_id, f"{kept}{token}", query, now=now, lifetime=lifetime)
        keep_newest_states(session, chat_id, kept, KEPT_SEARCHES)

    await _quietly(deps, work, None)
    return token


async def recall_search(deps: BotDeps, chat_id: int, token: str) -> str | None:
    """The query behind a page button's ``token``; None when it expired or was never kept."""
    value = await _get(deps, chat_id, f"{Kept.SEARCH}{token}")
    return value if isinstance(value, str) else None


async def remember_greeting(deps: BotDeps, chat_id: int, message_id: int) -> None:
    """``message_id`` is the chat's /start greeting (its language buttons bring the tags)."""
    await _put(deps, chat_id, Kept.GREETING, Kept.GREETING, message_id)


async def greeting_message(deps: BotDeps, chat_id: int) -> int | None:
    """The id of the chat's latest /start greeting, if it is recent."""
    value = await _get(deps, chat_id, Kept.GREETING)
    return value if isinstance(value, int) else None


async def cache_group_admins(deps: BotDeps, chat_id: int, admins: frozenset[int]) -> None:
    """Keep the group's administrators for a minute."""
    await _put(deps, chat_id, Kept.GROUP_ADMINS, Kept.GROUP_ADMINS, sorted(admins))


async def cached_group_admins(deps: BotDeps, chat_id: int) -> frozenset[int] | None:
    """The group's administrators as listed within the last minute; None to ask Telegram."""
    value = await _get(deps, chat_id, Kept.GROUP_ADMINS)
    if not isinstance(value, list) or not all(isinstance(item, int) for item in value):
        return None
    return frozenset(value)


async def forget_expired(deps: BotDeps) -> int:
    """Delete every expired piece of conversation (the runtime's clean-up); how many went."""
    return await run_db(deps, lambda s: prune_states(s, now=_now()))
