"""The sender against the emulator over HTTP: order, message ids, states."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from digestbot.config import DeliverySettings
from digestbot.delivery import OutboxSender
from digestbot.delivery.transport import OutboxBot
from digestbot.sandbox.emulator import Emulator
from digestbot.store import outbox
from digestbot.store.models import OutboxMessage, OutboxState
from tests.support.outbox import add_readers, now


async def test_drain_sends_each_chat_in_order_and_records_message_ids(
    emulator: Emulator, sessions: sessionmaker[Session], plain_bot: OutboxBot
) -> None:
    add_readers(emulator, sessions, range(1, 4))
    with sessions.begin() as session:
        for chat_id in range(1, 4):
            outbox.enqueue(
                session, chat_id, [f"<b>part {i}</b> for {chat_id}" for i in range(3)], now=now()
            )
    sender = OutboxSender(plain_bot, sessions, DeliverySettings(per_chat_interval=0.05))
    report = await sender.drain()
    sender.close()

    assert (report.sent, report.failed, report.blocked, report.deferred) == (9, 0, 0, 0)
    for chat_id in range(1, 4):
        texts = [m["text"] for m in emulator.driver.transcript(chat_id) if m["from_bot"]]
        assert texts == [f"part {i} for {chat_id}" for i in range(3)]
    with sessions() as session:
        rows = session.scalars(select(OutboxMessage)).all()
    assert {row.state for row in rows} == {OutboxState.SENT}
    assert all(row.message_id is not None and row.sent_at is not None for row in rows)
