"""Fast multi-row INSERT for planning: one DBAPI ``executemany`` over plain tuples (PostgreSQL:
``COPY``; where rows come back, COPY into a scratch table and one INSERT ... SELECT).

SQLAlchemy's ``execute(insert(table), dicts)`` runs every column of every row through its type
processing; for a million digest-article links that alone takes tens of seconds. Here the values
that are the same on every row (a time, a state) go through the column's bind processor once;
the varying ones must be what the driver takes as they are (ints, strings), except in the
columns named in ``process`` (a datetime, an enum, JSON), whose values go through it each.
"""

from __future__ import annotations

import zlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.exc import DBAPIError

__all__ = ["insert_returning", "insert_rows", "table_of"]

_MAX_PARAMS = 30_000  # bound values per statement (SQLite allows 32,766; PostgreSQL 65,535)
_PLACEHOLDER = {"qmark": "?", "format": "%s", "pyformat": "%s"}  # SQLite, psycopg


def _prepare(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    constants: Mapping[str, Any] | None,
    process: Collection[str] = (),
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and parameter tuples; constants go through their column's processing once,
    the values of the ``process`` columns each."""
    dialect = connection.dialect
    fixed = dict(constants or {})
    tail = tuple(
        _process(table.c[name].type.bind_processor(dialect), value) for name, value in fixed.items()
    )
    converters = [
        (i, processor)
        for i, name in enumerate(columns)
        if name in process and (processor := table.c[name].type.bind_processor(dialect))
    ]
    if converters:
        rows = [_converted(row, converters) for row in rows]
    params = [(*row, *tail) for row in rows] if tail else [tuple(row) for row in rows]
    return [*columns, *fixed], params


def _converted(row: Sequence[Any], converters: Sequence[tuple[int, Any]]) -> list[Any]:
    values = list(row)
    for i, processor in converters:
        values[i] = processor(values[i])
    return values


def table_of(model: type[Any]) -> Table:
    """The Core table of a mapped class, as the functions here take it."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _head(connection: Connection, table: Table, names: Sequence[str]) -> str:
    quote = connection.dialect.identifier_preparer.quote
    return f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) VALUES "


def _marks(connection: Connection, count: int) -> str:
    return "(" + ", ".join([_PLACEHOLDER[connection.dialect.paramstyle]] * count) + ")"


def insert_rows(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    constants: Mapping[str, Any] | None = None,
    *,
    process: Collection[str] = (),
) -> int:
    """Insert ``rows`` (values for ``columns``) plus ``constants`` on each; returns the count."""
    names, params = _prepare(connection, table, columns, rows, constants, process)
    if params and connection.dialect.name == "postgresql":
        _copy(connection, connection.dialect.identifier_preparer.quote(table.name), names, params)
    elif params:
        sql = _head(connection, table, names) + _marks(connection, len(names))
        connection.exec_driver_sql(sql, params)
    return len(params)


def _copy(
    connection: Connection, into: str, names: Sequence[str], params: Sequence[tuple[Any, ...]]
) -> None:
    """PostgreSQL: the rows by ``COPY ... FROM STDIN`` in the connection's transaction (a
    stream, not a statement a row)."""
    quote = connection.dialect.identifier_preparer.quote
    sql = f"COPY {into} ({', '.join(quote(n) for n in names)}) FROM STDIN"  # ``into``: quoted
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    dbapi_error = connection.dialect.loaded_dbapi.Error
    try:
        with cursor.copy(sql) as copy:
            for row in params:
                copy.write_row(row)
    except dbapi_error as error:  # as SQLAlchemy's own statements raise it (IntegrityError, ...)
        raise DBAPIError.instance(sql, None, error, dbapi_error) from error
    finally:
        cursor.close()


def insert_returning(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    conflict: Sequence[str],
    returning: Sequence[str],
    constants: Mapping[str, Any] | None = None,
) -> list[tuple[Any, ...]]:
    """Insert rows, skipping those that hit the unique key ``conflict``; the added rows' values
    of ``returning`` (multi-row VALUES statements, since ``executemany`` returns no rows)."""
    names, params = _prepare(connection, table, columns, rows, constants)
    quote = connection.dialect.identifier_preparer.quote
    tail = (
        f" ON CONFLICT ({', '.join(quote(c) for c in conflict)}) DO NOTHING"
        f" RETURNING {', '.join(quote(c) for c in returning)}"
    )
    if connection.dialect.name == "postgresql":
        return _insert_copied(connection, table, names, params, tail)
    per_statement = max(1, _MAX_PARAMS // len(names))
    row_marks = _marks(connection, len(names))
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(params), per_statement):
        batch = params[start : start + per_statement]
        values = ", ".join([row_marks] * len(batch))
        flat = tuple(value for row in batch for value in row)
        result = connection.exec_driver_sql(_head(connection, table, names) + values + tail, flat)
        found.extend(tuple(row) for row in result)
    return found


def _insert_copied(
    connection: Connection,
    table: Table,
    names: Sequence[str],
    params: Sequence[tuple[Any, ...]],
    tail: str,
) -> list[tuple[Any, ...]]:
    """PostgreSQL: the rows by COPY into a scratch table of the connection's own (TEMP, made
    once per connection and column list), then one ``INSERT ... SELECT`` with ``tail``. Typed
    arrays for ``unnest`` cost psycopg a Python loop per value (7 of 36 s planning 200,000
    digests); COPY writes a row in a few microseconds."""
    if not params:
        return []
    quote = connection.dialect.identifier_preparer.quote
    columns = ", ".join(quote(n) for n in names)
    scratch = quote(f"bulk_{table.name}_{zlib.crc32(columns.encode()):08x}")
    connection.exec_driver_sql(
        f"CREATE TEMP TABLE IF NOT EXISTS {scratch} AS "
        f"SELECT {columns} FROM {quote(table.name)} WITH NO DATA"
    )
    _copy(connection, scratch, names, params)
    sql = f"INSERT INTO {quote(table.name)} ({columns}) SELECT {columns} FROM {scratch}"
    found = [tuple(row) for row in connection.exec_driver_sql(sql + tail)]
    # Emptied for the next call; after a failure the transaction's rollback empties it (a
    # DELETE there would only hide the error behind "current transaction is aborted").
    connection.exec_driver_sql(f"DELETE FROM {scratch}")
    return found


def _process(process: Any, value: Any) -> Any:
    return value if process is None else process(value)
