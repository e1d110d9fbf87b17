"""Search on SQLite: each FTS5 table keeps up to 16 MB of new index data in memory, not 1 MB.

FTS5 writes the terms of new rows to disk as a new segment whenever its in-memory hash of
pending data outgrows ``hashsize`` (default 1 MB), and merges segments as they pile up. With
1 MB a load's batch of texts became several small segments, merged again and again; with 16 MB
it is one segment per transaction, and indexing a load costs about a third less. The setting is
stored in the tables' ``_config`` and only matters while a transaction has that much pending.
PostgreSQL: nothing changes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("search_fts", "search_bigrams")
_HASH_SIZE = 16 * 1024 * 1024
_DEFAULT_HASH_SIZE = 1024 * 1024


def _set_hash_size(size: int) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in _TABLES:
        op.execute(f"INSERT INTO {table}({table}, rank) VALUES ('hashsize', {size})")


def upgrade() -> None:
    _set_hash_size(_HASH_SIZE)


def downgrade() -> None:
    _set_hash_size(_DEFAULT_HASH_SIZE)
