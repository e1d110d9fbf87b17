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

import contextlib
import os
from pathlib import Path
from typing import IO

from sqlalchemy import Engine

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock; one sender is the operator's care
    fcntl = None  # type: ignore[assignment]

__all__ = ["LOCK_SUFFIX", "SenderLock"]

LOCK_SUFFIX = ".sender-lock"


class SenderLock:
    """The right to send from one SQLite database's outbox (always granted elsewhere)."""

    def __init__(self, path: Path | None) -> None:
        """``path``: the lock file, or None where no lock is needed."""
        self.path = path
        self._file: IO[bytes] | None = None

    @classmethod
    def for_engine(cls, engine: Engine | None) -> SenderLock:
        """The lock for ``engine``'s database: a file beside a SQLite file, else none."""
        if engine is None or engine.dialect.name != "sqlite":
            return cls(None)
        database = engine.url.database or ""
        if database in ("", ":memory:") or database.startswith("file:"):
            return cls(None)
        path = Path(database).expanduser().resolve()
        return cls(path.with_name(path.name + LOCK_SUFFIX))

    @property
    def held(self) -> bool:
        """Whether this process may send (it holds the lock, or none is needed)."""
        return self.path is None or fcntl is None or self._file is not None

    def acquire(self) -> bool:
        """Take the lock without waiting; False while another process holds it."""
        if self.held:
            return True
        assert self.path is not None
        assert fcntl is not None
        while True:
            lock_file = self.path.open("ab")
            try:
                fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock_file.close()
                return False
            except BaseException:
                lock_file.close()
                raise
            if self._still_at_path(lock_file):
                break
            lock_file.close()  # its holder deleted it as we opened it: lock the new file
        lock_file.truncate(0)
        lock_file.write(f"{os.getpid()}\n".encode())  # for an operator wondering who holds it
        lock_file.flush()
        self._file = lock_file
        return True

    def _still_at_path(self, lock_file: IO[bytes]) -> bool:
        """Whether ``lock_file`` is still the file at :attr:`path` (not deleted meanwhile)."""
        assert self.path is not None
        try:
            at_path = self.path.stat()
        except FileNotFoundError:
            return False
        mine = os.fstat(lock_file.fileno())
        return (at_path.st_dev, at_path.st_ino) == (mine.st_dev, mine.st_ino)

    def release(self) -> None:
        """Give the lock up: delete the file, then close it (which drops the lock); harmless
        when not held."""
        if self._file is not None:
            if self.path is not None:
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()
            self._file.close()
            self._file = None
