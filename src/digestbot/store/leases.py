"""A role that one process of a database holds at a time, and that passes on when it dies.

Receiving updates by long polling is such a role: Telegram answers a second ``getUpdates`` for the
same bot with 409 Conflict, and both processes would then handle some updates twice. So a process
polls only while it holds the database's *updates lease*:

- PostgreSQL: a session-level advisory lock, keyed by the lease's name and the current schema
  (two installations in two schemas of one database do not share it), held on a connection of
  its own for as long as the role lasts. The server drops it when that connection ends, so a
  process that is killed, or cut off from the database, loses the role, and a waiting process
  takes it within one retry.
- SQLite: an OS file lock (``flock``) beside the database file, like the sender's
  (:mod:`digestbot.delivery.sender_lock`); the OS drops it when the process dies.
- An in-memory or ``file:`` URI database: always granted (one process can see it).

The calls block (a database round trip); async callers run them on a thread.
"""

from __future__ import annotations

import contextlib
import logging

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from digestbot.store.file_lock import FileLock, lock_path_beside

__all__ = ["LEASE_KEYS", "Lease"]

_log = logging.getLogger(__name__)

# The first half of each lease's advisory lock key (the second is the schema's hash). Distinct
# from the tick's lock key, which is a single bigint in a lock space of its own.
LEASE_KEYS = {"updates": 0x64676275}  # "dgbu"


class Lease:
    """One named role per database: :meth:`acquire`, check it with :meth:`held`, :meth:`release`."""

    def __init__(self, engine: Engine, name: str) -> None:
        if name not in LEASE_KEYS:
            raise ValueError(f"unknown lease {name!r}")
        self._engine = engine
        self._name = name
        self._connection: Connection | None = None
        self._file = FileLock(lock_path_beside(engine, f".{name}-lock"))  # SQLite

    @property
    def name(self) -> str:
        """The role, such as ``updates``."""
        return self._name

    def acquire(self) -> bool:
        """Take the role without waiting; False while another process holds it (or the
        database cannot be asked)."""
        return self.renew() is True

    def renew(self) -> bool | None:
        """Keep the role, or take it again when its lock was lost (say, the database restarted):
        True when held, False when another process holds it, None when the database cannot be
        asked just now (whoever polls then had better go on: nobody can take over meanwhile
        through this database either)."""
        if self.held():
            return True
        if self._engine.dialect.name == "postgresql":
            return self._acquire_advisory()
        return self._file.acquire()

    def held(self) -> bool:
        """Whether this process still holds the role. On PostgreSQL this asks the server over
        the lock's own connection: a broken connection means the lock is gone."""
        if self._engine.dialect.name != "postgresql":
            return self._file.held
        if self._connection is None:
            return False
        try:
            self._connection.exec_driver_sql("SELECT 1")
        except SQLAlchemyError:
            self._drop_connection()
            return False
        return True

    def release(self) -> None:
        """Give the role up (harmless when not held)."""
        self._file.release()
        if self._connection is not None:
            with contextlib.suppress(SQLAlchemyError):
                self._connection.execute(select(func.pg_advisory_unlock(*self._key())))
            self._drop_connection()

    def _key(self) -> tuple[object, object]:
        return LEASE_KEYS[self._name], func.hashtext(func.current_schema())

    def _acquire_advisory(self) -> bool | None:
        try:
            connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except SQLAlchemyError as exc:
            _log.debug("lease %s: cannot connect: %s", self._name, exc)
            return None
        try:
            got = bool(connection.scalar(select(func.pg_try_advisory_lock(*self._key()))))
        except SQLAlchemyError as exc:
            _log.debug("lease %s: cannot ask: %s", self._name, exc)
            connection.invalidate()
            return None
        if not got:
            connection.close()
            return False
        self._connection = connection
        return True

    def _drop_connection(self) -> None:
        """Close the lock's connection for good: invalidated, so the pool never hands out a
        connection that might still hold the lock."""
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(SQLAlchemyError):
                connection.invalidate()
                connection.close()
