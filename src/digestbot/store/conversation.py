"""Conversation state: small JSON values per chat and key that expire, shared by every process.

What a chat's next update needs (see :mod:`digestbot.bot.conversation` for the keys) lives here
rather than in one process's memory, so the update may land on any process or after a restart.
Data functions, one statement each: the caller owns the transaction. A value is anything
``json.dumps`` takes; it comes back as ``json.loads`` gives it (tuples as lists).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from digestbot.store.db import conflict_insert
from digestbot.store.models import ConversationState

__all__ = ["delete_state", "get_state", "keep_newest_states", "prune_states", "put_state"]

MAX_KEY_LENGTH = 64
_PLAIN = {"synchronize_session": False}  # no ORM objects of this table are held in sessions


def get_state(session: Session, chat_id: int, key: str, *, now: datetime) -> Any | None:
    """The value kept for ``chat_id`` under ``key``; None when there is none or it expired."""
    query = select(ConversationState.value).where(
        ConversationState.chat_id == chat_id,
        ConversationState.key == key,
        ConversationState.expires_at > now,
    )
    found = session.scalar(query)
    return None if found is None else json.loads(found)


def put_state(
    session: Session, chat_id: int, key: str, value: Any, *, now: datetime, lifetime: timedelta
) -> None:
    """Keep ``value`` for ``chat_id`` under ``key`` until ``now + lifetime`` (replacing any)."""
    if len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"a conversation key has at most {MAX_KEY_LENGTH} characters: {key!r}")
    row = {
        "chat_id": chat_id,
        "key": key,
        "value": json.dumps(value, separators=(",", ":")),  # ASCII: NUL, lone surrogates
        "expires_at": now + lifetime,
    }
    insert = conflict_insert(session, ConversationState).values(row)
    session.execute(
        insert.on_conflict_do_update(
            index_elements=["chat_id", "key"],
            set_={"value": insert.excluded.value, "expires_at": insert.excluded.expires_at},
        )
    )


def delete_state(session: Session, chat_id: int, key: str) -> bool:
    """Forget ``chat_id``'s value under ``key``; whether there was one."""
    result = session.execute(
        delete(ConversationState).where(
            ConversationState.chat_id == chat_id, ConversationState.key == key
        ),
        execution_options=_PLAIN,
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def keep_newest_states(session: Session, chat_id: int, prefix: str, keep: int) -> int:
    """Of ``chat_id``'s keys starting with ``prefix``, keep the ``keep`` that expire last (the
    newest, for one lifetime) and delete the rest; how many went."""
    same = (
        ConversationState.chat_id == chat_id,
        ConversationState.key.startswith(prefix, autoescape=True),
    )
    newest = (
        select(ConversationState.key)
        .where(*same)
        .order_by(ConversationState.expires_at.desc(), ConversationState.key.desc())
        .limit(keep)
    )
    result = session.execute(
        delete(ConversationState).where(*same, ConversationState.key.not_in(newest)),
        execution_options=_PLAIN,
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def prune_states(session: Session, *, now: datetime) -> int:
    """Delete every value that expired by ``now``; how many went."""
    result = session.execute(
        delete(ConversationState).where(ConversationState.expires_at <= now),
        execution_options=_PLAIN,
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
