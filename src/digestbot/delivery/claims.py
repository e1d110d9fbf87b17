"""Who owns a message in flight on PostgreSQL, and taking back a dead sender's messages at once.

Several senders share a PostgreSQL outbox. Each holds, for as long as it lives, a session advisory
lock on its owner id (:class:`ClaimOwner`, on a connection of its own) and writes that id into every
claim (``store.outbox.lease_until``). PostgreSQL drops the lock when the session ends, so when a
process dies its claims show an owner that no session holds (``pg_locks``), and
:class:`OrphanSweep` returns them to PENDING instead of waiting out the 5-minute lease.

A live owner never loses its claims that way: its lock stays as long as its session does, however
slowly it sends. The one case where a live process's lock goes is its lock session ending under it
(the server restarted, the backend was terminated). For that, an owner starts a send only within
``FRESH_SECONDS`` of having seen its lock session answer, and a sweep takes a claim back only after
seeing its owner absent for ``GRACE_SECONDS``; so an owner that lost its lock has stopped before its
claims move. The lease stays as the last net (an owner whose session PostgreSQL still thinks alive).
SQLite needs none of this: one sender per database (``sender_lock``), owner 0.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from digestbot.store import outbox

__all__ = ["FRESH_SECONDS", "GRACE_SECONDS", "ClaimOwner", "OrphanSweep"]

FRESH_SECONDS = 1.0  # an owner starts no send later than this after its lock last answered
GRACE_SECONDS = 4.0  # an absent owner's claims move after this long (well over FRESH_SECONDS)
_log = logging.getLogger(__name__)


class ClaimOwner:
    """This process's owner id and the lock that says it is alive (PostgreSQL; elsewhere id 0).

    Used from the sender's database thread only.
    """

    def __init__(self, engine: Engine | None, *, rng: random.Random | None = None) -> None:
        self._engine = (
            engine if engine is not None and engine.dialect.name == "postgresql" else None
        )
        self._rng = rng or random.SystemRandom()
        self._connection: Connection | None = None
        self._checked_at = float("-inf")
        self.id = 0

    @property
    def shared(self) -> bool:
        """Whether claims need an owner lock (a PostgreSQL outbox, shared between processes)."""
        return self._engine is not None

    def fresh(self) -> bool:
        """Whether the lock answered within ``FRESH_SECONDS`` (always, where none is needed)."""
        return self._engine is None or time.monotonic() - self._checked_at < FRESH_SECONDS

    def ensure(self) -> int:
        """Make sure this process holds its owner lock (taking one, with a new id, if it has
        none or lost it: compare the id); returns the id. Raises the database's error if it
        cannot."""
        if self._engine is None:
            return 0
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT 1"))
            except SQLAlchemyError:
                self._lost()  # and take a new lock below: the database may be back already
            else:
                self._checked_at = time.monotonic()
                return self.id
        connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            while True:  # another process may hold the id drawn
                owner = self._rng.randint(1, outbox.MAX_OWNER)
                taken = connection.scalar(
                    text(f"SELECT pg_try_advisory_lock({outbox.OWNER_LOCK_CLASS}, :owner)"),
                    {"owner": owner},
                )
                if taken:
                    break
        except BaseException:
            connection.close()
            raise
        self._connection, self.id, self._checked_at = connection, owner, time.monotonic()
        return owner

    def _lost(self) -> None:
        _log.info(  # an outage is logged once, elsewhere
            "outbox: this sender's lock session with the database ended; its messages in flight "
            "go back to the outbox and it sends again under a new id"
        )
        self.close()

    def close(self) -> None:
        """Give the lock up (closing its session drops it); harmless when not held."""
        connection, self._connection, self.id = self._connection, None, 0
        self._checked_at = float("-inf")
        if connection is not None:
            connection.invalidate()  # never back to the pool: the lock would live on in it
            connection.close()


class OrphanSweep:
    """Takes back claims whose owner has been gone ``GRACE_SECONDS``, or whose lease ran out."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._absent_since: dict[int, float] = {}

    def sweep(self, session: Session, now: datetime) -> tuple[int, float | None]:
        """Take back what can be taken now; returns how many, and the seconds until claims of
        an owner seen absent may be taken (None: there are none)."""
        claims = outbox.claims_in_flight(session)
        live = outbox.live_owners(session) if claims else set()  # only after the claims
        seen = self._clock()
        absent = {claim.owner for claim in claims} - live
        self._absent_since = {owner: self._absent_since.get(owner, seen) for owner in absent}
        gone = [
            claim
            for claim in claims
            if claim.lease <= now
            or seen - self._absent_since.get(claim.owner, seen) >= GRACE_SECONDS
        ]
        waiting = [
            since for owner, since in self._absent_since.items() if since + GRACE_SECONDS > seen
        ]
        wait = max(0.0, min(waiting) + GRACE_SECONDS - seen) if waiting else None
        return outbox.take_back(session, gone, now), wait
