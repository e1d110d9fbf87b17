"""The day a pause ends, as readers type it in Chinese and English (pure, with properties)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from digestbot import messages
from digestbot.bot.pause_input import MAX_PAUSE_DAYS, parse_pause_end
from digestbot.bot.schedule_input import ScheduleInputError

SUNDAY = date(2026, 12, 6)
REFUSALS = {messages.INVALID_PAUSE_DATE, messages.PAUSE_DATE_NOT_AHEAD, messages.PAUSE_DATE_TOO_FAR}
todays = st.dates(date(2000, 1, 1), date(2100, 12, 31))
ahead = st.integers(1, MAX_PAUSE_DAYS)
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
CHINESE_DIGITS = "零一二三四五六七八九"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12月25日", date(2026, 12, 25)),
        ("12月25号", date(2026, 12, 25)),
        ("12月25號", date(2026, 12, 25)),
        ("十二月二十五日", date(2026, 12, 25)),
        ("１２月２５日", date(2026, 12, 25)),
        ("2027年1月3日", date(2027, 1, 3)),
        ("2026-12-25", date(2026, 12, 25)),
        ("2026/12/25", date(2026, 12, 25)),
        ("12/25", date(2026, 12, 25)),
        ("25/12", date(2026, 12, 25)),
        ("1/3", date(2027, 1, 3)),
        ("25 Dec", date(2026, 12, 25)),
        ("Dec 25", date(2026, 12, 25)),
        ("December 25th, 2026", date(2026, 12, 25)),
        ("the 3rd of January", date(2027, 1, 3)),
        ("12月5日", date(2027, 12, 5)),  # this year's has gone: next year's
        ("25号", date(2026, 12, 25)),
        ("3号", date(2027, 1, 3)),
        ("下周一", date(2026, 12, 7)),  # Sunday: next week starts tomorrow
        ("下週五", date(2026, 12, 11)),
        ("下周", date(2026, 12, 7)),
        ("周一", date(2026, 12, 7)),
        ("星期天", date(2026, 12, 13)),  # the coming one, not today
        ("礼拜三", date(2026, 12, 9)),
        ("next monday", date(2026, 12, 7)),
        ("Next Monday", date(2026, 12, 7)),
        ("friday", date(2026, 12, 11)),
        ("sun", date(2026, 12, 13)),
        ("next week", date(2026, 12, 7)),
        ("3天", date(2026, 12, 9)),
        ("3天后", date(2026, 12, 9)),
        ("3 days", date(2026, 12, 9)),
        ("in 3 days", date(2026, 12, 9)),
        ("两周", date(2026, 12, 20)),
        ("兩週", date(2026, 12, 20)),
        ("一个星期", date(2026, 12, 13)),
        ("2 weeks", date(2026, 12, 20)),
        ("a week", date(2026, 12, 13)),
        ("1个月", date(2027, 1, 6)),
        ("a month", date(2027, 1, 6)),
        ("明天", date(2026, 12, 7)),
        ("后天", date(2026, 12, 8)),
        ("tomorrow", date(2026, 12, 7)),
        ("  Dec 25. ", date(2026, 12, 25)),
    ],
)
def test_what_readers_type_is_read_as_the_day_digests_come_again(text: str, expected: date) -> None:
    assert parse_pause_end(text, SUNDAY) == expected


def test_weekdays_in_the_middle_of_a_week() -> None:
    wednesday = date(2026, 12, 9)
    assert parse_pause_end("下周一", wednesday) == date(2026, 12, 14)
    assert parse_pause_end("下周三", wednesday) == date(2026, 12, 16)
    assert parse_pause_end("周五", wednesday) == date(2026, 12, 11)  # this week's, still ahead
    assert parse_pause_end("next monday", wednesday) == date(2026, 12, 14)
    assert parse_pause_end("wednesday", wednesday) == date(2026, 12, 16)


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ("今天", messages.PAUSE_DATE_NOT_AHEAD),
        ("12月6日", messages.PAUSE_DATE_NOT_AHEAD),  # today
        ("2026-12-01", messages.PAUSE_DATE_NOT_AHEAD),
        ("2025年12月25日", messages.PAUSE_DATE_NOT_AHEAD),
        ("0天", messages.PAUSE_DATE_NOT_AHEAD),
        ("2028-01-01", messages.PAUSE_DATE_TOO_FAR),
        ("400 days", messages.PAUSE_DATE_TOO_FAR),
        ("60周", messages.PAUSE_DATE_TOO_FAR),
        ("13个月", messages.PAUSE_DATE_TOO_FAR),
        ("9999 months", messages.PAUSE_DATE_TOO_FAR),
        ("soon", messages.INVALID_PAUSE_DATE),
        ("下下周", messages.INVALID_PAUSE_DATE),
        ("2月30日", messages.INVALID_PAUSE_DATE),
        ("2026-13-01", messages.INVALID_PAUSE_DATE),
        ("3月", messages.INVALID_PAUSE_DATE),  # March, not three months
        ("", messages.INVALID_PAUSE_DATE),
    ],
)
def test_a_past_far_or_unreadable_day_is_refused_with_the_reason(text: str, refusal: str) -> None:
    with pytest.raises(ScheduleInputError) as raised:
        parse_pause_end(text, SUNDAY)
    assert raised.value.message == refusal
    assert raised.value.value == text.strip()


@given(st.text(max_size=30), todays)
@example("9999-12-31", date(2100, 1, 1))
@example("99999 weeks", date(2100, 1, 1))
def test_whatever_is_accepted_is_after_today_and_within_a_year(text: str, today: date) -> None:
    try:
        found: date | str = parse_pause_end(text, today)
    except ScheduleInputError as error:
        found = error.message
    if isinstance(found, str):
        assert found in REFUSALS
    else:
        assert today < found <= today + timedelta(days=MAX_PAUSE_DAYS)


def _written(day: date, style: int) -> str:
    return [
        day.isoformat(),
        f"{day.year}年{day.month}月{day.day}日",
        f"{day.day} {MONTHS[day.month - 1]} {day.year}",
        f"{MONTHS[day.month - 1]} {day.day}, {day.year}",
        f"{day.month}/{day.day}/{day.year}",
    ][style]


@given(todays, ahead, st.integers(0, 4))
def test_a_written_date_within_a_year_is_that_date(today: date, days: int, style: int) -> None:
    day = today + timedelta(days=days)
    assert parse_pause_end(_written(day, style), today) == day


def _on(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


@given(todays, ahead, st.sampled_from(["{m}月{d}日", "{m}月{d}号", "{d} {mon}", "{mon} {d}"]))
def test_a_date_without_a_year_is_the_next_one_to_come(today: date, days: int, form: str) -> None:
    day = today + timedelta(days=days)
    year_before = _on(day.year - 1, day.month, day.day)
    assume(year_before is None or year_before < today)  # ``day`` is the next one after today
    text = form.format(m=day.month, d=day.day, mon=MONTHS[day.month - 1])
    assert parse_pause_end(text, today) == day


@given(
    todays, st.integers(1, MAX_PAUSE_DAYS), st.sampled_from(["{n}天", "{n} days", "in {n} days"])
)
def test_days_from_now(today: date, n: int, form: str) -> None:
    assert parse_pause_end(form.format(n=n), today) == today + timedelta(days=n)


@given(todays, st.integers(1, 52), st.sampled_from(["{n}周", "{n}個星期", "{n} weeks"]))
def test_weeks_from_now(today: date, n: int, form: str) -> None:
    assert parse_pause_end(form.format(n=n), today) == today + timedelta(weeks=n)


@given(todays, st.integers(1, 9))
def test_chinese_numerals_count_like_digits(today: date, n: int) -> None:
    assert parse_pause_end(f"{CHINESE_DIGITS[n]}周", today) == today + timedelta(weeks=n)


@given(todays, st.integers(0, 6))
def test_next_week_weekdays_are_in_the_week_after_this_one(today: date, weekday: int) -> None:
    found = parse_pause_end(f"下周{'一二三四五六日'[weekday]}", today)
    assert found.weekday() == weekday
    this_monday = today - timedelta(days=today.weekday())
    assert found - this_monday == timedelta(days=7 + weekday)
    coming = parse_pause_end(f"星期{'一二三四五六日'[weekday]}", today)
    assert coming.weekday() == weekday
    assert timedelta(days=1) <= coming - today <= timedelta(days=7)
