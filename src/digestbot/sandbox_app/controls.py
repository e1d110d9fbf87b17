"""What the sandbox's chat page can ask of the bot: send digests now, and a clock to speed up.

The emulator knows nothing of digests, so the sandboxed bot adds these routes to its ``/sandbox/``
API::

    POST /sandbox/digests/send  -> {planned, messages, due, skipped, summary}
                                   a digest now for every active reader with something new
    GET  /sandbox/clock         -> {now, speed}           the bot's "now" (ISO 8601, UTC)
    POST /sandbox/clock         {speed?, advance_minutes?}
                                -> {now, speed, planned, messages, due, skipped, summary}

``summary`` says in words what happened and why (``bot.sandbox_summary``): the page shows it.

Moving the clock runs a tick at once, and while it runs fast a tick comes every simulated
minute (at most one a second), so scheduled digests arrive as their time passes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from telegram.ext import Job

from digestbot.bot.app import PtbApplication
from digestbot.bot.context import Context
from digestbot.bot.deps import run_db
from digestbot.digest.plan import PlanReport
from digestbot.model import ReaderRhythm
from digestbot.sandbox.emulator import Emulator
from digestbot.sandbox_app.summary import (
    ReaderSchedule,
    explain_send_now,
    explain_tick,
    next_digest,
)
from digestbot.store import models as m

__all__ = [
    "MAX_ADVANCE_MINUTES",
    "MAX_SPEED",
    "SandboxClock",
    "SandboxControls",
    "add_sandbox_controls",
]

MAX_SPEED = 3600.0  # an hour a second
MAX_ADVANCE_MINUTES = 60 * 24 * 31
FAST_TICK_NAME = "digestbot: sandbox fast tick"


def _wall_now() -> datetime:
    return datetime.now(UTC)


class SandboxClock:
    """UTC "now" that starts at the real time and can run ``speed`` times faster or jump ahead."""

    def __init__(
        self,
        wall: Callable[[], datetime] = _wall_now,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._monotonic = monotonic
        self._base = wall()
        self._base_mono = monotonic()
        self.speed = 1.0

    def __call__(self) -> datetime:
        """The simulated now."""
        elapsed = self._monotonic() - self._base_mono
        return self._base + timedelta(seconds=elapsed * self.speed)

    def set_speed(self, speed: float) -> None:
        """Run ``speed`` simulated seconds per real second from now on (1 to ``MAX_SPEED``)."""
        if not 1.0 <= speed <= MAX_SPEED:
            raise ValueError(f"speed must be between 1 and {MAX_SPEED:g}")
        self._base, self._base_mono = self(), self._monotonic()
        self.speed = speed

    def advance(self, delta: timedelta) -> None:
        """Jump ahead by ``delta`` (never back: digests already planned stay planned)."""
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        self._base += delta


def _plan_view(report: PlanReport | None) -> dict[str, int]:
    if report is None:  # another process holds the tick (PostgreSQL)
        return {"planned": 0, "messages": 0, "due": 0, "skipped": 0}
    return {
        "planned": report.digests,
        "messages": report.messages,
        "due": report.due,
        "skipped": report.skipped,
    }


def _reader_schedules(session: Session) -> list[ReaderSchedule]:
    """Each distinct digest time, time zone and rhythm of the active readers."""
    s = m.Subscriber
    query = select(
        s.digest_time, s.timezone, s.rhythm, s.weekly_day, s.paused_until, s.quiet_hours
    ).where(s.state == m.SubscriberState.ACTIVE)
    return [
        ReaderSchedule(at, name, ReaderRhythm(rhythm, weekly_day, paused_until, quiet))
        for at, name, rhythm, weekly_day, paused_until, quiet in session.execute(query.distinct())
    ]


def _number(body: dict[str, Any], name: str) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number")
    return float(value)


class SandboxControls:
    """The routes' handlers, holding the application, the clock and the fast-tick job."""

    def __init__(self, emulator: Emulator, application: PtbApplication, clock: SandboxClock):
        self.emulator = emulator
        self.application = application
        self.clock = clock
        self._fast_tick: Job[Context] | None = None

    def clock_view(self) -> dict[str, Any]:
        """``{now, speed}`` as the page shows them."""
        return {"now": self.clock().isoformat(timespec="seconds"), "speed": self.clock.speed}

    async def send_digests(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /sandbox/digests/send: plan a digest for every active reader, wake the sender."""
        report = await self.application.bot_data.runtime.tick(force=True)
        return _plan_view(report) | {"summary": explain_send_now(report)}

    async def get_clock(self, body: dict[str, Any]) -> dict[str, Any]:
        """GET /sandbox/clock."""
        return self.clock_view()

    async def set_clock(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /sandbox/clock {speed?, advance_minutes?}: move time, then tick at once."""
        speed = _number(body, "speed")
        minutes = _number(body, "advance_minutes")
        if speed is None and minutes is None:
            raise ValueError("give speed or advance_minutes")
        if minutes is not None and not 0 <= minutes <= MAX_ADVANCE_MINUTES:
            raise ValueError(f"advance_minutes must be between 0 and {MAX_ADVANCE_MINUTES}")
        if speed is not None:
            self.clock.set_speed(speed)
            self._schedule_fast_tick()
        if minutes is not None:
            self.clock.advance(timedelta(minutes=minutes))
        runtime = self.application.bot_data.runtime
        report = await runtime.tick()
        self.emulator.state.notify()  # the page shows the new time
        now = self.clock()
        upcoming, readers = None, 0
        if report is not None and report.due == 0:
            schedules = await run_db(runtime.deps, _reader_schedules)
            upcoming, readers = next_digest(now, schedules), len(schedules)
        summary = explain_tick(report, now, upcoming, readers=readers)
        if speed is not None:
            summary = f"The bot's clock runs at {self.clock.speed:g}× now. {summary}"
        return self.clock_view() | _plan_view(report) | {"summary": summary}

    def _schedule_fast_tick(self) -> None:
        """Tick every simulated minute while the clock runs fast; the minute tick covers 1x."""
        if self._fast_tick is not None:
            self._fast_tick.schedule_removal()
            self._fast_tick = None
        jobs = self.application.job_queue
        if self.clock.speed > 1.0 and jobs is not None:
            interval = max(60.0 / self.clock.speed, 1.0)
            self._fast_tick = jobs.run_repeating(
                self._on_fast_tick, interval=interval, first=interval, name=FAST_TICK_NAME
            )

    async def _on_fast_tick(self, context: Context) -> None:
        """Plan what the fast clock made due."""
        await context.runtime.tick()


def add_sandbox_controls(
    emulator: Emulator, application: PtbApplication, clock: SandboxClock
) -> SandboxControls:
    """Serve ``digests/send`` and ``clock`` under the emulator's ``/sandbox/``."""
    controls = SandboxControls(emulator, application, clock)
    control = emulator.control
    control.add_route(
        "POST",
        "digests/send",
        controls.send_digests,
        "a digest now for every active reader "
        "with something new; returns {planned, messages, due, skipped, summary}",
    )
    control.add_route("GET", "clock", controls.get_clock, "the bot's clock {now, speed}")
    control.add_route(
        "POST",
        "clock",
        controls.set_clock,
        "speed up or move the bot's clock "
        "{speed?: 1..3600, advance_minutes?}, then plan what came due; returns the clock and "
        "a summary",
    )
    return controls
