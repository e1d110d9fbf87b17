"""Conversation state in the database: what a chat's next update needs (the awaited time or
time-zone answer, search pages, the greeting being edited, the group-admin cache), so it holds
when that update lands on another bot process or after a restart.

``value`` is JSON text (``json.dumps`` escapes NUL, which PostgreSQL text cannot hold); a row
whose ``expires_at`` has passed is as good as gone and the runtime's clean-up deletes it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversation_state",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", "key", name=op.f("pk_conversation_state")),
    )
    op.create_index(op.f("ix_conversation_state_expires_at"), "conversation_state", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_conversation_state_expires_at"), table_name="conversation_state")
    op.drop_table("conversation_state")
