"""Initial schema: articles, tags, subscribers, delivery, and the search index.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _moment(name: str, *, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _choice(name: str, enum_name: str, *values: str) -> sa.Column[str]:
    return sa.Column(
        name, sa.Enum(*values, name=enum_name, native_enum=False, length=16), nullable=False
    )


def _fk(column: str, table: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [target],
        name=op.f(f"fk_{table}_{column}_{target.split('.')[0]}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=True),
        _moment("date"),
        sa.Column("author", sa.String(length=200), nullable=True),
        sa.Column("content_hash", sa.String(length=128), nullable=False),
        sa.Column("source_path", sa.Text(), nullable=False),
        _moment("created_at"),
        _moment("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
        sa.UniqueConstraint("key", name=op.f("uq_articles_key")),
        sa.UniqueConstraint("url", name=op.f("uq_articles_url")),
    )
    op.create_index(op.f("ix_articles_date"), "articles", ["date"])
    op.create_table(
        "article_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        _choice("lang", "lang", "zh", "en"),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("plain", sa.Text(), nullable=False),
        sa.Column("key_terms", sa.JSON(), nullable=False),
        _fk("article_id", "article_texts", "articles.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_texts")),
        sa.UniqueConstraint("article_id", "lang", name=op.f("uq_article_texts_article_id_lang")),
    )
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("name", name=op.f("uq_tags_name")),
    )
    op.create_table(
        "article_tags",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _fk("article_id", "article_tags", "articles.id"),
        _fk("tag_id", "article_tags", "tags.id"),
        sa.PrimaryKeyConstraint("article_id", "tag_id", name=op.f("pk_article_tags")),
    )
    op.create_index(op.f("ix_article_tags_tag_id"), "article_tags", ["tag_id"])
    _create_delivery_tables()
    _create_search_index()


def _create_delivery_tables() -> None:
    op.create_table(
        "subscribers",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        _choice("language", "lang", "zh", "en"),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("digest_time", sa.Time(), nullable=False),
        _choice("state", "subscriber_state", "active", "unsubscribed", "blocked"),
        _moment("created_at"),
        _moment("updated_at"),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_subscribers")),
    )
    op.create_index(op.f("ix_subscribers_state"), "subscribers", ["state"])
    op.create_table(
        "subscriber_tags",
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        _fk("chat_id", "subscriber_tags", "subscribers.chat_id"),
        _fk("tag_id", "subscriber_tags", "tags.id"),
        sa.PrimaryKeyConstraint("chat_id", "tag_id", name=op.f("pk_subscriber_tags")),
    )
    op.create_index(op.f("ix_subscriber_tags_tag_id"), "subscriber_tags", ["tag_id"])
    op.create_table(
        "digests",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        _choice("lang", "lang", "zh", "en"),
        _moment("created_at"),
        _fk("chat_id", "digests", "subscribers.chat_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digests")),
        sa.UniqueConstraint("chat_id", "local_date", name=op.f("uq_digests_chat_id_local_date")),
    )
    op.create_table(
        "digest_articles",
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("digest_id", BIG_ID, nullable=False),
        _fk("article_id", "digest_articles", "articles.id"),
        _fk("chat_id", "digest_articles", "subscribers.chat_id"),
        _fk("digest_id", "digest_articles", "digests.id"),
        sa.PrimaryKeyConstraint("chat_id", "article_id", name=op.f("pk_digest_articles")),
    )
    op.create_index(op.f("ix_digest_articles_article_id"), "digest_articles", ["article_id"])
    op.create_index(op.f("ix_digest_articles_digest_id"), "digest_articles", ["digest_id"])
    op.create_table(
        "outbox",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("digest_id", BIG_ID, nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("parse_mode", sa.String(length=16), nullable=True),
        sa.Column("reply_markup", sa.JSON(), nullable=True),
        _choice("state", "outbox_state", "pending", "sending", "sent", "failed", "dropped"),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _moment("next_attempt_at"),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        _moment("created_at"),
        _moment("sent_at", nullable=True),
        _fk("digest_id", "outbox", "digests.id", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index("ix_outbox_claim", "outbox", ["state", "next_attempt_at"])
    op.create_index("ix_outbox_chat_id_state", "outbox", ["chat_id", "state"])
    op.create_index(op.f("ix_outbox_digest_id"), "outbox", ["digest_id"])


def _create_search_index() -> None:
    # Pre-tokenized text (digestbot.store.tokenize): CJK characters spaced, words folded.
    if op.get_bind().dialect.name == "sqlite":
        # Columns *2 hold CJK bigrams: phrases of two or more characters are looked up there.
        # Prefix indexes of 3 and 4 characters make common English prefixes (the*, chip*) cheap.
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5(title, summary, body, "
            "title2, summary2, body2, content='', prefix='3 4', "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute(
            "INSERT INTO search_fts(search_fts, rank) "
            "VALUES ('rank', 'bm25(10.0, 4.0, 1.0, 10.0, 4.0, 1.0)')"
        )
    else:
        op.execute(
            "CREATE TABLE search_documents (text_id INTEGER NOT NULL, tsv TSVECTOR NOT NULL, "
            "CONSTRAINT pk_search_documents PRIMARY KEY (text_id), "
            "CONSTRAINT fk_search_documents_text_id_article_texts FOREIGN KEY (text_id) "
            "REFERENCES article_texts (id) ON DELETE CASCADE)"
        )
        op.execute("CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (tsv)")


def downgrade() -> None:
    op.execute(
        "DROP TABLE IF EXISTS search_fts"
        if op.get_bind().dialect.name == "sqlite"
        else "DROP TABLE IF EXISTS search_documents"
    )
    for table in (
        "outbox",
        "digest_articles",
        "digests",
        "subscriber_tags",
        "subscribers",
        "article_tags",
        "tags",
        "article_texts",
        "articles",
    ):
        op.drop_table(table)
