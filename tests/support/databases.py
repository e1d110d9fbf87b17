"""Test databases: a SQLite file per test, or a fresh PostgreSQL schema where a server runs."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import psycopg
import pytest

__all__ = ["PG_DSN", "PG_URL", "postgres_is_running", "postgres_schema", "sqlite_copy"]

PG_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@cache
def postgres_is_running() -> bool:
    """Whether the test PostgreSQL server answers (a short timeout: absent means skip)."""
    try:
        with psycopg.connect(PG_DSN, connect_timeout=2):
            return True
    except psycopg.Error:
        return False


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A URL whose connections see only a new, empty schema (dropped afterwards)."""
    if not postgres_is_running():
        pytest.skip("PostgreSQL is not running at 127.0.0.1:5432")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_DSN, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def sqlite_copy(database: Path, to: Path) -> Path:
    """A consistent copy of a live SQLite database (its backup API: what is still in the -wal
    file too), as an operator would keep one."""
    source, target = sqlite3.connect(database), sqlite3.connect(to)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return to
