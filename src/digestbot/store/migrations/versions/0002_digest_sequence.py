"""Digests: a sequence number in the unique key (``/digest`` on a day that has its digest), the
count of new articles, the article-id watermark; digest articles remember their message.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _count(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), nullable=False, server_default="0")


def upgrade() -> None:
    with op.batch_alter_table("digests") as batch:
        batch.add_column(_count("sequence"))
        batch.add_column(_count("total"))
        batch.add_column(_count("last_article_id"))
        batch.drop_constraint("uq_digests_chat_id_local_date", type_="unique")
        batch.create_unique_constraint(
            "uq_digests_chat_id_local_date_sequence", ["chat_id", "local_date", "sequence"]
        )
    with op.batch_alter_table("digest_articles") as batch:
        batch.add_column(_count("seq"))


def downgrade() -> None:
    with op.batch_alter_table("digest_articles") as batch:
        batch.drop_column("seq")
    with op.batch_alter_table("digests") as batch:
        batch.drop_constraint("uq_digests_chat_id_local_date_sequence", type_="unique")
        batch.create_unique_constraint("uq_digests_chat_id_local_date", ["chat_id", "local_date"])
        batch.drop_column("last_article_id")
        batch.drop_column("total")
        batch.drop_column("sequence")
