"""The ids a reader's command or a button may name: beyond these bounds no row can exist.

Commands and callback data are user input (callback data can be forged); a number past a
column's range makes the database driver raise (SQLite: ``OverflowError``; PostgreSQL:
``integer out of range``) instead of finding nothing, so handlers check the bound first.
"""

from __future__ import annotations

__all__ = ["MAX_BIG_ID", "MAX_ID", "is_stored_id"]

MAX_ID = 2**31 - 1  # an Integer column on PostgreSQL: articles, tags, digest message numbers
MAX_BIG_ID = 2**63 - 1  # a BigInteger column: digests, outbox rows


def is_stored_id(value: int, limit: int = MAX_ID) -> bool:
    """Whether ``value`` can be the id of a row whose column holds up to ``limit``."""
    return 0 <= value <= limit
