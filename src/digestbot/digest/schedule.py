"""When a reader's digest is due: pure functions of the time now, their zone and digest time.

A digest is due for the reader's local date once the wall clock in their zone has reached their
digest time that day. Comparing wall-clock times makes it DST-safe: on a spring-forward day a
digest time inside the skipped hour is due as soon as the clock jumps past it; on a fall-back day
the first of the two moments counts (the store's unique key keeps it from being planned twice).
A bot that was down catches up with one digest for today, never one per missed day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

__all__ = [
    "day_start",
    "due_local_date",
    "first_digest_date",
    "is_due",
    "local_now",
    "local_today",
    "utc_midnight",
    "zone",
]


@cache
def zone(name: str) -> ZoneInfo:
    """The (cached) time zone called ``name``; an unknown name raises ``ZoneInfoNotFoundError``."""
    return ZoneInfo(name)


def _aware(now_utc: datetime) -> datetime:
    if now_utc.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now_utc


def local_now(now_utc: datetime, timezone: str) -> datetime:
    """The wall-clock time in ``timezone`` at the instant ``now_utc`` (naive, local)."""
    return _aware(now_utc).astimezone(zone(timezone)).replace(tzinfo=None)


def local_today(now_utc: datetime, timezone: str) -> date:
    """The reader's local date at ``now_utc``."""
    return local_now(now_utc, timezone).date()


def due_local_date(now_utc: datetime, timezone: str, digest_time: time) -> date | None:
    """The local date whose digest is due at ``now_utc``, or None before today's digest time."""
    local = local_now(now_utc, timezone)
    return local.date() if local.time() >= digest_time else None


def first_digest_date(created_at: datetime, timezone: str, digest_time: time) -> date:
    """The first local date a reader subscribed at ``created_at`` gets a scheduled digest for.

    Subscribing before the day's digest time: that day; at or after it: the next day.
    """
    local = local_now(created_at, timezone)
    return local.date() if local.time() < digest_time else local.date() + timedelta(days=1)


def is_due(now_utc: datetime, timezone: str, digest_time: time, created_at: datetime) -> bool:
    """Whether a scheduled digest is due now (ignoring whether it was already made).

    Only the day of subscribing can be skipped: a ``created_at`` in the future (a clock set back,
    a test) never holds a digest back.
    """
    due = due_local_date(now_utc, timezone, digest_time)
    if due is None:
        return False
    created_day = local_today(created_at, timezone)
    return not (created_day == due and first_digest_date(created_at, timezone, digest_time) > due)


def day_start(day: date, timezone: str) -> datetime:
    """The first instant (UTC) of the local ``day`` in ``timezone``."""
    return datetime.combine(day, time(0), tzinfo=zone(timezone)).astimezone(UTC)


def utc_midnight(day: date) -> datetime:
    """The start of ``day`` in UTC (for ``--since DATE``)."""
    return datetime.combine(day, time(0), tzinfo=UTC)
