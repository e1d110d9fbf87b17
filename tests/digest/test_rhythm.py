"""A reader's rhythm: digest days (daily, weekdays, weekly, paused) and quiet hours for pushes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from digestbot.digest.rhythm import (
    in_quiet_hours,
    is_digest_day,
    next_digest_day,
    push_allowed,
    push_time,
)
from digestbot.model import ReaderRhythm, Rhythm

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))
rhythms = st.builds(
    ReaderRhythm,
    rhythm=st.sampled_from(Rhythm),
    weekly_day=st.integers(0, 6),
    paused_until=st.none() | days,
    quiet_hours=st.booleans(),
)
moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1))


def test_the_rhythms_on_a_known_week() -> None:
    monday = date(2026, 12, 7)
    week = [monday + timedelta(days=i) for i in range(7)]
    shown = {
        "daily": ReaderRhythm(),
        "weekdays": ReaderRhythm(Rhythm.WEEKDAYS),
        "weekly on Wednesday": ReaderRhythm(Rhythm.WEEKLY, weekly_day=2),
        "paused until Saturday": ReaderRhythm(Rhythm.PAUSED, paused_until=date(2026, 12, 12)),
        "paused": ReaderRhythm(Rhythm.PAUSED),
    }
    got = {name: [is_digest_day(r, d) for d in week] for name, r in shown.items()}
    assert got == {
        "daily": [True] * 7,
        "weekdays": [True] * 5 + [False] * 2,
        "weekly on Wednesday": [False, False, True, False, False, False, False],
        "paused until Saturday": [False] * 5 + [True] * 2,
        "paused": [False] * 7,
    }


@given(rhythms, days)
def test_next_digest_day_is_the_first_digest_day_from_then(rhythm: ReaderRhythm, day: date) -> None:
    found = next_digest_day(rhythm, day)
    if found is None:
        assert rhythm.rhythm is Rhythm.PAUSED
        assert rhythm.paused_until is None
        assert not any(is_digest_day(rhythm, day + timedelta(days=i)) for i in range(30))
        return
    assert found >= day
    assert is_digest_day(rhythm, found)
    span = (found - day).days
    assert not any(is_digest_day(rhythm, day + timedelta(days=i)) for i in range(span))


@given(rhythms.filter(lambda r: r.rhythm is not Rhythm.PAUSED), days)
def test_every_rhythm_but_a_pause_has_a_digest_each_week(rhythm: ReaderRhythm, day: date) -> None:
    week = [day + timedelta(days=i) for i in range(7)]
    count = sum(is_digest_day(rhythm, d) for d in week)
    assert count == {Rhythm.DAILY: 7, Rhythm.WEEKDAYS: 5, Rhythm.WEEKLY: 1}[rhythm.rhythm]


def test_quiet_hours_are_ten_at_night_to_seven_in_the_morning() -> None:
    assert [in_quiet_hours(time(h)) for h in (6, 7, 12, 21, 22, 23, 0)] == [
        True, False, False, False, True, True, True,
    ]  # fmt: skip
    assert in_quiet_hours(time(21, 59, 59)) is False
    assert in_quiet_hours(time(6, 59, 59)) is True


def test_a_push_in_quiet_hours_waits_for_seven() -> None:
    reader = ReaderRhythm()
    assert push_time(reader, datetime(2026, 12, 7, 23, 30)) == datetime(2026, 12, 8, 7, 0)
    assert push_time(reader, datetime(2026, 12, 8, 3, 0)) == datetime(2026, 12, 8, 7, 0)
    assert push_time(reader, datetime(2026, 12, 8, 9, 0)) == datetime(2026, 12, 8, 9, 0)
    night_owl = ReaderRhythm(quiet_hours=False)
    assert push_time(night_owl, datetime(2026, 12, 8, 3, 0)) == datetime(2026, 12, 8, 3, 0)


@given(rhythms, moments)
def test_a_push_never_goes_in_quiet_hours_nor_while_paused(
    rhythm: ReaderRhythm, local: datetime
) -> None:
    when = push_time(rhythm, local)
    paused = rhythm.rhythm is Rhythm.PAUSED and not is_digest_day(rhythm, local.date())
    if paused:
        assert when is None
        assert not push_allowed(rhythm, local)
        return
    assert when is not None
    assert local <= when <= local + timedelta(hours=9)
    if rhythm.quiet_hours:
        assert not in_quiet_hours(when.time())
    else:
        assert when == local
    assert push_allowed(rhythm, local) == (when == local)
