"""A rhythm per reader: daily, weekdays, weekly or paused; instant tags and the pushes made.

``subscribers`` gains ``rhythm`` (``daily`` for everyone so far), ``weekly_day``, ``paused_until``
and ``quiet_hours``; ``subscriber_tags.instant_after`` marks a followed tag as instant (the newest
article id when it was marked: only articles loaded after it are pushed); ``instant_pushes``
records each article pushed to a chat, once (its key is what makes a push exactly once).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy on SQLite: dropping the old ``subscribers`` would cascade
    # to the readers' tags and digests).
    op.add_column(
        "subscribers",
        sa.Column("rhythm", sa.String(length=16), nullable=False, server_default="daily"),
    )
    op.add_column(
        "subscribers", sa.Column("weekly_day", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("subscribers", sa.Column("paused_until", sa.Date(), nullable=True))
    op.add_column(
        "subscribers",
        sa.Column("quiet_hours", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column("subscriber_tags", sa.Column("instant_after", sa.Integer(), nullable=True))
    op.create_table(
        "instant_pushes",
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("pushed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chat_id"],
            ["subscribers.chat_id"],
            name=op.f("fk_instant_pushes_chat_id_subscribers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_instant_pushes_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("chat_id", "article_id", name=op.f("pk_instant_pushes")),
    )
    op.create_index(
        op.f("ix_instant_pushes_article_id"), "instant_pushes", ["article_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_instant_pushes_article_id"), table_name="instant_pushes")
    op.drop_table("instant_pushes")
    op.drop_column("subscriber_tags", "instant_after")
    for column in ("quiet_hours", "paused_until", "weekly_day", "rhythm"):
        op.drop_column("subscribers", column)
