"""A SQLite engine keeps to the file it opened: a file deleted under it is an outage, never a
new empty database made silently; a file put back is used again without a new engine."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from digestbot.store.db import create_engine_for
from digestbot.store.health import is_outage
from digestbot.store.sqlite_file import file_identity
from tests.support.databases import sqlite_copy


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "data" / "store.sqlite3"


@pytest.fixture
def engine(database: Path) -> Iterator[Engine]:
    engine = create_engine_for(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (body TEXT)"))
        connection.execute(text("INSERT INTO notes VALUES ('kept')"))
    yield engine
    engine.dispose()


def notes(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(text("SELECT body FROM notes ORDER BY rowid")).scalars())


def test_the_first_connection_creates_the_file(database: Path, engine: Engine) -> None:
    assert database.is_file()
    assert notes(engine) == ["kept"]


def test_a_deleted_folder_is_an_outage_and_no_empty_file_is_made(
    database: Path, engine: Engine
) -> None:
    assert notes(engine) == ["kept"]  # a connection in the pool, opened on the old file
    shutil.rmtree(database.parent)
    with pytest.raises(OperationalError) as gone:
        notes(engine)
    assert is_outage(gone.value)
    assert f"{database} is gone" in str(gone.value)

    database.parent.mkdir()  # the folder back, empty
    with pytest.raises(OperationalError), engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (body TEXT)"))
    assert not database.exists()


def test_a_file_put_back_is_used_again_without_a_new_engine(
    database: Path, engine: Engine, tmp_path: Path
) -> None:
    saved = sqlite_copy(database, tmp_path / "saved.sqlite3")
    database.unlink()
    with pytest.raises(OperationalError):
        notes(engine)
    shutil.copy(saved, database)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO notes VALUES ('after')"))
    assert notes(engine) == ["kept", "after"]


def test_a_file_replaced_under_a_pooled_connection_is_read_from_the_new_file(
    database: Path, engine: Engine, tmp_path: Path
) -> None:
    other = sqlite_copy(database, tmp_path / "other.sqlite3")
    with sqlite3.connect(other) as connection:
        connection.execute("UPDATE notes SET body = 'replaced'")
    connection.close()
    assert notes(engine) == ["kept"]
    with engine.connect() as pooled:  # (a stale -wal beside a new file would be read into it)
        pooled.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    old = file_identity(database)
    other.replace(database)  # a new inode at the same path
    assert file_identity(database) != old
    assert notes(engine) == ["replaced"]


def test_file_identity_is_none_for_no_file(tmp_path: Path) -> None:
    assert file_identity(tmp_path / "none.sqlite3") is None
    (tmp_path / "some").write_bytes(b"")
    assert file_identity(tmp_path / "some") == file_identity(tmp_path / "some")
