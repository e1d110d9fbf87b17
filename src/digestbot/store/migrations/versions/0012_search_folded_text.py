"""Search: each text's phrases folded once when stored, not at every query.

``article_texts.folded`` holds, for a text with characters that search folds (Traditional
characters, compatibility forms, letters that fold to nothing), its fields as search finds
phrases in them (``digestbot.store.search_schema.folded_phrases``); NULL for a text searched as
written. The phrase check and score of a query are then substring searches either way (SQLite;
PostgreSQL's index has the phrases). Existing texts get theirs here; the index is unchanged.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from sqlalchemy.orm import Session

    from digestbot.store.articles import refresh_folded

    op.add_column("article_texts", sa.Column("folded", sa.Text(), nullable=True))
    refresh_folded(Session(bind=op.get_bind()))


def downgrade() -> None:
    op.drop_column("article_texts", "folded")
