"""The search index's storage: FTS5 on SQLite, a ``tsvector`` table on PostgreSQL.

Both index the same pre-tokenized text (:mod:`digestbot.store.tokenize`): title, summary and body
of each article text, keyed by ``article_texts.id``. On SQLite two contentless FTS5 tables (the
original text stays in ``article_texts``, so removing a row needs the text it was indexed with):
:data:`FTS_TABLE` holds the tokens with positions and prefix indexes, :data:`BIGRAM_TABLE` the CJK
bigrams of all three fields in one column, each once per text, without positions or counts
(``detail=none``, ``columnsize=0``, the ``ascii`` tokenizer: the bigrams are already folded),
which is what keeps it cheap to build; its matches are checked and scored from the text
(:func:`has_phrases`, :func:`phrase_score`) with plain substring searches: in the text as written,
or, for a text with characters that fold (Traditional, compatibility forms), in its folded phrases
(``article_texts.folded``, :func:`folded_phrases`) stored beside it, so that a query pays nothing
for folding.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Connection, text

from digestbot.store.tokenize import SEP, cjk_bigrams, has_phrase, index_tokens, phrase_runs

__all__ = [
    "BIGRAM_TABLE",
    "FIELD_BREAK",
    "FOLDED",
    "FTS_TABLE",
    "HAS_PHRASES",
    "PG_TABLE",
    "PHRASE_SCORE",
    "IndexRow",
    "add_to_index",
    "folded_phrases",
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


FOLDED = "folded"  # the key of index_values() that goes to article_texts.folded, not the index
FIELD_BREAK = "\x1f"  # between the fields in article_texts.folded


def index_values(dialect: str, title: str, summary: str, body: str) -> dict[str, str]:
    """What the index stores for one text on ``dialect``, and under :data:`FOLDED` its
    :func:`folded_phrases` ("" for None) for ``article_texts`` (pure: safe in a worker)."""
    tokens = [index_tokens(value) for value in (title, summary, body)]
    values = {FOLDED: folded_phrases((title, summary, body), tokens) or ""}
    if dialect != "sqlite":
        values["tsv"] = _tsvector_of(tokens)
        return values
    bigrams: dict[str, None] = {}
    for field, field_tokens in zip(_FIELDS, tokens, strict=True):
        values[field] = " ".join(field_tokens)
        bigrams.update(dict.fromkeys(cjk_bigrams(field_tokens)))
    bigrams.pop(SEP, None)
    values["bigrams"] = " ".join(bigrams)  # each once: the bigram table keeps no counts
    return values


def folded_phrases(fields: Sequence[str], tokens: Sequence[list[str]] | None = None) -> str | None:
    """A text's fields (title, summary, body) as its phrases are searched, when not as written.

    None when every field is searched as written; else each field's :func:`phrase_runs` (the
    field as written where that is None), separated by :data:`FIELD_BREAK`. Computed once when
    a text is stored, so the phrase check of a query is a substring search either way.
    """
    tokens = tokens or [index_tokens(field) for field in fields]
    runs = [
        phrase_runs(field, field_tokens) for field, field_tokens in zip(fields, tokens, strict=True)
    ]
    if all(run is None for run in runs):
        return None
    return FIELD_BREAK.join(
        field if run is None else run for field, run in zip(fields, runs, strict=True)
    )


@lru_cache(maxsize=64)
def _literals(phrases: str) -> tuple[str, ...] | None:
    """The phrases (lines of token phrases) as substrings, or None when a token is of several
    characters (ゟ, ヿ): then only the tokenizer can tell."""
    lines = phrases.split("\n")
    if any(len(token) != 1 for line in lines for token in line.split(" ")):
        return None
    return tuple(line.replace(" ", "") for line in lines)


HAS_PHRASES = "digestbot_has_phrases"  # SQL function on SQLite connections: see has_phrases


def has_phrases(title: str, summary: str, plain: str, folded: str | None, phrases: str) -> bool:
    """Whether every phrase (lines of :meth:`SearchQuery.phrases`) is in one indexed field.

    What the bigram table, which keeps no positions, cannot tell: that the bigrams are adjacent
    and in order, in the same field (registered as :data:`HAS_PHRASES` by ``store.db``).
    ``folded`` is the text's :func:`folded_phrases`; without them, the fields as written are
    searched (the body within ``plain``, without copying it out).
    """
    literals = _literals(phrases)
    if literals is None:
        body = index_body(title, plain)
        return all(
            any(has_phrase(field, phrase) for field in (title, summary, body))
            for phrase in phrases.split("\n")
        )
    if folded is not None:
        return all(literal in folded for literal in literals)
    start = _body_start(title, plain)
    return all(
        literal in title or literal in summary or plain.find(literal, start) >= 0
        for literal in literals
    )


def _body_start(title: str, plain: str) -> int:
    """Where the body starts in ``plain`` (see :func:`index_body`), give or take spaces."""
    return len(title) if title and plain.startswith(title) else 0


PHRASE_SCORE = "digestbot_phrase_score"  # SQL function on SQLite connections: see phrase_score
_FIELD_WEIGHTS = (10.0, 4.0, 1.0)  # title, summary, body: as bm25 weighs the token columns
_K1 = 1.2


def _counts(title: str, summary: str, plain: str, folded: str | None, literal: str) -> list[int]:
    """How often ``literal`` is in the title, the summary and the body (non-overlapping)."""
    if folded is not None:
        return [field.count(literal) for field in folded.split(FIELD_BREAK)]
    return [
        title.count(literal),
        summary.count(literal),
        plain.count(literal, _body_start(title, plain)),
    ]


def phrase_score(title: str, summary: str, plain: str, folded: str | None, phrases: str) -> float:
    """A bm25-like score (negative: lower is better) of the phrases found in a text's fields.

    The bigram table keeps no positions, so FTS5's bm25 cannot rank its matches; each phrase
    counts per field (in ``folded``, the text's :func:`folded_phrases`, when it has them) with
    bm25's saturation (k1 = 1.2) and the token columns' weights.
    """
    score = 0.0
    literals = _literals(phrases)
    if literals is None:
        fields = (title, summary, index_body(title, plain))
        for phrase in phrases.split("\n"):
            for field, weight in zip(fields, _FIELD_WEIGHTS, strict=True):
                found = 1 if has_phrase(field, phrase) else 0
                score -= weight * found / (found + _K1)
        return score
    for literal in literals:
        counts = _counts(title, summary, plain, folded, literal)
        for found, weight in zip(counts, _FIELD_WEIGHTS, strict=True):
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
    return _tsvector_of([index_tokens(field) for field in (title, summary, body)])


def _tsvector_of(tokens: Sequence[list[str]]) -> str:
    """:func:`tsvector_literal` of the fields' tokens."""
    positions: dict[str, list[str]] = {}
    position = 1
    for field_tokens, weight in zip(tokens, "ABC", strict=True):
        for token in field_tokens:
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
                "tsv": (
                    row.prepared or index_values("postgresql", row.title, row.summary, row.body)
                )["tsv"],
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
