"""Administrators who turned alerts off (``/alerts off``). Data functions: the caller owns the
transaction. A row per muted admin, so a mute survives restarts and holds for every bot process."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from digestbot.store.models import AdminAlertMute

__all__ = ["is_muted", "muted_among", "set_muted"]


def is_muted(session: Session, user_id: int) -> bool:
    """Whether ``user_id`` turned alerts off."""
    return session.get(AdminAlertMute, user_id) is not None


def muted_among(session: Session, user_ids: Iterable[int]) -> set[int]:
    """Those of ``user_ids`` who turned alerts off."""
    ids = list(user_ids)
    if not ids:
        return set()
    query = select(AdminAlertMute.user_id).where(AdminAlertMute.user_id.in_(ids))
    return set(session.scalars(query))


def set_muted(session: Session, user_id: int, muted: bool, *, now: datetime) -> bool:
    """Turn ``user_id``'s alerts off (``muted``) or on; whether that changed anything."""
    if not muted:
        result = session.execute(delete(AdminAlertMute).where(AdminAlertMute.user_id == user_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]
    if is_muted(session, user_id):
        return False
    session.add(AdminAlertMute(user_id=user_id, muted_at=now))
    session.flush()
    return True
