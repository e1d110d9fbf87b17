"""What the sandbox page says after Send digests now or a clock move (pure functions)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from digestbot.digest.plan import PlannedDigest, PlanReport
from digestbot.sandbox_app.summary import (
    BUSY,
    NO_READERS,
    NextDigest,
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


def planned(*messages: int) -> tuple[PlannedDigest, ...]:
    return tuple(
        PlannedDigest(1000 + i, 1 + i, date(2026, 5, 26), 0, count, count)
        for i, count in enumerate(messages)
    )


@given(instants, st.lists(st.tuples(times, st.sampled_from(ZONES)), min_size=1, max_size=4))
def test_the_next_digest_is_the_soonest_time_after_now(
    now: datetime, schedules: list[tuple[time, str]]
) -> None:
    found = next_digest(now, schedules)
    assert found is not None
    assert now < found.at <= now + timedelta(hours=26)  # a day, and a clock change at most
    assert (found.local_time, found.timezone) in schedules


@given(instants, times, st.sampled_from(["UTC", "Asia/Shanghai"]))
def test_without_clock_changes_the_next_digest_is_at_its_local_time(
    now: datetime, at: time, name: str
) -> None:
    found = next_digest(now, [(at, name)])
    assert found is not None
    local = found.at.astimezone(ZoneInfo(name))
    assert local.time().replace(tzinfo=None) == at
    assert found.at - now <= timedelta(days=1)


def test_no_readers_no_next_digest_and_unknown_zones_are_skipped() -> None:
    assert next_digest(NOW, []) is None
    assert next_digest(NOW, [(time(8), "Mars/Olympus_Mons")]) is None


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
    upcoming = NextDigest(NOW + timedelta(hours=1, minutes=30), time(8), "Asia/Shanghai")
    said = explain_tick(PlanReport(), NOW, upcoming)
    assert said.startswith("Nobody is due: each reader gets the digest at their own time.")
    assert "The next is at 08:00 Asia/Shanghai, in 1 h 30 min on the bot's clock." in said
    assert "Send digests now to send everyone one now" in said
    assert explain_tick(PlanReport(), NOW, None) == NO_READERS
    assert explain_tick(None, NOW, upcoming) == BUSY
    came = explain_tick(PlanReport().add(1, planned(2)), NOW, None)
    assert came == "Planned 1 digest (2 messages); sending now. Their digest time came."
    empty = explain_tick(PlanReport().add(1, planned(0)), NOW, None)
    assert "nothing new in it, so no message is sent" in empty
    assert "already planned" in explain_tick(PlanReport().add(1, ()), NOW, None)
