"""The sender against the emulator over HTTP: order, message ids, states."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from digestbot.config import DeliverySettings
from digestbot.delivery import OutboxSender, SenderError, standalone_bot
from digestbot.delivery.pacing import ChatPace
from digestbot.delivery.transport import OutboxBot
from digestbot.sandbox.emulator import Emulator
from digestbot.store import outbox
from digestbot.store.db import create_engine_for, session_factory
from digestbot.store.models import OutboxMessage, OutboxState
from tests.support.outbox import add_readers, bot_texts, now, states


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


async def test_paid_broadcasts_are_flagged_and_buttons_kept(
    emulator: Emulator, sessions: sessionmaker[Session], plain_bot: OutboxBot
) -> None:
    add_readers(emulator, sessions, range(1, 2))
    markup = {"inline_keyboard": [[{"text": "中文", "callback_data": "d:1:0:zh"}]]}
    with sessions.begin() as session:
        outbox.enqueue(session, 1, ["with a button"], now=now(), reply_markups=[markup])
    delivery = DeliverySettings(rate_per_second=1000, paid_broadcast=True)
    sender = OutboxSender(plain_bot, sessions, delivery)
    assert sender.rate == 1000
    report = await sender.drain()
    sender.close()

    assert report.sent == 1
    [message] = [m for m in emulator.driver.transcript(1) if m["from_bot"]]
    assert message["reply_markup"] == markup
    [request] = [e for e in emulator.recorder.entries() if e["method"] == "sendMessage"]
    assert request["params"]["allow_paid_broadcast"] in (True, "true")


async def test_a_rejected_token_stops_the_sender_and_hands_the_rows_back(
    emulator: Emulator, sessions: sessionmaker[Session]
) -> None:
    add_readers(emulator, sessions, range(1, 4))
    with sessions.begin() as session:
        for chat_id in range(1, 4):
            outbox.enqueue(session, chat_id, ["never sent"], now=now())
    bot = standalone_bot("999:wrong-token", emulator.base_url)  # not initialized: no getMe
    sender = OutboxSender(bot, sessions, DeliverySettings())
    with pytest.raises(SenderError, match="token"):
        await sender.drain()
    sender.close()
    await bot.shutdown()

    with sessions() as session:
        rows = session.scalars(select(OutboxMessage)).all()
    assert {(row.state, row.attempts) for row in rows} == {(OutboxState.PENDING, 0)}


CHATS = 40


@pytest.mark.postgres
async def test_two_senders_on_one_postgresql_outbox_send_each_message_once_in_order(
    emulator: Emulator, sessions: sessionmaker[Session], bot_database: str
) -> None:
    if not bot_database.startswith("postgresql"):
        pytest.skip("several senders share an outbox on PostgreSQL")
    # More chats than one claim takes (a batch of 30): the one that claims first cannot take all.
    add_readers(emulator, sessions, range(1, CHATS + 1))
    with sessions.begin() as session:
        for chat_id in range(1, CHATS + 1):
            outbox.enqueue(session, chat_id, [f"{chat_id}: {i}" for i in range(3)], now=now())
    other_engine = create_engine_for(bot_database)  # another process, as far as the rows know
    delivery = DeliverySettings(rate_per_second=30, per_chat_interval=0.05)
    async with (
        standalone_bot(emulator.token, emulator.base_url) as one,
        standalone_bot(emulator.token, emulator.base_url) as two,
    ):
        first = OutboxSender(one, sessions, delivery)
        second = OutboxSender(two, session_factory(other_engine), delivery)
        await asyncio.gather(first.recover(), second.recover())  # as each process does at start
        reports = await asyncio.gather(first.drain(), second.drain())
        first.close()
        second.close()
    other_engine.dispose()

    assert sum(r.sent for r in reports) == 3 * CHATS
    assert all(r.sent > 0 for r in reports)  # both took part
    for chat_id in range(1, CHATS + 1):
        assert bot_texts(emulator, chat_id) == [f"{chat_id}: {i}" for i in range(3)]


async def test_a_sender_told_to_stop_during_a_flood_wait_stops_at_once_and_sends_nothing(
    emulator: Emulator, sessions: sessionmaker[Session], plain_bot: OutboxBot
) -> None:
    add_readers(emulator, sessions, [1])
    with sessions.begin() as session:
        outbox.enqueue(session, 1, ["after the flood wait"], now=now())
    pace = ChatPace.for_rate(30.0, 1.0)
    loop = asyncio.get_running_loop()
    pace.rate.pause_until(loop.time() + 30.0)  # Telegram said: wait 30 s
    sender = OutboxSender(plain_bot, sessions, DeliverySettings(), pace=pace)
    stopping = asyncio.Event()
    run = asyncio.create_task(sender.run(stopping.is_set))
    await asyncio.sleep(0.5)
    stopping.set()
    await asyncio.wait_for(run, timeout=2.0)
    sender.close()
    assert bot_texts(emulator, 1) == []
    assert set(states(sessions).values()) == {OutboxState.PENDING}
