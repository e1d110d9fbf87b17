"""The claim index in the claim's own order: (state, next_attempt_at, id).

``claim_due`` takes the due queue heads in (next_attempt_at, id) order. With an index on
(state, next_attempt_at) only, PostgreSQL had to find every due head and sort them all (a hash
anti-join over the whole outbox, ~0.5 s of its CPU a claim at 100,000 rows); with ``id`` in the
index it walks the heads in order and stops at the limit (~20 ms).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_outbox_claim", table_name="outbox")
    op.create_index("ix_outbox_claim", "outbox", ["state", "next_attempt_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_claim", table_name="outbox")
    op.create_index("ix_outbox_claim", "outbox", ["state", "next_attempt_at"])
