"""Compositions stored once; "never twice" by the per-reader watermark, no row per article.

A digest's rendered messages go to ``compositions`` / ``composition_messages`` once for every
reader they went to; a digest and its outbox rows refer to them (``composition_id``; the outbox
row's own ``text`` stays empty). ``digest_articles`` goes: what a reader had is what lies at or
below their watermark (``digests.last_article_id``), apart from instant pushes. Existing data:
each digest's watermark is raised to the newest article it showed (digests planned before the
watermark existed), what each digest showed becomes a composition of its own (for the language
switch and the "more" pages of digests already sent), and pending outbox rows keep their text.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_BATCH = 5_000


def upgrade() -> None:
    op.create_table(
        "compositions",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compositions")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_compositions_fingerprint")),
    )
    op.create_table(
        "composition_messages",
        sa.Column("composition_id", BIG_ID, nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("parse_mode", sa.String(length=16), nullable=True),
        sa.Column("article_ids", sa.Text(), nullable=False),
        sa.Column("markup", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["composition_id"],
            ["compositions.id"],
            name=op.f("fk_composition_messages_composition_id_compositions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("composition_id", "seq", name=op.f("pk_composition_messages")),
    )
    op.add_column("digests", sa.Column("composition_id", BIG_ID, nullable=True))
    op.add_column("outbox", sa.Column("composition_id", BIG_ID, nullable=True))
    _move_digest_articles(op.get_bind())
    op.drop_table("digest_articles")


def _move_digest_articles(connection: sa.Connection) -> None:
    """Raise watermarks to what was shown; a composition per digest of what it showed."""
    connection.execute(
        sa.text(
            "UPDATE digests SET last_article_id = (SELECT max(article_id) FROM digest_articles"
            " WHERE digest_articles.digest_id = digests.id) WHERE last_article_id < (SELECT"
            " max(article_id) FROM digest_articles WHERE digest_articles.digest_id = digests.id)"
        )
    )
    after = 0
    while True:
        rows = connection.execute(
            sa.text(
                "SELECT digest_id, seq, article_id FROM digest_articles WHERE digest_id IN"
                " (SELECT DISTINCT digest_id FROM digest_articles WHERE digest_id > :after"
                " ORDER BY digest_id LIMIT :limit) ORDER BY digest_id, seq, article_id DESC"
            ),
            {"after": after, "limit": _BATCH},
        ).all()
        if not rows:
            return
        shown: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        for digest_id, seq, article_id in rows:
            shown[digest_id][seq].append(article_id)
        for digest_id, messages in shown.items():
            composition_id = connection.execute(
                sa.text(
                    "INSERT INTO compositions (fingerprint, created_at) VALUES (:key,"
                    " CURRENT_TIMESTAMP) RETURNING id"
                ),
                {"key": f"digest-{digest_id}"},
            ).scalar_one()
            connection.execute(
                sa.text(
                    "INSERT INTO composition_messages (composition_id, seq, text, article_ids)"
                    " VALUES (:id, :seq, '', :ids)"
                ),
                [
                    {"id": composition_id, "seq": seq, "ids": ",".join(map(str, ids))}
                    for seq, ids in messages.items()
                ],
            )
            connection.execute(
                sa.text("UPDATE digests SET composition_id = :c WHERE id = :d"),
                {"c": composition_id, "d": digest_id},
            )
        after = max(shown)


def downgrade() -> None:
    op.create_table(
        "digest_articles",
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("digest_id", BIG_ID, nullable=False),
        sa.Column("seq", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_digest_articles_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["chat_id"],
            ["subscribers.chat_id"],
            name=op.f("fk_digest_articles_chat_id_subscribers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["digest_id"],
            ["digests.id"],
            name=op.f("fk_digest_articles_digest_id_digests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("chat_id", "article_id", name=op.f("pk_digest_articles")),
    )
    op.create_index(op.f("ix_digest_articles_article_id"), "digest_articles", ["article_id"])
    op.create_index(op.f("ix_digest_articles_digest_id"), "digest_articles", ["digest_id"])
    op.drop_column("outbox", "composition_id")
    op.drop_column("digests", "composition_id")
    op.drop_table("composition_messages")
    op.drop_table("compositions")
