"""An OS file lock (``flock``) that one process holds at a time and loses when it dies.

The file is deleted when the lock is given up; a process that opened the old file meanwhile sees
it is gone and locks a new one. The file holds the holder's pid, for an operator wondering who.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import IO

from sqlalchemy import Engine

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock; one process is the operator's care
    fcntl = None  # type: ignore[assignment]

__all__ = ["FileLock", "lock_path_beside"]


def lock_path_beside(engine: Engine | None, suffix: str) -> Path | None:
    """``<database file><suffix>`` for a SQLite file database; None for any other database
    (PostgreSQL has locks of its own; an in-memory or ``file:`` URI database is one process's)."""
    if engine is None or engine.dialect.name != "sqlite":
        return None
    database = engine.url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    path = Path(database).expanduser().resolve()
    return path.with_name(path.name + suffix)


class FileLock:
    """An OS file lock that one process holds at a time (``path`` None: always granted)."""

    def __init__(self, path: Path | None) -> None:
        """``path``: the lock file, or None where no lock is needed."""
        self.path = path
        self._file: IO[bytes] | None = None

    @property
    def held(self) -> bool:
        """Whether this process holds the lock (or none is needed)."""
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
