"""What the sandbox page says after "Send digests now" or a clock move: what happened and why.

Pure functions of a planning report (and, when nobody was due, the readers' digest times), so the
operator reads "nothing new since their last digest" instead of "Planned 0 digest(s)". Operator
text, so English.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from digestbot.digest.plan import PlanReport
from digestbot.digest.schedule import zone

__all__ = [
    "BUSY",
    "NO_READERS",
    "NextDigest",
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


@dataclass(frozen=True, slots=True)
class NextDigest:
    """When the soonest scheduled digest comes: the instant (UTC) and the reader's local time."""

    at: datetime
    local_time: time
    timezone: str


def plural(count: int, word: str) -> str:
    """``1 digest``, ``2 digests``."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def _span(delta: timedelta) -> str:
    """``2 h 41 min``, ``41 min``, ``under a minute``."""
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours} h {minutes} min"
    if hours:
        return f"{hours} h"
    return f"{minutes} min" if minutes else "under a minute"


def next_digest(now: datetime, schedules: Iterable[tuple[time, str]]) -> NextDigest | None:
    """The soonest digest time strictly after ``now`` among ``(local time, zone)`` schedules;
    None without any (unknown zones are skipped, as the planner skips them)."""
    soonest: NextDigest | None = None
    for local_time, name in schedules:
        try:
            tz = zone(name)
        except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
            continue
        local = now.astimezone(tz)
        at = datetime.combine(local.date(), local_time, tzinfo=tz).astimezone(UTC)
        day = 0
        while at <= now:  # a day on, twice at most (a clock change can shorten a day)
            day += 1
            at = datetime.combine(local.date() + timedelta(days=day), local_time, tzinfo=tz)
            at = at.astimezone(UTC)
        if soonest is None or at < soonest.at:
            soonest = NextDigest(at, local_time, name)
    return soonest


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


def explain_tick(report: PlanReport | None, now: datetime, upcoming: NextDigest | None) -> str:
    """After a clock move: the digests whose time came, or why none did and when one will."""
    if report is None:
        return BUSY
    if report.digests:
        return f"{_planned(report)} Their digest time came."
    if report.due:
        return "The digests due now were already planned by an earlier tick; nothing more to do."
    if upcoming is None:
        return NO_READERS
    return (
        "Nobody is due: each reader gets the digest at their own time. The next is at "
        f"{upcoming.local_time:%H:%M} {upcoming.timezone}, in {_span(upcoming.at - now)} "
        "on the bot's clock. Use +1 hour or +1 day to get there, or Send digests now to send "
        "everyone one now."
    )
