"""One outbox sender per SQLite database: an OS file lock beside the database file.

On SQLite a starting sender takes back every message left in flight (it cannot tell a dead
process's claims from a live one's) and paces at the whole of Telegram's rate; both are right only
while it is the one sender. So a sender first takes an advisory lock (``flock``) on
``<database>.sender-lock``. The OS drops the lock when its process dies, so a crash never leaves it
held; a sender that stops deletes the file before it lets go (one that opened the old file
meanwhile sees it is gone and locks a new one). PostgreSQL needs no such lock: senders there share
the outbox through leases and ``SKIP LOCKED``; neither does an in-memory database, which one
process alone can see. A database given as a ``file:`` URI gets no lock either: keep one sender
for it yourself.
"""

from __future__ import annotations

from sqlalchemy import Engine

from digestbot.store.file_lock import FileLock, lock_path_beside

__all__ = ["LOCK_SUFFIX", "SenderLock"]

LOCK_SUFFIX = ".sender-lock"


class SenderLock(FileLock):
    """The right to send from one SQLite database's outbox (always granted elsewhere)."""

    @classmethod
    def for_engine(cls, engine: Engine | None) -> SenderLock:
        """The lock for ``engine``'s database: a file beside a SQLite file, else none."""
        return cls(lock_path_beside(engine, LOCK_SUFFIX))
