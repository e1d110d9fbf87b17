"""Whether the database is away: one log line when it goes, one when it is back.

Every part of a running bot that talks to the database (handlers, the sender, the jobs) reports
here. During an outage each of them would otherwise log a traceback per update or per retry; with
this, the operator reads one warning when the database goes away and one line when it answers
again, and whoever waits for it (the runtime's catch-up tick) is told once it is back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError

__all__ = ["DatabaseHealth", "is_outage", "schema_missing"]

_log = logging.getLogger(__name__)


def is_outage(error: BaseException | None) -> bool:
    """Whether ``error`` says the database cannot be reached or used just now (a server that
    is down or restarting, a cut connection, a SQLite file that is read-only, locked or gone, a
    database that lost its tables), as opposed to a bug in a query."""
    if isinstance(error, (OperationalError, InterfaceError, DisconnectionError)):
        return True
    if schema_missing(error):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def schema_missing(error: BaseException | None) -> bool:
    """Whether ``error`` says a table is not there (the database was dropped and created again
    empty, or pointed somewhere new): PostgreSQL's ``UndefinedTable``, SQLite's "no such table"."""
    if not isinstance(error, DBAPIError):
        return False
    original = error.orig
    return type(original).__name__ == "UndefinedTable" or "no such table" in str(original)


def _reason(error: BaseException) -> str:
    """A one-line reason without the statement or parameters (they may hold readers' data)."""
    original = error.orig if isinstance(error, DBAPIError) else error
    name = type(original).__name__
    lines = str(original).strip().splitlines()
    return f"{name}: {lines[0][:200]}" if lines else name


class DatabaseHealth:
    """The database's state as its users last saw it; :meth:`failed` and :meth:`answered`
    are cheap enough to call on every query."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._down_since: float | None = None
        self.reason = ""
        self._on_back: list[Callable[[], None]] = []

    @property
    def away(self) -> bool:
        """Whether the last word was a failure."""
        return self._down_since is not None

    def on_back(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` each time the database answers again after an outage."""
        self._on_back.append(callback)

    def failed(self, error: BaseException, where: str) -> bool:
        """Note a failure seen by ``where``; True (and one warning) when it starts an outage."""
        if self._down_since is not None:
            _log.debug("database still away (%s): %s", where, _reason(error))
            return False
        self._down_since = self._clock()
        self.reason = _reason(error)
        _log.warning(
            "database unreachable (%s, seen by %s): readers are asked to try again shortly, "
            "planning and sending wait for it; retrying",
            self.reason,
            where,
        )
        return True

    def answered(self) -> None:
        """Note a query that succeeded; ends an outage (one line, and the callbacks)."""
        if self._down_since is None:
            return
        away_for = self._clock() - self._down_since
        self._down_since = None
        _log.warning("database reachable again after %.0f s", away_for)
        for callback in self._on_back:
            callback()
