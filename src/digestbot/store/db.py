"""Opening the database: engines with the right settings, sessions, and schema migrations."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from digestbot.errors import StoreError
from digestbot.logs import redact_also
from digestbot.proxies import proxy_secrets, redact_url
from digestbot.store.search_schema import HAS_PHRASES, PHRASE_SCORE, has_phrases, phrase_score
from digestbot.store.sqlite_file import keep_to_file

__all__ = [
    "conflict_insert",
    "create_engine_for",
    "in_transaction",
    "schema_is_current",
    "session_factory",
    "upgrade_schema",
]

T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 10_000
CONNECT_TIMEOUT_S = 10


def _parse_url(url: str) -> URL:
    """``url`` parsed, its driver made psycopg for PostgreSQL; a StoreError that shows the URL
    without its password when it cannot be used."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise StoreError(
            f"not a database URL: {redact_url(url)!r} "
            "(use sqlite:///path or postgresql+psycopg://user:password@host/dbname)"
        ) from None
    if parsed.password:  # as written (percent-encoded, say) and decoded: never in a log line
        redact_also(str(parsed.password), *proxy_secrets(url))
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend != "sqlite":
        raise StoreError(f"unsupported database {backend!r}: use sqlite or postgresql")
    return parsed


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    dbapi_connection.create_function(HAS_PHRASES, 5, has_phrases, deterministic=True)
    dbapi_connection.create_function(PHRASE_SCORE, 5, phrase_score, deterministic=True)


def create_engine_for(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url``: SQLite (folder created, WAL, foreign keys, kept to the file it
    opened: see ``sqlite_file``) or PostgreSQL (psycopg)."""
    parsed = _parse_url(url)
    connect_args: dict[str, Any] = {}
    file: Path | None = None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            file = Path(database).expanduser().resolve()
            folder = file.parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the database folder {folder}: {exc.strerror}"
                ) from exc
    else:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_S
    try:
        engine = create_engine(parsed, echo=echo, connect_args=connect_args)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise StoreError(f"cannot use the database URL {parsed!r}: {exc}") from exc
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    if file is not None:
        keep_to_file(engine, file)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine``; objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", "digestbot.store:migrations")
    return config


def _describe(engine: Engine, exc: SQLAlchemyError) -> StoreError:
    where = engine.url.render_as_string(hide_password=True)
    reason = str(exc.orig) if isinstance(exc, DBAPIError) else str(exc)
    reason = reason.strip().splitlines()[0] if reason.strip() else type(exc).__name__
    return StoreError(f"cannot open the database {where}: {reason}")


def upgrade_schema(engine: Engine) -> None:
    """Bring the schema up to date (Alembic ``upgrade head``); creates it in an empty database."""
    config = _alembic_config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except SQLAlchemyError as exc:
        raise _describe(engine, exc) from exc


def schema_is_current(engine: Engine) -> bool:
    """Whether the database is at the newest migration."""
    heads = set(ScriptDirectory.from_config(_alembic_config()).get_heads())
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as exc:
        raise _describe(engine, exc) from exc
    return current == heads


def conflict_insert(session: Session, table: Any) -> sqlite.Insert | postgresql.Insert:
    """An INSERT into ``table`` (a model class or a Table) in the session's dialect, so the
    caller can add ``on_conflict_do_update``/``on_conflict_do_nothing`` on SQLite and PostgreSQL
    alike (both spell ``ON CONFLICT`` the same way)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


async def in_transaction(
    sessions: sessionmaker[Session],
    work: Callable[[Session], T],
    executor: Executor | None = None,
) -> T:
    """Run ``work`` in one transaction on a worker thread (``executor``'s, else the loop's
    default), so the event loop never waits on the database. ``work`` must return plain values,
    not ORM objects: the session closes after it."""

    def call() -> T:
        with sessions.begin() as session:
            return work(session)

    return await asyncio.get_running_loop().run_in_executor(executor, call)
