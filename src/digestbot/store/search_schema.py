"""The search index's storage: FTS5 on SQLite, a ``tsvector`` table on PostgreSQL.

Both index the same pre-tokenized text (:mod:`digestbot.store.tokenize`): title, summary and body
of each article text, keyed by ``article_texts.id``. The FTS5 table is contentless (the original
text stays in ``article_texts``), so removing a row needs the text it was indexed with.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, TextClause, text

from digestbot.store.tokenize import SEP, cjk_bigrams, index_tokens

__all__ = [
    "FTS_TABLE",
    "PG_TABLE",
    "IndexRow",
    "add_to_index",
    "include_name",
    "index_body",
    "index_values",
    "is_search_object",
    "rebuild_index",
    "remove_from_index",
    "tsvector_literal",
]

FTS_TABLE = "search_fts"
PG_TABLE = "search_documents"
_PG_MAX_POSITION = 16383  # PostgreSQL's limit on a position in a tsvector
_PG_MAX_POSITIONS = 256  # and on the positions kept per lexeme


def is_search_object(name: str) -> bool:
    """Whether a table belongs to the search index (ignored by autogenerate comparisons)."""
    return name in (FTS_TABLE, PG_TABLE) or name.startswith(f"{FTS_TABLE}_")


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic ``include_name`` hook: leave the search index's tables out of comparisons."""
    return not (type_ == "table" and name is not None and is_search_object(name))


@dataclass(frozen=True, slots=True)
class IndexRow:
    """One article text as the index sees it (original text; tokenized on the way in)."""

    text_id: int
    title: str
    summary: str
    body: str  # plain text without the title: see :func:`index_body`
    prepared: Mapping[str, str] | None = None  # index_values() computed ahead, e.g. in a worker


def index_values(dialect: str, title: str, summary: str, body: str) -> dict[str, str]:
    """What the index stores for one text on ``dialect`` (pure: safe to compute in a worker)."""
    if dialect != "sqlite":
        return {"tsv": tsvector_literal(title, summary, body)}
    values: dict[str, str] = {}
    for field, value in zip(_FIELDS, (title, summary, body), strict=True):
        tokens = index_tokens(value)
        values[field] = " ".join(tokens)
        values[f"{field}2"] = " ".join(cjk_bigrams(tokens))
    return values


def index_body(title: str, plain: str) -> str:
    """The body as indexed and shown in snippets: the plain text without its leading title."""
    return plain[len(title) :].lstrip() if title and plain.startswith(title) else plain


_FIELDS = ("title", "summary", "body")
_COLUMNS = ", ".join(_FIELDS + tuple(f"{field}2" for field in _FIELDS))
_VALUES = ", ".join(f":{column}" for column in _COLUMNS.split(", "))
_FTS_INSERT = text(f"INSERT INTO {FTS_TABLE}(rowid, {_COLUMNS}) VALUES (:id, {_VALUES})")
_FTS_DELETE = text(
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_COLUMNS}) VALUES ('delete', :id, {_VALUES})"
)


def _fts_values(row: IndexRow) -> dict[str, object]:
    prepared = row.prepared or index_values("sqlite", row.title, row.summary, row.body)
    return {"id": row.text_id, **prepared}


def _write_fts(connection: Connection, statement: TextClause, rows: Sequence[IndexRow]) -> None:
    connection.execute(statement, [_fts_values(row) for row in rows])


def tsvector_literal(title: str, summary: str, body: str) -> str:
    """A ``tsvector`` in PostgreSQL's text form: weights A/B/C, a skipped position at each SEP."""
    positions: dict[str, list[str]] = {}
    position = 1
    for field, weight in ((title, "A"), (summary, "B"), (body, "C")):
        for token in index_tokens(field):
            if token != SEP:
                kept = positions.setdefault(token, [])
                if len(kept) < _PG_MAX_POSITIONS:
                    kept.append(f"{min(position, _PG_MAX_POSITION)}{weight}")
            position += 1
        position += 1  # phrases never span two fields
    return " ".join(
        "'" + token.replace("\\", "\\\\").replace("'", "''") + "':" + ",".join(kept)
        for token, kept in positions.items()
    )


def add_to_index(connection: Connection, rows: Sequence[IndexRow]) -> None:
    """Index ``rows`` (new article texts)."""
    if not rows:
        return
    if connection.dialect.name == "sqlite":
        _write_fts(connection, _FTS_INSERT, rows)
        return
    connection.execute(
        text(f"INSERT INTO {PG_TABLE}(text_id, tsv) VALUES (:id, CAST(:tsv AS tsvector))"),
        [
            {
                "id": row.text_id,
                **(row.prepared or index_values("postgresql", row.title, row.summary, row.body)),
            }
            for row in rows
        ],
    )


def remove_from_index(connection: Connection, rows: Sequence[IndexRow]) -> None:
    """Remove ``rows`` from the index; they must hold the text they were indexed with."""
    if not rows:
        return
    if connection.dialect.name == "sqlite":
        _write_fts(connection, _FTS_DELETE, rows)
        return
    connection.execute(
        text(f"DELETE FROM {PG_TABLE} WHERE text_id = :id"), [{"id": r.text_id} for r in rows]
    )


def rebuild_index(connection: Connection, rows: Sequence[IndexRow]) -> None:
    """Empty the index and fill it with ``rows`` (after a change to the tokenizer)."""
    if connection.dialect.name == "sqlite":
        connection.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')"))
    else:
        connection.execute(text(f"DELETE FROM {PG_TABLE}"))
    add_to_index(connection, rows)
