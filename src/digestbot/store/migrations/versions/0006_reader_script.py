"""Traditional Chinese: each reader's script, and a search index that folds the two scripts.

``subscribers.script`` is ``hans`` (Simplified), ``hant-tw`` or ``hant-hk`` (Traditional, Taiwan
or Hong Kong standard); existing readers keep Simplified. The search index now folds Traditional
characters to Simplified (``digestbot.store.tokenize``), so it is rebuilt from ``article_texts``
on both SQLite and PostgreSQL: without that, stored Traditional texts would not be found.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rebuild_index() -> None:
    """Index every stored text again with the tokenizer of this version."""
    from sqlalchemy.orm import Session

    from digestbot.store.articles import rebuild_search_index

    rebuild_search_index(Session(bind=op.get_bind()))


def upgrade() -> None:
    with op.batch_alter_table("subscribers") as batch:
        batch.add_column(
            sa.Column("script", sa.String(length=16), nullable=False, server_default="hans")
        )
    _rebuild_index()


def downgrade() -> None:
    with op.batch_alter_table("subscribers") as batch:
        batch.drop_column("script")
    # The index keeps the folded tokens: older versions still find Simplified queries in it.
