"""Front-matter field readers on hostile values: bounded messages, dates within the calendar."""

from __future__ import annotations

import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digestbot.articles.fields import (
    EARLIEST_DATE,
    LATEST_DATE,
    optional_str,
    parse_date,
    parse_key,
    parse_lang,
    parse_tags,
    short_repr,
)
from digestbot.errors import ArticleError


def laughs(levels: int) -> list[object]:
    """A list shared ``levels`` deep, nine times at each level: 9**levels strings when walked."""
    value: list[object] = ["lol"] * 9
    for _ in range(levels - 1):
        value = [value] * 9
    return value


def recursive() -> list[object]:
    value: list[object] = ["a"]
    value.append(value)
    return value


# --- short_repr ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "xyz",
        42,
        1.5,
        None,
        True,
        b"\x00",
        date(2024, 5, 12),
        datetime(2024, 5, 12, 4, tzinfo=UTC),
        ["a", 1, None],
        {"a": [1, 2]},
        (1, 2),
        "x" * 100,
        list(range(100)),
    ],
)
def test_short_repr_is_repr_cut_to_the_limit(value: object) -> None:
    expected = repr(value) if len(repr(value)) <= 40 else repr(value)[:39] + "…"
    assert short_repr(value) == expected


@pytest.mark.parametrize(
    "value",
    [laughs(12), recursive(), 10**100_000, {"k": laughs(12)}, "x" * 10_000_000],
    ids=["laughs", "recursive", "huge-number", "laughs-in-a-map", "long-string"],
)
def test_short_repr_is_bounded_whatever_the_value(value: object) -> None:
    tracemalloc.start()
    started = time.thread_time()
    try:
        text = short_repr(value)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(text) <= 40
    assert time.thread_time() - started < 0.1
    assert peak < 1024 * 1024


def test_short_repr_of_a_huge_number() -> None:
    assert short_repr(2**5000) == "<number of 5,001 bits>"


@given(
    st.recursive(
        st.none() | st.integers() | st.text(), lambda c: st.lists(c) | st.dictionaries(st.text(), c)
    )
)
def test_short_repr_never_exceeds_the_limit(value: object) -> None:
    assert len(short_repr(value)) <= 40


# --- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "9999-12-31T23:59:59Z",
        "9999-01-01",
        "0001-01-01",
        "0001-12-31T23:59:59",
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(1, 1, 1),
        date(9999, 12, 31),
        date(1, 1, 1),
        datetime(9999, 1, 1, tzinfo=timezone(timedelta(hours=-5))),
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_refused(value: object) -> None:
    with pytest.raises(
        ArticleError, match=r"^date .* is out of range \(0002-01-01 to 9998-12-31\)$"
    ):
        parse_date(value)


def test_out_of_range_reason_shows_the_written_date() -> None:
    with pytest.raises(ArticleError) as caught:
        parse_date(date(1, 1, 1))
    assert str(caught.value) == "date 0001-01-01 is out of range (0002-01-01 to 9998-12-31)"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0002-01-01", EARLIEST_DATE),
        ("9998-12-31T23:59:59.999999Z", LATEST_DATE),
        ("0002-01-01T05:00:00+05:00", EARLIEST_DATE),
        (date(9998, 12, 31), datetime(9998, 12, 31, tzinfo=UTC)),
    ],
)
def test_dates_at_the_limits_are_kept(value: object, expected: datetime) -> None:
    assert parse_date(value) == expected


def test_date_that_leaves_the_calendar_in_utc_is_invalid() -> None:
    with pytest.raises(ArticleError, match=r"^invalid date"):
        parse_date("0001-01-01T00:00:00+14:00")


offsets = st.builds(timezone, st.integers(-1439, 1439).map(lambda m: timedelta(minutes=m)))
near_the_ends = st.datetimes(max_value=datetime(2, 1, 3)) | st.datetimes(
    min_value=datetime(9998, 12, 29)
)


@given(
    st.builds(lambda moment, zone: moment.replace(tzinfo=zone), near_the_ends, st.none() | offsets)
    | near_the_ends.map(datetime.date)
)
def test_every_accepted_date_fits_in_every_zone(value: date) -> None:
    try:
        moment = parse_date(value)
    except ArticleError:
        return
    for hours in (-24, 24):
        (moment + timedelta(hours=hours)).astimezone(timezone(timedelta(hours=hours // 2)))


# --- other fields -------------------------------------------------------------------------------


def test_lang_of_a_bomb_is_refused_without_walking_it() -> None:
    started = time.thread_time()
    with pytest.raises(ArticleError, match=r"^unknown lang \[\[\[\["):
        parse_lang(laughs(12))
    assert time.thread_time() - started < 0.1


@pytest.mark.parametrize("reader", [parse_tags, lambda v: optional_str(v, "title")])
def test_numbers_too_long_to_print_are_refused(reader: object) -> None:
    with pytest.raises(ArticleError, match="number over 1024 bits"):
        reader(10**5000)  # type: ignore[operator]
    with pytest.raises(ArticleError, match="number over 1024 bits"):
        parse_key(10**5000, "k")


def test_control_characters_are_removed_from_strings() -> None:
    assert optional_str("A\x00 title\x1b[31m\x85\ud800", "title") == "A title[31m"
    assert optional_str("tab\tand\nnewline stay", "title") == "tab\tand\nnewline stay"
    assert parse_tags(["wor\x00ld", "\x07"]) == ("world",)
    assert parse_key("id\x00", "k") == "id"
