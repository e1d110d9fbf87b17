"""What the sandbox page says after Send digests now or a clock move (pure functions)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from digestbot.digest.plan import PlannedDigest, PlanReport
from digestbot.digest.rhythm import is_digest_day
from digestbot.model import ReaderRhythm, Rhythm
from digestbot.sandbox_app.summary import (
    ALL_PAUSED,
    BUSY,
    NO_READERS,
    NextDigest,
    ReaderSchedule,
    explain_send_now,
    explain_tick,
    next_digest,
    plural,
)

NOW = datetime(2026, 5, 25, 22, 30, tzinfo=UTC)  # 06:30 next day in Shanghai
ZONES = ["UTC", "Asia/Shanghai", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]
instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
times = st.times()
rhythms = st.builds(
    ReaderRhythm,
    st.sampled_from(Rhythm),
    st.integers(0, 6),
    st.one_of(st.none(), st.dates(date(2000, 1, 1), date(2100, 1, 1))),
)


def planned(*messages: int) -> tuple[PlannedDigest, ...]:
    return tuple(
        PlannedDigest(1000 + i, 1 + i, date(2026, 5, 26), 0, count, count)
        for i, count in enumerate(messages)
    )


daily_schedules = st.builds(ReaderSchedule, times, st.sampled_from(ZONES))


@given(instants, st.lists(daily_schedules, min_size=1, max_size=4))
def test_the_next_daily_digest_is_the_soonest_time_after_now(
    now: datetime, schedules: list[ReaderSchedule]
) -> None:
    found = next_digest(now, schedules)
    assert found is not None
    assert now < found.at <= now + timedelta(hours=26)  # a day, and a clock change at most
    assert (found.local_time, found.timezone) in {(s.local_time, s.timezone) for s in schedules}


@given(instants, times, st.sampled_from(["UTC", "Asia/Shanghai"]), rhythms)
def test_without_clock_changes_the_next_digest_is_at_its_local_time_on_a_digest_day(
    now: datetime, at: time, name: str, rhythm: ReaderRhythm
) -> None:
    found = next_digest(now, [ReaderSchedule(at, name, rhythm)])
    if rhythm.rhythm is Rhythm.PAUSED and rhythm.paused_until is None:
        assert found is None
        return
    assert found is not None
    local = found.at.astimezone(ZoneInfo(name))
    assert local.time().replace(tzinfo=None) == at
    assert local.date() == found.day
    assert is_digest_day(rhythm, found.day)
    day = now.astimezone(ZoneInfo(name)).date()
    while day < found.day:  # no digest day in between whose time is still to come
        assert (
            not is_digest_day(rhythm, day)
            or datetime.combine(day, at, tzinfo=ZoneInfo(name)) <= now
        )
        day += timedelta(days=1)
    if rhythm.rhythm is not Rhythm.PAUSED:
        assert found.at - now <= timedelta(days=7)


def test_no_readers_no_next_digest_and_unknown_zones_and_endless_pauses_are_skipped() -> None:
    assert next_digest(NOW, []) is None
    assert next_digest(NOW, [ReaderSchedule(time(8), "Mars/Olympus_Mons")]) is None
    paused = ReaderSchedule(time(8), "UTC", ReaderRhythm(Rhythm.PAUSED))
    assert next_digest(NOW, [paused]) is None
    weekly = ReaderSchedule(time(9), "UTC", ReaderRhythm(Rhythm.WEEKLY, weekly_day=4))
    found = next_digest(NOW, [paused, weekly])  # NOW is a Monday, 22:30 UTC
    assert found == NextDigest(
        datetime(2026, 5, 29, 9, tzinfo=UTC), time(9), "UTC", date(2026, 5, 29)
    )


def test_plural() -> None:
    assert [plural(n, "digest") for n in (0, 1, 2)] == ["0 digests", "1 digest", "2 digests"]


def test_send_now_explains_each_outcome() -> None:
    assert explain_send_now(None) == BUSY
    assert explain_send_now(PlanReport()) == NO_READERS
    assert explain_send_now(PlanReport().add(2, planned(1, 2))) == (
        "Planned 2 digests (3 messages); sending now."
    )
    mixed = explain_send_now(PlanReport().add(3, planned(1)))
    assert mixed == (
        "Planned 1 digest (1 message); sending now. "
        "No digest for 2 readers: nothing new since their last digest."
    )
    nothing = explain_send_now(PlanReport().add(1, ()))
    assert nothing.startswith("No digest sent: nothing new for the 1 reader since their last")


def test_a_tick_explains_why_nobody_was_due_and_when_the_next_comes() -> None:
    upcoming = NextDigest(
        NOW + timedelta(hours=1, minutes=30), time(8), "Asia/Shanghai", date(2026, 5, 26)
    )
    said = explain_tick(PlanReport(), NOW, upcoming, readers=1)
    assert said.startswith("Nobody is due: each reader gets the digest at their own time, on")
    assert "The next is at 08:00 Asia/Shanghai, in 1 h 30 min on the bot's clock." in said
    assert "Send digests now to send everyone one now" in said
    later = NextDigest(
        NOW + timedelta(days=3, hours=1, minutes=30), time(8), "UTC", date(2026, 5, 29)
    )
    assert "The next is at 08:00 UTC on Friday 2026-05-29, in 3 days 1 h on the bot's" in (
        explain_tick(PlanReport(), NOW, later, readers=1)
    )
    assert explain_tick(PlanReport(), NOW, None) == NO_READERS
    assert explain_tick(PlanReport(), NOW, None, readers=2) == ALL_PAUSED
    assert explain_tick(None, NOW, upcoming) == BUSY
    came = explain_tick(PlanReport().add(1, planned(2)), NOW, None)
    assert came == "Planned 1 digest (2 messages); sending now. Their digest time came."
    empty = explain_tick(PlanReport().add(1, planned(0)), NOW, None)
    assert "nothing new in it, so no message is sent" in empty
    assert "already planned" in explain_tick(PlanReport().add(1, ()), NOW, None)
