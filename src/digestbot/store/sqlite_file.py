"""A SQLite database file that stays the one the bot opened.

SQLite opens a file by name once and then works on the open file: when the file is deleted or its
folder removed, every open connection goes on reading and writing the deleted file without a
word, and all of it is gone at the next start. So each connection remembers which file it opened
(device and inode) and is checked at every checkout from the pool (one ``os.stat``); a connection
whose file is no longer at the path is dropped. Once the first connection has opened (or
created) the file, later connections open it with ``mode=rw``: a file that is gone is an outage
like a PostgreSQL server that is down (readers are asked to try again shortly, planning and
sending wait), never a new empty database made silently. It ends when a file is back at the path
(the operator restored it); restarting digestbot starts an empty database instead.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

__all__ = ["FileGone", "file_identity", "keep_to_file"]

_OPENED = "digestbot_sqlite_file"  # the connection record's info key: the identity it opened


class FileGone(sqlite3.OperationalError):
    """The database file is no longer at its path (SQLAlchemy reports it as an
    ``OperationalError``, which the bot takes as the database being away)."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"the database file {path} is gone (deleted or moved?): put it back")


def file_identity(path: Path) -> tuple[int, int] | None:
    """The file at ``path`` as (device, inode); None when there is none."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    return status.st_dev, status.st_ino


def keep_to_file(engine: Engine, path: Path) -> None:
    """Make ``engine`` (SQLite on ``path``) keep to the file it opened: later connections never
    create the file, and a connection whose file is no longer at ``path`` is not used."""
    path = path.expanduser().resolve()
    read_write = f"file:{quote(str(path))}?mode=rw"
    opened_once = False

    def connect(
        _dialect: Any, _record: ConnectionPoolEntry, cargs: list[Any], cparams: dict[str, Any]
    ) -> None:
        if not opened_once:
            return  # the first connection may create the file (a first start)
        if file_identity(path) is None:
            raise FileGone(path)
        cargs[:] = [read_write]
        cparams["uri"] = True

    def opened(_connection: sqlite3.Connection, record: ConnectionPoolEntry) -> None:
        nonlocal opened_once
        identity = file_identity(path)
        if identity is None:  # deleted between opening and here
            raise FileGone(path)
        record.info[_OPENED] = identity
        opened_once = True

    def checkout(
        _connection: sqlite3.Connection, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
    ) -> None:
        if file_identity(path) != record.info.get(_OPENED):
            # The pool drops this connection and opens another (which fails while the file is gone).
            raise DisconnectionError(
                f"the database file {path} is not the one this connection opened"
            )

    event.listen(engine, "do_connect", connect)
    event.listen(engine, "connect", opened)
    event.listen(engine, "checkout", checkout)
