"""Search on SQLite: the CJK bigrams move to their own FTS5 table without positions.

``search_fts`` keeps the tokens (with positions and prefix indexes); ``search_bigrams`` holds the
distinct bigrams of each text in one column without positions or counts (``detail=none``): a
two-character phrase is one bigram token, a longer one the AND of its bigrams, checked against
the text (``digestbot.store.search``), which also scores the matches. The index is rebuilt
from ``article_texts``.
PostgreSQL: nothing changes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TOKENIZE = "tokenize='unicode61 remove_diacritics 2'"


def _rebuild() -> None:
    from digestbot.store.search_schema import IndexRow, index_body, rebuild_index

    connection = op.get_bind()
    rows = [
        IndexRow(row.id, row.title, row.summary, index_body(row.title, row.plain))
        for row in connection.execute(
            sa.text("SELECT id, title, summary, plain FROM article_texts")
        )
    ]
    rebuild_index(connection, rows)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE IF EXISTS search_fts")
    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5(title, summary, body, "
        f"content='', prefix='3 4', {_TOKENIZE})"
    )
    op.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('rank', 'bm25(10.0, 4.0, 1.0)')")
    # One column of each text's distinct bigrams (title, summary and body), no positions, no
    # counts, no column sizes; the ascii tokenizer splits on spaces only, which is all it needs.
    op.execute(
        "CREATE VIRTUAL TABLE search_bigrams USING fts5(bigrams, "
        "content='', detail=none, columnsize=0, tokenize='ascii')"
    )
    _rebuild()


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE IF EXISTS search_bigrams")
    op.execute("DROP TABLE IF EXISTS search_fts")
    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5(title, summary, body, "
        f"title2, summary2, body2, content='', prefix='3 4', {_TOKENIZE})"
    )
    op.execute(
        "INSERT INTO search_fts(search_fts, rank) "
        "VALUES ('rank', 'bm25(10.0, 4.0, 1.0, 10.0, 4.0, 1.0)')"
    )
    connection = op.get_bind()
    from digestbot.store.search_schema import index_body
    from digestbot.store.tokenize import cjk_bigrams, index_tokens

    for row in connection.execute(
        sa.text("SELECT id, title, summary, plain FROM article_texts")
    ).all():
        values = {}
        fields = (row.title, row.summary, index_body(row.title, row.plain))
        for name, value in zip(("title", "summary", "body"), fields, strict=True):
            tokens = index_tokens(value)
            values[name] = " ".join(tokens)
            values[f"{name}2"] = " ".join(cjk_bigrams(tokens))
        connection.execute(
            sa.text(
                "INSERT INTO search_fts(rowid, title, summary, body, title2, summary2, body2) "
                "VALUES (:id, :title, :summary, :body, :title2, :summary2, :body2)"
            ),
            {"id": row.id, **values},
        )
