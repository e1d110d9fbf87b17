"""Due-ness of scheduled digests: own zone, DST transitions, catching up, joining late."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from digestbot.digest.schedule import (
    day_start,
    due_local_date,
    first_digest_date,
    is_due,
    local_now,
    local_today,
)

SHANGHAI, LONDON = "Asia/Shanghai", "Europe/London"
ZONES = [SHANGHAI, LONDON, "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]
# Windows around Europe/London's 2024 transitions (and New York's, Lord Howe's half-hour shift).
WINDOWS = [
    datetime(2024, 3, 29, tzinfo=UTC),
    datetime(2024, 10, 25, tzinfo=UTC),
    datetime(2024, 3, 8, tzinfo=UTC),
    datetime(2024, 4, 5, tzinfo=UTC),
]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_shanghai_is_due_from_eight_local() -> None:
    assert due_local_date(utc(2024, 5, 9, 23, 59), SHANGHAI, time(8)) is None
    assert due_local_date(utc(2024, 5, 10, 0, 0), SHANGHAI, time(8)) == date(2024, 5, 10)
    assert due_local_date(utc(2024, 5, 10, 15, 59), SHANGHAI, time(8)) == date(2024, 5, 10)
    assert due_local_date(utc(2024, 5, 10, 16, 0), SHANGHAI, time(8)) is None  # next local day


def test_london_follows_summer_time() -> None:
    assert due_local_date(utc(2024, 1, 10, 8, 0), LONDON, time(8)) == date(2024, 1, 10)
    assert due_local_date(utc(2024, 7, 10, 6, 59), LONDON, time(8)) is None
    assert due_local_date(utc(2024, 7, 10, 7, 0), LONDON, time(8)) == date(2024, 7, 10)


def test_a_digest_time_in_the_skipped_hour_is_due_when_the_clock_jumps() -> None:
    # 2024-03-31: London goes from 00:59:59 GMT to 02:00 BST; 01:30 never happens.
    assert due_local_date(utc(2024, 3, 31, 0, 59), LONDON, time(1, 30)) is None
    assert due_local_date(utc(2024, 3, 31, 1, 0), LONDON, time(1, 30)) == date(2024, 3, 31)


def test_a_digest_time_in_the_repeated_hour_is_due_at_its_first_occurrence() -> None:
    # 2024-10-27: London's 01:00-01:59 happens twice (BST, then GMT).
    assert due_local_date(utc(2024, 10, 27, 0, 29), LONDON, time(1, 30)) is None
    assert due_local_date(utc(2024, 10, 27, 0, 30), LONDON, time(1, 30)) == date(2024, 10, 27)
    assert due_local_date(utc(2024, 10, 27, 1, 30), LONDON, time(1, 30)) == date(2024, 10, 27)


def test_after_downtime_only_today_is_due() -> None:
    assert due_local_date(utc(2024, 5, 12, 3, 0), SHANGHAI, time(8)) == date(2024, 5, 12)


def test_joining_after_the_digest_time_waits_for_the_next_day() -> None:
    joined = utc(2024, 5, 10, 2, 0)  # 10:00 in Shanghai
    assert first_digest_date(joined, SHANGHAI, time(8)) == date(2024, 5, 11)
    assert not is_due(utc(2024, 5, 10, 3, 0), SHANGHAI, time(8), joined)
    assert is_due(utc(2024, 5, 11, 0, 0), SHANGHAI, time(8), joined)
    early = utc(2024, 5, 9, 23, 0)  # 07:00 in Shanghai
    assert first_digest_date(early, SHANGHAI, time(8)) == date(2024, 5, 10)
    assert is_due(utc(2024, 5, 10, 0, 0), SHANGHAI, time(8), early)


def test_a_join_time_in_the_future_never_holds_a_digest_back() -> None:
    assert is_due(utc(2024, 5, 10, 1, 0), SHANGHAI, time(8), utc(2026, 1, 1))


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        due_local_date(datetime(2024, 5, 10), SHANGHAI, time(8))


@settings(max_examples=40, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    start=st.sampled_from(WINDOWS),
    offset=st.integers(0, 24 * 60),
    step=st.integers(7, 90),
    digest_time=st.times(),
)
def test_ticks_plan_each_local_date_once_in_order_at_its_time(
    zone: str, start: datetime, offset: int, step: int, digest_time: time
) -> None:
    left = 24 * 60 - (digest_time.hour * 60 + digest_time.minute) - 1
    assume(step + 60 < left)  # some tick falls between the digest time and midnight (DST: 1 h)
    now = first_tick = start + timedelta(minutes=offset)
    end = now + timedelta(days=4)
    made: dict[date, datetime] = {}
    previous: date | None = None
    while now < end:
        due = due_local_date(now, zone, digest_time)
        if due is not None:
            assert previous is None or due >= previous  # never goes back a day
            previous = due
            made.setdefault(due, now)
        now += timedelta(minutes=step)
    days = sorted(made)
    assert days == [days[0] + timedelta(days=i) for i in range(len(days))]  # none skipped
    assert len(days) >= 3
    for day, planned_at in made.items():
        local = local_now(planned_at, zone)
        assert local.date() == day
        assert local.time() >= digest_time
        if planned_at > first_tick:  # the first tick that could plan it did
            earlier = local_now(planned_at - timedelta(minutes=step), zone)
            assert earlier.date() != day or earlier.time() < digest_time


@given(
    zone=st.sampled_from(ZONES),
    moment=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
    ),
    digest_time=st.times(),
)
def test_joining_day_is_skipped_only_after_its_digest_time(
    zone: str, moment: datetime, digest_time: time
) -> None:
    first = first_digest_date(moment, zone, digest_time)
    today = local_today(moment, zone)
    assert first - today in (timedelta(0), timedelta(days=1))
    assert (first == today) == (local_now(moment, zone).time() < digest_time)


def test_day_start_is_local_midnight_in_utc() -> None:
    assert day_start(date(2024, 5, 10), SHANGHAI) == utc(2024, 5, 9, 16, 0)
    assert day_start(date(2024, 7, 10), LONDON) == utc(2024, 7, 9, 23, 0)
