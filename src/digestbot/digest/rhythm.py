"""A reader's rhythm (pure): on which local days the digest comes, and when instant pushes may go.

Daily: every day. Weekdays: Monday to Friday of the reader's zone. Weekly: on the chosen weekday.
Paused until a date: nothing before it; from that day on, daily (the first digest after the pause
brings what came during it, as a digest after any gap does). Paused with no date: nothing.

Instant pushes keep quiet hours, 22:00 to 07:00 in the reader's zone, unless the reader turned them
off: a push that falls in them waits until 07:00, or comes earlier in the morning's digest when
that is made first (the planner leaves out of a digest what was pushed and out of pushes what a
digest showed, so either way the article arrives once). A paused reader gets no pushes either.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from digestbot.model import ReaderRhythm, Rhythm

__all__ = [
    "QUIET_END",
    "QUIET_START",
    "in_quiet_hours",
    "is_digest_day",
    "next_digest_day",
    "push_allowed",
    "push_time",
]

QUIET_START = time(22, 0)
QUIET_END = time(7, 0)
_WEEK = 7


def is_digest_day(rhythm: ReaderRhythm, day: date) -> bool:
    """Whether the scheduled digest comes on the reader's local ``day``."""
    match rhythm.rhythm:
        case Rhythm.DAILY:
            return True
        case Rhythm.WEEKDAYS:
            return day.weekday() < 5
        case Rhythm.WEEKLY:
            return day.weekday() == rhythm.weekly_day % _WEEK
        case Rhythm.PAUSED:
            return rhythm.paused_until is not None and day >= rhythm.paused_until


def next_digest_day(rhythm: ReaderRhythm, day: date) -> date | None:
    """The first local day from ``day`` on with a digest (None: paused with no end)."""
    if rhythm.rhythm is Rhythm.PAUSED:
        if rhythm.paused_until is None:
            return None
        return max(day, rhythm.paused_until)
    for ahead in range(_WEEK):
        candidate = day + timedelta(days=ahead)
        if is_digest_day(rhythm, candidate):
            return candidate
    raise AssertionError("every rhythm but a pause has a digest day each week")  # pragma: no cover


def in_quiet_hours(local: time) -> bool:
    """Whether the local wall-clock time ``local`` is in the quiet hours (22:00 to 07:00)."""
    return local >= QUIET_START or local < QUIET_END


def push_time(rhythm: ReaderRhythm, local: datetime) -> datetime | None:
    """When an instant push found at local wall-clock ``local`` may go (naive, local): now, or
    07:00 after quiet hours; None while the reader is paused (it goes into the digest after)."""
    if rhythm.rhythm is Rhythm.PAUSED and not is_digest_day(rhythm, local.date()):
        return None
    if not rhythm.quiet_hours or not in_quiet_hours(local.time()):
        return local
    morning = local.date() + timedelta(days=1 if local.time() >= QUIET_START else 0)
    return datetime.combine(morning, QUIET_END)


def push_allowed(rhythm: ReaderRhythm, local: datetime) -> bool:
    """Whether an instant push may go now, at local wall-clock ``local``."""
    return push_time(rhythm, local) == local
