"""Claims on PostgreSQL: a dead sender's messages come back after a few seconds, a live one keeps
its own however long it takes, and an owner whose lock session ended stops sending under that id."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from digestbot.delivery.claims import FRESH_SECONDS, GRACE_SECONDS, ClaimOwner, OrphanSweep
from digestbot.store import outbox
from digestbot.store.db import session_factory
from digestbot.store.models import OutboxMessage, OutboxState

pytestmark = pytest.mark.postgres
T0 = datetime(2026, 5, 25, 8, 0, tzinfo=UTC)


class Clock:
    """Seconds that pass only when the test says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def claim(sessions: sessionmaker[Session], owner: int, chats: range) -> list[int]:
    with sessions.begin() as session:
        for chat in chats:
            outbox.enqueue(session, chat, [f"for {chat}"], now=T0)
        return [row.id for row in outbox.claim_due(session, T0, len(chats), owner=owner)]


def test_a_claim_on_postgresql_tells_when_its_chat_last_had_a_message(engine: Engine) -> None:
    with session_factory(engine).begin() as session:
        outbox.enqueue(session, 1, ["a", "b"], now=T0)
        [first] = outbox.claim_due(session, T0, 10, owner=5, last_sent=True)
        assert first.last_sent_at is None
        outbox.mark_sent(session, [outbox.Sent(first.id, 9, T0 + timedelta(seconds=1))])
        [second] = outbox.claim_due(session, T0, 10, owner=5, last_sent=True)
        assert (second.text, second.last_sent_at) == ("b", T0 + timedelta(seconds=1))


def live_owners(sessions: sessionmaker[Session]) -> set[int]:
    with sessions() as session:
        return outbox.live_owners(session)


def sending(sessions: sessionmaker[Session]) -> set[int]:
    with sessions() as session:
        rows = session.query(OutboxMessage.id).filter(OutboxMessage.state == OutboxState.SENDING)
        return {row_id for (row_id,) in rows}


def test_a_dead_senders_claims_come_back_after_the_grace_and_a_live_ones_never(
    engine: Engine,
) -> None:
    sessions = session_factory(engine)
    alive, dead = ClaimOwner(engine), ClaimOwner(engine)
    mine = claim(sessions, alive.ensure(), range(1, 3))
    theirs = claim(sessions, dead.ensure(), range(3, 5))
    assert alive.id != dead.id
    dead_id = dead.id
    dead.close()  # as its process dying would: the session ends and the lock goes with it
    while dead_id in live_owners(sessions):  # the server ends the session a moment later
        time.sleep(0.01)
    clock = Clock()
    sweep = OrphanSweep(clock)

    with sessions.begin() as session:
        assert sweep.sweep(session, T0) == (0, GRACE_SECONDS)
    clock.now = GRACE_SECONDS - 0.1
    with sessions.begin() as session:
        taken, wait = sweep.sweep(session, T0)
        assert taken == 0
        assert wait == pytest.approx(0.1)
    clock.now = GRACE_SECONDS
    with sessions.begin() as session:
        assert sweep.sweep(session, T0) == (2, None)
    assert sending(sessions) == set(mine)

    clock.now = 3600.0  # a slow sender keeps its claims as long as its lock lives ...
    with sessions.begin() as session:
        assert sweep.sweep(session, T0 + timedelta(minutes=4)) == (0, None)
    with sessions.begin() as session:  # ... up to the lease, the last net
        assert sweep.sweep(session, T0 + outbox.CLAIM_LEASE + timedelta(seconds=1)) == (2, None)
    assert sending(sessions) == set()
    assert set(theirs).isdisjoint(mine)
    alive.close()


def test_an_owner_whose_lock_session_ends_stops_and_takes_a_new_id(engine: Engine) -> None:
    owner = ClaimOwner(engine)
    first = owner.ensure()
    assert owner.fresh()
    with engine.connect() as admin:
        admin.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                f" AND classid = ({outbox.OWNER_LOCK_CLASS})::oid AND objid = :owner"
                " AND objsubid = 2"
            ),
            {"owner": first},
        )
    time.sleep(FRESH_SECONDS)
    assert not owner.fresh()  # the sender asks before its next send ...
    second = owner.ensure()  # ... and hears its lock is gone: a new one, under a new id
    assert second != first
    assert owner.fresh()
    with engine.connect() as admin:
        assert second in outbox.live_owners(Session(admin))
    owner.close()


def test_claims_name_their_owner_in_the_lease(engine: Engine) -> None:
    sessions = session_factory(engine)
    claim(sessions, 4242, range(1, 2))
    with sessions() as session:
        [in_flight] = outbox.claims_in_flight(session)
    assert in_flight.owner == 4242
    assert abs(in_flight.lease - (T0 + outbox.CLAIM_LEASE)) < timedelta(seconds=1)
    with pytest.raises(ValueError, match="owner id"):
        outbox.lease_until(T0, outbox.MAX_OWNER + 1)
