"""The outbox's data functions on SQLite and PostgreSQL: claiming, marking, recovering, counting."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import Engine, case, insert, select, update
from sqlalchemy.orm import Session

from digestbot.model import Lang
from digestbot.store import outbox
from digestbot.store.db import session_factory
from digestbot.store.models import OutboxMessage, OutboxState, Subscriber, SubscriberState
from digestbot.store.outbox import CLAIM_LEASE, Sent

T0 = datetime(2026, 5, 25, 8, 0, tzinfo=UTC)


def texts(rows: list[outbox.OutboxRow]) -> list[str]:
    return [row.text for row in rows]


def state_of(session: Session, row_id: int) -> OutboxState:
    return session.get_one(OutboxMessage, row_id, populate_existing=True).state


def test_only_the_head_of_each_chat_queue_is_claimed_in_order(session: Session) -> None:
    outbox.enqueue(session, 1, ["1a", "1b"], now=T0)
    outbox.enqueue(session, 2, ["2a"], now=T0 + timedelta(seconds=1))
    outbox.enqueue(session, 1, ["1c"], now=T0 - timedelta(seconds=5))  # older: goes first

    first = outbox.claim_due(session, T0 + timedelta(minutes=1), 10)
    assert texts(first) == ["2a", "1c"]
    assert outbox.claim_due(session, T0 + timedelta(minutes=1), 10) == []  # heads are in flight

    outbox.mark_sent(session, [Sent(r.id, 100 + r.id, T0) for r in first])
    assert texts(outbox.claim_due(session, T0 + timedelta(minutes=1), 10)) == ["1a"]


def test_a_claim_can_tell_when_its_chat_last_had_a_message(session: Session) -> None:
    outbox.enqueue(session, 1, ["1a", "1b"], now=T0)
    outbox.enqueue(session, 2, ["2a"], now=T0)
    first = outbox.claim_due(session, T0, 10, last_sent=True)
    assert [(r.text, r.last_sent_at) for r in first] == [("1a", None), ("2a", None)]
    outbox.mark_sent(session, [Sent(first[0].id, 7, T0 + timedelta(seconds=2))])
    [second] = outbox.claim_due(session, T0, 10, last_sent=True)
    assert (second.text, second.last_sent_at) == ("1b", T0 + timedelta(seconds=2))


def test_nothing_is_claimed_before_it_is_due_and_the_limit_holds(session: Session) -> None:
    for chat_id in range(1, 6):
        outbox.enqueue(session, chat_id, ["x"], now=T0)
    assert outbox.claim_due(session, T0 - timedelta(seconds=1), 10) == []
    assert len(outbox.claim_due(session, T0, 3)) == 3
    assert len(outbox.claim_due(session, T0, 3)) == 2


def test_a_retry_waits_and_holds_back_the_rest_of_its_chat(session: Session) -> None:
    first, second = outbox.enqueue(session, 1, ["a", "b"], now=T0)
    [claimed] = outbox.claim_due(session, T0, 10)
    later = T0 + timedelta(seconds=30)
    outbox.mark_retry(session, claimed.id, at=later, error="NetworkError: Bad Gateway")

    assert outbox.claim_due(session, T0 + timedelta(seconds=10), 10) == []
    assert outbox.next_due_at(session) == later
    [again] = outbox.claim_due(session, later, 10)
    assert (again.id, again.attempts) == (first, 1)
    outbox.mark_failed(session, again.id, "gave up")
    assert [r.id for r in outbox.claim_due(session, later, 10)] == [second]
    row = session.get_one(OutboxMessage, first, populate_existing=True)
    assert (row.state, row.attempts, row.last_error) == (OutboxState.FAILED, 2, "gave up")


def test_a_429_retry_does_not_count_as_an_attempt(session: Session) -> None:
    outbox.enqueue(session, 1, ["a"], now=T0)
    [claimed] = outbox.claim_due(session, T0, 10)
    outbox.mark_retry(session, claimed.id, at=T0, error="flood", count_attempt=False)
    [again] = outbox.claim_due(session, T0, 10)
    assert again.attempts == 0


def test_recovery_after_a_crash_returns_sending_rows_to_pending(session: Session) -> None:
    outbox.enqueue(session, 1, ["a"], now=T0)
    outbox.enqueue(session, 2, ["b"], now=T0)
    [one] = outbox.claim_due(session, T0, 1)
    [two] = outbox.claim_due(session, T0 + CLAIM_LEASE, 1)  # claimed a lease later

    # Only the lease that has run out comes back when other processes may be alive.
    assert outbox.recover_sending(session, T0 + CLAIM_LEASE, stale_only=True) == 1
    assert state_of(session, one.id) is OutboxState.PENDING
    assert state_of(session, two.id) is OutboxState.SENDING
    assert outbox.recover_sending(session, T0 + CLAIM_LEASE) == 1
    assert state_of(session, two.id) is OutboxState.PENDING


def test_release_hands_back_only_rows_still_in_flight(session: Session) -> None:
    outbox.enqueue(session, 1, ["a"], now=T0)
    outbox.enqueue(session, 2, ["b"], now=T0)
    one, two = outbox.claim_due(session, T0, 10)
    outbox.mark_sent(session, [Sent(one.id, 7, T0)])
    outbox.release(session, [one.id, two.id], T0)
    assert state_of(session, one.id) is OutboxState.SENT
    assert state_of(session, two.id) is OutboxState.PENDING


def add_subscriber(session: Session, chat_id: int) -> None:
    session.execute(
        insert(Subscriber).values(
            chat_id=chat_id, language=Lang.EN, timezone="UTC", digest_time=time(8, 0)
        )
    )


def test_blocking_drops_the_chats_open_messages_and_keeps_what_was_sent(session: Session) -> None:
    add_subscriber(session, 1)
    sent, *rest = outbox.enqueue(session, 1, ["a", "b", "c"], now=T0)
    other = outbox.enqueue(session, 2, ["d"], now=T0)
    outbox.claim_due(session, T0, 10)
    outbox.mark_sent(session, [Sent(sent, 1, T0)])
    outbox.claim_due(session, T0, 10)  # "b" is in flight when the 403 comes

    assert outbox.block_chat(session, 1, "Forbidden: bot was blocked by the user") == 2
    assert session.get_one(Subscriber, 1, populate_existing=True).state is SubscriberState.BLOCKED
    assert state_of(session, sent) is OutboxState.SENT
    assert {state_of(session, row_id) for row_id in rest} == {OutboxState.DROPPED}
    assert state_of(session, other[0]) is OutboxState.SENDING


def test_delivery_counts(session: Session) -> None:
    add_subscriber(session, 1)
    add_subscriber(session, 2)
    yesterday, today, failed = outbox.enqueue(session, 1, ["a", "b", "c"], now=T0)
    outbox.enqueue(session, 2, ["d", "e"], now=T0)
    outbox.mark_sent(
        session,
        [Sent(yesterday, 1, T0 - timedelta(days=1)), Sent(today, 2, T0 - timedelta(hours=7))],
    )
    outbox.mark_failed(session, failed, "Bad Request: chat not found")
    outbox.block_chat(session, 2, "blocked")
    outbox.enqueue(session, 3, ["f"], now=T0)

    counts = outbox.delivery_counts(session, T0)
    assert counts == outbox.DeliveryCounts(sent_today=1, pending=1, failed=1, blocked=1)
    assert outbox.count_open(session) == 1


@pytest.mark.postgres
def test_two_senders_claim_disjoint_rows_with_skip_locked(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SKIP LOCKED is PostgreSQL's")
    sessions = session_factory(engine)
    with sessions.begin() as session:
        for chat_id in range(1, 11):
            outbox.enqueue(session, chat_id, ["x", "y"], now=T0)
    with sessions.begin() as first, sessions.begin() as second:
        mine = outbox.claim_due(first, T0, 6)  # not committed yet: the rows stay locked
        theirs = outbox.claim_due(second, T0, 10)
    assert len(mine) == 6
    assert len(theirs) == 4
    assert not {r.id for r in mine} & {r.id for r in theirs}
    assert {r.text for r in mine + theirs} == {"x"}  # the second of a chat waits for the first
    with sessions() as session:
        in_flight = session.scalars(
            select(OutboxMessage).where(OutboxMessage.state == OutboxState.SENDING)
        ).all()
    assert len(in_flight) == 10


def test_pruning_deletes_only_finished_messages_older_than_the_cutoff(session: Session) -> None:
    old = T0 - timedelta(days=40)
    sent, failed, dropped, pending, sending = outbox.enqueue(
        session, 1, ["sent", "failed", "dropped", "pending", "sending"], now=old
    )
    [recent] = outbox.enqueue(session, 2, ["recent"], now=T0)
    outbox.mark_sent(session, [Sent(sent, 11, old), Sent(recent, 12, T0)])
    outbox.mark_failed(session, failed, "gave up")
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_([dropped, sending]))
        .values(
            state=case(
                (OutboxMessage.id == dropped, OutboxState.DROPPED), else_=OutboxState.SENDING
            )
        )
    )
    cutoff = T0 - timedelta(days=30)

    assert outbox.prune_finished(session, cutoff, limit=2) == 2  # a batch at a time
    assert outbox.prune_finished(session, cutoff) == 1
    assert outbox.prune_finished(session, cutoff) == 0

    left = session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)).all()
    assert left == [pending, sending, recent]
