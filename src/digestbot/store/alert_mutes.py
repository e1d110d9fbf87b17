"""Administrators who turned alerts off (``/alerts off``), and which kinds of alert went out
lately. Data functions: the caller owns the transaction. Rows, not memory, so a mute survives
restarts and holds for every bot process, and several processes send an alert once between them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session

from digestbot.store.models import AdminAlertMute, AlertSent

__all__ = ["claim_alert_kinds", "is_muted", "muted_among", "set_muted"]


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


def claim_alert_kinds(
    session: Session, kinds: Iterable[str], *, now: datetime, interval: timedelta
) -> set[str]:
    """The ``kinds`` no process has sent an alert of within ``interval`` before ``now``, marked
    as sent now. On PostgreSQL a second process's UPDATE waits for the first one's commit and
    then finds the row too recent, so each kind is claimed once."""
    claimed: set[str] = set()
    never = datetime(1970, 1, 1, tzinfo=UTC)
    for kind in sorted(set(kinds)):
        session.execute(
            text("INSERT INTO alerts_sent (kind, sent_at) VALUES (:kind, :never) "
                 "ON CONFLICT (kind) DO NOTHING"),
            {"kind": kind, "never": never},
        )  # fmt: skip
        result = session.execute(
            update(AlertSent)
            .where(AlertSent.kind == kind, AlertSent.sent_at <= now - interval)
            .values(sent_at=now)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            claimed.add(kind)
    return claimed
