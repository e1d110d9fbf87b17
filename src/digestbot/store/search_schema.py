"""The search index's storage: FTS5 on SQLite, a ``tsvector`` table on PostgreSQL.

Both index the same pre-tokenized text (:mod:`digestbot.store.tokenize`): title, summary and body
of each article text, keyed by ``article_texts.id``. On SQLite two contentless FTS5 tables (the
original text stays in ``article_texts``, so removing a row needs the text it was indexed with):
:data:`FTS_TABLE` holds the tokens with positions and prefix indexes, :data:`BIGRAM_TABLE` the CJK
bigrams of all three fields in one column, each once per text, without positions or counts
(``detail=none``, ``columnsize=0``, the ``ascii`` tokenizer: the bigrams are already folded),
which is what keeps it cheap to build; its matches are scored from the text (:func:`phrase_score`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, text

from digestbot.store.tokenize import SEP, cjk_bigrams, has_phrase, index_tokens

__all__ = [
    "BIGRAM_TABLE",
    "FTS_TABLE",
    "HAS_PHRASES",
    "PG_TABLE",
    "PHRASE_SCORE",
    "IndexRow",
    "add_to_index",
    "has_phrases",
    "include_name",
    "index_body",
    "index_values",
    "is_search_object",
    "phrase_score",
    "rebuild_index",
    "remove_from_index",
    "tsvector_literal",
]

FTS_TABLE = "search_fts"
BIGRAM_TABLE = "search_bigrams"
PG_TABLE = "search_documents"
_PG_MAX_POSITION = 16383  # PostgreSQL's limit on a position in a tsvector
_PG_MAX_POSITIONS = 256  # and on the positions kept per lexeme


def is_search_object(name: str) -> bool:
    """Whether a table belongs to the search index (ignored by autogenerate comparisons)."""
    return name in (FTS_TABLE, BIGRAM_TABLE, PG_TABLE) or name.startswith(
        (f"{FTS_TABLE}_", f"{BIGRAM_TABLE}_")
    )


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
    bigrams: dict[str, None] = {}
    for field, value in zip(_FIELDS, (title, summary, body), strict=True):
        tokens = index_tokens(value)
        values[field] = " ".join(tokens)
        bigrams.update(dict.fromkeys(cjk_bigrams(tokens)))
    bigrams.pop(SEP, None)
    values["bigrams"] = " ".join(bigrams)  # each once: the bigram table keeps no counts
    return values


HAS_PHRASES = "digestbot_has_phrases"  # SQL function on SQLite connections: see has_phrases


def has_phrases(title: str, summary: str, plain: str, phrases: str) -> bool:
    """Whether every phrase (lines of :meth:`SearchQuery.phrases`) is in one indexed field.

    What the bigram table, which keeps no positions, cannot tell: that the bigrams are adjacent
    and in order, in the same field (registered as :data:`HAS_PHRASES` by ``store.db``).
    """
    body = index_body(title, plain)
    return all(
        any(has_phrase(field, phrase) for field in (title, summary, body))
        for phrase in phrases.split("\n")
    )


PHRASE_SCORE = "digestbot_phrase_score"  # SQL function on SQLite connections: see phrase_score
_FIELD_WEIGHTS = (10.0, 4.0, 1.0)  # title, summary, body: as bm25 weighs the token columns
_K1 = 1.2


def phrase_score(title: str, summary: str, plain: str, phrases: str) -> float:
    """A bm25-like score (negative: lower is better) of the phrases found in a text's fields.

    The bigram table keeps no positions, so FTS5's bm25 cannot rank its matches; each phrase
    counts per field with bm25's saturation (k1 = 1.2) and the token columns' weights.
    """
    score = 0.0
    fields = (title, summary, index_body(title, plain))
    for phrase in phrases.split("\n"):
        tokens = phrase.split(" ")
        literal = "".join(tokens) if all(len(token) == 1 for token in tokens) else ""
        for field, weight in zip(fields, _FIELD_WEIGHTS, strict=True):
            found = field.count(literal) if literal else 0
            if not found and has_phrase(field, phrase):
                found = 1
            score -= weight * found / (found + _K1)
    return score


def index_body(title: str, plain: str) -> str:
    """The body as indexed and shown in snippets: the plain text without its leading title."""
    return plain[len(title) :].lstrip() if title and plain.startswith(title) else plain


_FIELDS = ("title", "summary", "body")
_BIGRAM_FIELDS = ("bigrams",)


def _statements(table: str, fields: Sequence[str]) -> tuple[str, str]:
    """Driver-level INSERT and FTS5 'delete' statements (qmark: these tables are SQLite's)."""
    columns = ", ".join(fields)
    marks = ", ".join("?" for _ in fields)
    insert = f"INSERT INTO {table}(rowid, {columns}) VALUES (?, {marks})"
    delete = f"INSERT INTO {table}({table}, rowid, {columns}) VALUES ('delete', ?, {marks})"
    return insert, delete


_FTS_STATEMENTS = _statements(FTS_TABLE, _FIELDS)
_BIGRAM_STATEMENTS = _statements(BIGRAM_TABLE, _BIGRAM_FIELDS)


def _write_fts(connection: Connection, rows: Sequence[IndexRow], *, delete: bool = False) -> None:
    """Insert ``rows`` into (or, with ``delete``, remove them from) both FTS5 tables.

    Plain tuples through the driver's ``executemany``: the values are strings already, and
    SQLAlchemy's per-row parameter processing would cost more than SQLite's own work here.
    """
    prepared = [
        (row.text_id, row.prepared or index_values("sqlite", row.title, row.summary, row.body))
        for row in rows
    ]
    for statements, fields in ((_FTS_STATEMENTS, _FIELDS), (_BIGRAM_STATEMENTS, _BIGRAM_FIELDS)):
        params = [(text_id, *(values[f] for f in fields)) for text_id, values in prepared]
        connection.exec_driver_sql(statements[delete], params)


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
        _write_fts(connection, rows)
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
        _write_fts(connection, rows, delete=True)
        return
    connection.execute(
        text(f"DELETE FROM {PG_TABLE} WHERE text_id = :id"), [{"id": r.text_id} for r in rows]
    )


def rebuild_index(connection: Connection, rows: Sequence[IndexRow]) -> None:
    """Empty the index and fill it with ``rows`` (after a change to the tokenizer)."""
    if connection.dialect.name == "sqlite":
        for table in (FTS_TABLE, BIGRAM_TABLE):
            connection.execute(text(f"INSERT INTO {table}({table}) VALUES ('delete-all')"))
    else:
        connection.execute(text(f"DELETE FROM {PG_TABLE}"))
    add_to_index(connection, rows)
