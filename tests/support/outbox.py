"""Delivery test helpers: readers who wrote to the bot in the emulator and have subscriber rows."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from digestbot.model import Lang
from digestbot.sandbox.emulator import Emulator
from digestbot.store.models import OutboxMessage, OutboxState, Subscriber, SubscriberState

__all__ = ["add_readers", "bot_texts", "now", "states"]


def add_readers(
    emulator: Emulator, sessions: sessionmaker[Session], chat_ids: Iterable[int]
) -> None:
    """Readers who have written to the bot (so it may write back), subscribed long ago, active."""
    ids = list(chat_ids)
    for chat_id in ids:
        emulator.driver.create_user(chat_id, f"Reader {chat_id}")
        emulator.driver.send_text(chat_id, "/start")
    with sessions.begin() as session:
        session.execute(
            insert(Subscriber),
            [
                {
                    "chat_id": chat_id,
                    "language": Lang.EN,
                    "timezone": "UTC",
                    "digest_time": time(8, 0),
                    "state": SubscriberState.ACTIVE,
                    "created_at": datetime(2026, 1, 1, tzinfo=UTC),
                }
                for chat_id in ids
            ],
        )


def now() -> datetime:
    """The wall clock in UTC."""
    return datetime.now(UTC)


def bot_texts(emulator: Emulator, chat_id: int) -> list[str]:
    """The texts of the bot's messages in a chat, oldest first."""
    return [m["text"] for m in emulator.driver.transcript(chat_id) if m["from_bot"]]


def states(sessions: sessionmaker[Session]) -> dict[int, OutboxState]:
    """Every outbox row's state by id."""
    with sessions() as session:
        rows = session.execute(select(OutboxMessage.id, OutboxMessage.state))
        return {row[0]: row[1] for row in rows}
