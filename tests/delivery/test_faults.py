"""The sender under injected faults: 429 storms, blocked readers, 5xx, dropped connections, 400s."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from digestbot.config import DeliverySettings
from digestbot.delivery import OutboxSender
from digestbot.delivery.transport import OutboxBot
from digestbot.sandbox.emulator import Emulator
from digestbot.sandbox.faults import FaultKind, FaultRule
from digestbot.store import outbox
from digestbot.store.models import OutboxMessage, OutboxState, Subscriber, SubscriberState
from tests.support.outbox import add_readers, bot_texts, now, states

READERS = range(1, 13)


@pytest.fixture
def sender(plain_bot: OutboxBot, sessions: sessionmaker[Session]) -> OutboxSender:
    """A sender with quick retries (50 ms base) and three attempts."""
    delivery = DeliverySettings(per_chat_interval=0.2, max_attempts=3)
    return OutboxSender(plain_bot, sessions, delivery, backoff_base=0.05, backoff_cap=0.5)


def enqueue_one_each(sessions: sessionmaker[Session], chat_ids: range) -> None:
    with sessions.begin() as session:
        for chat_id in chat_ids:
            outbox.enqueue(session, chat_id, [f"digest for {chat_id}"], now=now())


def send_requests(emulator: Emulator, chat_id: int | None = None) -> list[dict[str, object]]:
    entries = [e for e in emulator.recorder.entries() if e["method"] == "sendMessage"]
    if chat_id is None:
        return entries
    return [e for e in entries if int(e["params"]["chat_id"]) == chat_id]


async def test_a_429_storm_delivers_everything_once_and_honours_retry_after(
    emulator: Emulator, sessions: sessionmaker[Session], sender: OutboxSender
) -> None:
    add_readers(emulator, sessions, READERS)
    enqueue_one_each(sessions, READERS)
    emulator.faults.add(
        FaultRule(FaultKind.RETRY_AFTER, method="sendMessage", count=3, retry_after=1)
    )
    started = time.monotonic()
    report = await sender.drain(linger=5)
    elapsed = time.monotonic() - started

    assert (report.sent, report.failed, report.deferred) == (12, 0, 0)
    assert report.retried == 3
    for chat_id in READERS:
        assert bot_texts(emulator, chat_id) == [f"digest for {chat_id}"]
    assert elapsed >= 1.0
    entries = send_requests(emulator)
    first_429 = next(e["time"] for e in entries if e["status"] == 429)
    after = [e["time"] for e in entries if e["time"] > first_429 + 0.1]
    assert after
    assert min(after) >= first_429 + 1.0 - 0.02  # every send paused for retry_after


async def test_a_reader_who_blocked_the_bot_is_marked_and_never_retried(
    emulator: Emulator, sessions: sessionmaker[Session], sender: OutboxSender
) -> None:
    add_readers(emulator, sessions, READERS)
    with sessions.begin() as session:
        outbox.enqueue(session, 3, ["first", "second", "third"], now=now())
    enqueue_one_each(sessions, range(1, 3))
    emulator.driver.block(3)

    report = await sender.drain(linger=5)
    again = await sender.drain(linger=5)

    assert (report.sent, report.blocked, report.failed) == (2, 1, 0)
    assert (again.sent, again.blocked) == (0, 0)
    assert len(send_requests(emulator, 3)) == 1
    with sessions() as session:
        assert session.get(Subscriber, 3).state is SubscriberState.BLOCKED  # type: ignore[union-attr]
        dropped = session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == 3)).all()
    assert {row.state for row in dropped} == {OutboxState.DROPPED}
    assert "blocked" in (dropped[0].last_error or "")


async def test_server_errors_and_dropped_connections_are_retried_until_delivered(
    emulator: Emulator, sessions: sessionmaker[Session], sender: OutboxSender
) -> None:
    add_readers(emulator, sessions, READERS)
    enqueue_one_each(sessions, READERS)
    for kind in (FaultKind.SERVER_ERROR, FaultKind.BAD_GATEWAY, FaultKind.DROP):
        emulator.faults.add(FaultRule(kind, method="sendMessage", count=2))

    report = await sender.drain(linger=5)

    assert (report.sent, report.failed, report.deferred) == (12, 0, 0)
    # Six failures; the transport itself resends a request whose kept-alive connection closed
    # before any answer (what a drop looks like), so the sender may see fewer than six.
    assert 4 <= report.retried <= 6
    for chat_id in READERS:
        assert bot_texts(emulator, chat_id) == [f"digest for {chat_id}"]
    statuses = Counter(e["status"] for e in send_requests(emulator))
    assert statuses == {200: 12, 500: 2, 502: 2, 0: 2}  # 0: the connection was dropped
    assert set(states(sessions).values()) == {OutboxState.SENT}


async def test_a_permanent_server_error_fails_after_max_attempts_with_the_reason(
    emulator: Emulator, sessions: sessionmaker[Session], sender: OutboxSender
) -> None:
    add_readers(emulator, sessions, READERS)
    enqueue_one_each(sessions, range(1, 4))
    emulator.faults.add(FaultRule(FaultKind.SERVER_ERROR, method="sendMessage", chat_id=2))

    report = await sender.drain(linger=5)

    assert (report.sent, report.failed, report.deferred) == (2, 1, 0)
    assert len(send_requests(emulator, 2)) == 3
    with sessions() as session:
        row = session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == 2)).one()
    assert row.state is OutboxState.FAILED
    assert row.attempts == 3
    assert "Internal Server Error" in (row.last_error or "")
    assert "after 3 attempts" in (row.last_error or "")


async def test_a_bad_request_fails_at_once_with_telegrams_description(
    emulator: Emulator, sessions: sessionmaker[Session], sender: OutboxSender
) -> None:
    add_readers(emulator, sessions, READERS)
    with sessions.begin() as session:
        outbox.enqueue(session, 1, ["<b>unclosed", "after it"], now=now())

    report = await sender.drain(linger=5)

    assert (report.sent, report.failed) == (1, 1)
    assert len(send_requests(emulator, 1)) == 2
    assert bot_texts(emulator, 1) == ["after it"]
    with sessions() as session:
        bad = session.scalars(select(OutboxMessage).where(OutboxMessage.seq == 0)).one()
    assert bad.state is OutboxState.FAILED
    assert "can't parse entities" in (bad.last_error or "").lower()
