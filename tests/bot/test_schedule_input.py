"""Times and zones as readers type them, and zones as readers see them (pure, with properties)."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import TypeVar

import pytest
from babel import Locale
from hypothesis import given
from hypothesis import strategies as st

from digestbot import messages
from digestbot.bot.greetings import is_greeting
from digestbot.bot.schedule_input import ScheduleInputError, parse_digest_time, parse_time_zone
from digestbot.bot.views.preferences import (
    COMMON_ZONES,
    SettingsAction,
    parse_schedule_data,
)
from digestbot.bot.zone_names import (
    LOOKUP_LOCALES,
    PSEUDO_ZONES,
    lookup_zone,
    zone_display_name,
    zone_place,
)
from digestbot.i18n import locale_for
from digestbot.model import Lang

T = TypeVar("T")
REFUSALS = {
    messages.INVALID_TIME,
    messages.INVALID_TIME_ZONE,
    messages.TIME_ZONE_SEVERAL,
    messages.TIME_ZONE_WHOLE_HOURS,
}
# Every zone tzdata has but the two that are whatever the machine links them to (Factory stays:
# it is UTC and reads "UTC").
ZONES = sorted(zoneinfo.available_timezones() - {"localtime", "posixrules"})
ZH, HANT, EN = Locale.parse("zh_Hans_CN"), Locale.parse("zh_Hant_TW"), Locale.parse("en")
MORNING, AFTERNOON, EVENING = ("早上", "上午", "凌晨"), ("下午",), ("晚上",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7点半", time(7, 30)),
        ("早上7点", time(7)),
        ("下午6点", time(18)),
        ("6pm", time(18)),
        ("6 PM", time(18)),
        ("6:30 p.m.", time(18, 30)),
        ("12am", time(0)),
        ("12pm", time(12)),
        ("18:30", time(18, 30)),
        ("１８：３０", time(18, 30)),
        ("晚上九点一刻", time(21, 15)),
        ("七点零五", time(7, 5)),
        ("7点05分", time(7, 5)),
        ("十二点三刻", time(12, 45)),
        ("中午12点", time(12)),
        ("中午1点", time(13)),
        ("凌晨12点", time(0)),
        ("晚上12点", time(0)),
        ("下午6:30", time(18, 30)),
        ("noon", time(12)),
        ("8点。", time(8)),
    ],
)
def test_times_in_the_readers_words(text: str, expected: time) -> None:
    assert parse_digest_time(text) == expected


@pytest.mark.parametrize(
    "text",
    ["13pm", "0am", "早上13点", "下午0点", "7点60", "九十九点", "二十五点", "下午8am", "7点半半"],
)
def test_times_that_cannot_be(text: str) -> None:
    with pytest.raises(ScheduleInputError):
        parse_digest_time(text)


def _outcome(parse: Callable[[str], T], text: str) -> T | ScheduleInputError:
    """What ``parse`` makes of ``text``: its value, or the refusal the reader is shown."""
    try:
        return parse(text)
    except ScheduleInputError as error:
        return error


@given(st.text(max_size=30))
def test_any_text_is_a_time_or_an_explained_refusal(text: str) -> None:
    outcome = _outcome(parse_digest_time, text)
    assert isinstance(outcome, time) or outcome.message in REFUSALS


@given(st.integers(0, 23), st.integers(0, 59))
def test_clock_times_round_trip(hour: int, minute: int) -> None:
    at = time(hour, minute)
    assert parse_digest_time(f"{hour}:{minute:02d}") == at
    assert parse_digest_time(f"{at:%H:%M}") == at
    twelve = hour % 12 or 12
    assert parse_digest_time(f"{twelve}:{minute:02d}{'pm' if hour >= 12 else 'am'}") == at


@given(st.integers(0, 23), st.integers(0, 59))
def test_chinese_times_round_trip(hour: int, minute: int) -> None:
    twelve = hour % 12 or 12
    period = "凌晨" if hour == 0 else ("上午" if hour < 12 else "下午")
    said = f"{period}{twelve}点{minute}分" if minute else f"{period}{twelve}点"
    assert parse_digest_time(said) == time(hour, minute)
    assert parse_digest_time(f"{hour}点{minute:02d}") == time(hour, minute)


def _numerals(n: int) -> str:
    """``n`` (0 to 59) in Chinese numerals: 七, 十五, 二十三."""
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    if not tens:
        return digits[ones]
    return f"{digits[tens] if tens > 1 else ''}十{digits[ones] if ones else ''}"


@given(st.integers(0, 23), st.integers(1, 59))
def test_times_in_chinese_numerals_round_trip(hour: int, minute: int) -> None:
    assert parse_digest_time(f"{_numerals(hour)}点{_numerals(minute)}分") == time(hour, minute)
    assert parse_digest_time(f"{_numerals(hour)}点") == time(hour)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("北京", "Asia/Shanghai"),
        ("北京时间", "Asia/Shanghai"),
        ("上海", "Asia/Shanghai"),
        ("中国", "Asia/Shanghai"),
        ("台北", "Asia/Taipei"),
        ("台灣時間", "Asia/Taipei"),
        ("香港", "Asia/Hong_Kong"),
        ("伦敦", "Europe/London"),
        ("倫敦", "Europe/London"),
        ("纽约", "America/New_York"),
        ("London", "Europe/London"),
        ("new york", "America/New_York"),
        ("Tokyo", "Asia/Tokyo"),
        ("Singapore", "Asia/Singapore"),
        ("United Kingdom Time", "Europe/London"),
        ("UTC+8", "Etc/GMT-8"),
        ("GMT-5", "Etc/GMT+5"),
        ("UTC＋８", "Etc/GMT-8"),
        ("东八区", "Etc/GMT-8"),
        ("西五区", "Etc/GMT+5"),
        ("UTC", "UTC"),
        ("Etc/UTC", "UTC"),
    ],
)
def test_zones_in_the_readers_words(text: str, expected: str) -> None:
    assert parse_time_zone(text) == expected


@pytest.mark.parametrize("text", ["美国", "United States", "Russia", "俄罗斯"])
def test_a_country_with_several_zones_asks_for_a_city(text: str) -> None:
    with pytest.raises(ScheduleInputError) as caught:
        parse_time_zone(text)
    assert "several" in caught.value.message


@given(st.text(max_size=40))
def test_any_text_is_a_zone_or_an_explained_refusal(text: str) -> None:
    outcome = _outcome(parse_time_zone, text)
    if isinstance(outcome, ScheduleInputError):
        assert outcome.message in REFUSALS
    else:
        zoneinfo.ZoneInfo(outcome)  # storable and usable by the rest of the code


@given(st.sampled_from(ZONES), st.sampled_from(LOOKUP_LOCALES))
def test_a_shown_zone_read_back_keeps_the_clock(name: str, locale_id: str) -> None:
    """Whatever a zone is shown as, typed back, names a zone with the same time now."""
    shown = zone_display_name(name, Locale.parse(locale_id))
    assert "/" not in shown or shown.startswith("UTC")
    back = parse_time_zone(shown)
    now = datetime(2026, 1, 15, 12, tzinfo=UTC)
    for moment in (now, now + timedelta(days=182)):
        assert (
            moment.astimezone(zoneinfo.ZoneInfo(back)).utcoffset()
            == moment.astimezone(zoneinfo.ZoneInfo(name)).utcoffset()
        ), (name, shown, back)


@given(st.integers(-12, 14))
def test_offsets_round_trip_through_their_label(hours: int) -> None:
    label = "UTC" if hours == 0 else f"UTC{hours:+d}"
    name = parse_time_zone(label)
    assert zone_display_name(name, ZH) == label
    assert zoneinfo.ZoneInfo(name).utcoffset(datetime(2026, 1, 1)) == timedelta(hours=hours)


@pytest.mark.parametrize(
    ("name", "locale", "shown"),
    [
        ("Asia/Shanghai", ZH, "中国时间"),
        ("Asia/Taipei", HANT, "台灣時間"),
        ("Europe/London", EN, "United Kingdom Time"),
        ("America/New_York", EN, "United States (New York) Time"),
        ("Asia/Calcutta", EN, "India Time"),
        ("Etc/GMT-8", EN, "UTC+8"),
        ("Etc/GMT+5", ZH, "UTC-5"),
    ],
)
def test_zones_are_shown_by_their_localized_names(name: str, locale: Locale, shown: str) -> None:
    assert zone_display_name(name, locale) == shown


@pytest.mark.parametrize("lang", list(Lang))
def test_every_offered_zone_has_a_short_place_and_reads_back(lang: Lang) -> None:
    locale = locale_for(lang)
    for name in COMMON_ZONES[lang]:
        place = zone_place(name, locale)
        assert "/" not in place
        assert len(place) <= 16
        assert parse_time_zone(place) == name
        choice = parse_schedule_data(f"tz:{name}")
        assert choice is not None
        assert choice.timezone == name
        assert len(f"tz:{name}".encode()) <= 64


@given(st.text(max_size=70))
def test_schedule_data_is_a_choice_or_nothing(data: str) -> None:
    choice = parse_schedule_data(data)
    if choice is not None:
        assert choice.action in (SettingsAction.TIME, SettingsAction.TIME_ZONE)
        if choice.timezone is not None:
            zoneinfo.ZoneInfo(choice.timezone)


@given(st.integers(0, 23), st.integers(0, 59))
def test_time_data_round_trips(hour: int, minute: int) -> None:
    choice = parse_schedule_data(f"time:{hour:02d}{minute:02d}")
    assert choice is not None
    assert choice.digest_time == time(hour, minute)


@pytest.mark.parametrize("text", ["你好", "您好！", "hello", "Hi!", "hiii", "嗨～", "Good morning"])
def test_greetings(text: str) -> None:
    assert is_greeting(text)


@pytest.mark.parametrize("text", ["你好世界", "hello kitty", "芯片", "hi-tech", "", "high"])
def test_searches_are_not_greetings(text: str) -> None:
    assert not is_greeting(text)


@pytest.mark.parametrize("name", sorted(PSEUDO_ZONES))
def test_pseudo_zones_are_no_places_and_a_stored_one_reads_utc(name: str) -> None:
    assert lookup_zone(name) is None
    with pytest.raises(ScheduleInputError):
        parse_time_zone(name)
    assert parse_schedule_data(f"tz:{name}") is None  # a forged button
    for locale in (ZH, HANT, EN):
        assert zone_display_name(name, locale) == "UTC"
        assert zone_place(name, locale) == "UTC"


def test_factory_reads_utc_and_keeps_utcs_clock() -> None:
    shown = zone_display_name("Factory", ZH)
    assert shown == "UTC"
    now = datetime(2026, 1, 15, 12, tzinfo=UTC)
    back = zoneinfo.ZoneInfo(parse_time_zone(shown))
    assert (
        now.astimezone(back).utcoffset() == now.astimezone(zoneinfo.ZoneInfo("Factory")).utcoffset()
    )


def test_hong_kong_readers_see_zone_names_without_daylight_time() -> None:
    """Babel keeps zh_Hant_HK's daylight format ("{0}夏令時間") as its only region format."""
    hong_kong = Locale.parse("zh_Hant_HK")
    assert zone_display_name("Asia/Shanghai", hong_kong) == "中國時間"
    assert zone_display_name("Asia/Hong_Kong", hong_kong) == "中國香港特別行政區時間"
    assert not [z for z in ZONES if "夏令" in zone_display_name(z, hong_kong)]
