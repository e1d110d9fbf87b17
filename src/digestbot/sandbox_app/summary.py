"""What the sandbox page says after "Send digests now" or a clock move: what happened and why.

Pure functions of a planning report (and, when nobody was due, the readers' digest times and
rhythms), so the operator reads "nothing new since their last digest" instead of "Planned 0
digest(s)". Operator text, so English.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from digestbot.digest.plan import PlanReport
from digestbot.digest.rhythm import next_digest_day
from digestbot.digest.schedule import zone
from digestbot.model import ReaderRhythm

__all__ = [
    "ALL_PAUSED",
    "BUSY",
    "NO_READERS",
    "NextDigest",
    "ReaderSchedule",
    "explain_send_now",
    "explain_tick",
    "next_digest",
    "plural",
]

BUSY = (
    "Another digestbot process is planning digests right now, so this one planned nothing. "
    "Try again in a moment."
)
NO_READERS = (
    "Nobody to send to: no chat is an active reader yet. Add a user, say /start in their chat, "
    "then try again."
)
ALL_PAUSED = (
    "Nobody is due, and no digest is coming: every active reader has paused their digests "
    "with no end (in /settings, Rhythm). Send digests now still sends them one."
)


@dataclass(frozen=True, slots=True)
class ReaderSchedule:
    """When a reader's digests come: their local digest time, zone and rhythm."""

    local_time: time
    timezone: str
    rhythm: ReaderRhythm = field(default_factory=ReaderRhythm)


@dataclass(frozen=True, slots=True)
class NextDigest:
    """When the soonest scheduled digest comes: the instant (UTC), the reader's local time and
    zone, and the local day."""

    at: datetime
    local_time: time
    timezone: str
    day: date


def plural(count: int, word: str) -> str:
    """``1 digest``, ``2 digests``."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def _span(delta: timedelta) -> str:
    """``3 days 2 h``, ``2 h 41 min``, ``41 min``, ``under a minute``."""
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [plural(days, "day")] if days else []
    parts += [f"{hours} h"] if hours else []
    parts += [f"{minutes} min"] if minutes and not days else []
    return " ".join(parts) or "under a minute"


def _next_for(now: datetime, schedule: ReaderSchedule) -> NextDigest | None:
    """The reader's first digest strictly after ``now``; None when paused with no end or in an
    unknown zone (the planner skips those too)."""
    try:
        tz = zone(schedule.timezone)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return None
    start = now.astimezone(tz).date()
    for _ in range(3):  # today's time may be past, or (a clock change) the next day's too
        day = next_digest_day(schedule.rhythm, start)
        if day is None:
            return None
        at = datetime.combine(day, schedule.local_time, tzinfo=tz).astimezone(UTC)
        if at > now:
            return NextDigest(at, schedule.local_time, schedule.timezone, day)
        start = day + timedelta(days=1)
    return None  # pragma: no cover (three digest days cannot all be past)


def next_digest(now: datetime, schedules: Iterable[ReaderSchedule]) -> NextDigest | None:
    """The soonest digest strictly after ``now`` among the readers' schedules, on the days their
    rhythms have one; None without any (readers paused with no end, unknown zones)."""
    found = (_next_for(now, schedule) for schedule in schedules)
    return min((f for f in found if f is not None), key=lambda f: f.at, default=None)


def _planned(report: PlanReport) -> str:
    count, messages = report.digests, report.messages
    if messages == 0:
        return (
            f"Planned {plural(count, 'digest')} with nothing new in "
            f"{'it' if count == 1 else 'them'}, so no message is sent."
        )
    return f"Planned {plural(count, 'digest')} ({plural(messages, 'message')}); sending now."


def explain_send_now(report: PlanReport | None) -> str:
    """After "Send digests now": a digest with what is new went to every active reader, or why
    not (no readers yet, nothing new since their last digest, another process planning)."""
    if report is None:
        return BUSY
    if report.due == 0:
        return NO_READERS
    parts = [_planned(report)] if report.digests else []
    if report.skipped:
        readers = plural(report.skipped, "reader")
        if report.digests:
            parts.append(f"No digest for {readers}: nothing new since their last digest.")
        else:
            parts.append(
                f"No digest sent: nothing new for the {readers} since their last digest. "
                "A digest only carries articles its reader has not had; "
                "add article files to the articles folder for something new."
            )
    return " ".join(parts)


def explain_tick(
    report: PlanReport | None, now: datetime, upcoming: NextDigest | None, *, readers: int = 0
) -> str:
    """After a clock move: the digests whose time came, or why none did and when one will
    (``readers``: how many active readers there are, to tell "all paused" from "none")."""
    if report is None:
        return BUSY
    if report.digests:
        return f"{_planned(report)} Their digest time came."
    if report.due:
        return "The digests due now were already planned by an earlier tick; nothing more to do."
    if upcoming is None:
        return ALL_PAUSED if readers else NO_READERS
    when = f"{upcoming.local_time:%H:%M} {upcoming.timezone}"
    if upcoming.at - now >= timedelta(days=1):
        when = f"{when} on {upcoming.day:%A} {upcoming.day.isoformat()}"
    return (
        "Nobody is due: each reader gets the digest at their own time, on the days their "
        f"rhythm has one. The next is at {when}, in {_span(upcoming.at - now)} on the bot's "
        "clock. Use +1 hour or +1 day to get there, or Send digests now to send everyone one now."
    )
