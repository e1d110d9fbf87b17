"""Articles only in the other language: each reader's choice to see them (on, as before).

``subscribers.other_language`` is true when the reader also gets articles that have no text in
their language (shown in the other language with a marker); existing readers keep getting them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy on SQLite: dropping the old ``subscribers`` would cascade
    # to the readers' tags and digests).
    op.add_column(
        "subscribers",
        sa.Column("other_language", sa.Boolean(), nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    op.drop_column("subscribers", "other_language")
