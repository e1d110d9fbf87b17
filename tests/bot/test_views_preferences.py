"""The preference views and reply parsing, as pure functions: codecs, pages, labels, input."""

from __future__ import annotations

from datetime import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digestbot.bot.schedule_input import (
    ScheduleInputError,
    parse_digest_time,
    parse_time_zone,
    zone_label,
)
from digestbot.bot.views.preferences import (
    TAG_DONE_DATA,
    TAGS_PER_PAGE,
    SettingsAction,
    TagAction,
    common_zones,
    parse_settings_data,
    parse_tag_data,
    render_settings,
    render_tags,
    tag_page_data,
    tag_toggle_data,
)
from digestbot.bot.views.start import language_data, language_keyboard, parse_language_data
from digestbot.chinese_script import Script
from digestbot.config import ReaderSettings
from digestbot.i18n import translator
from digestbot.model import Lang
from digestbot.store.models import SubscriberState
from digestbot.store.subscribers import Profile, TagInfo

TAG_IDS = st.integers(min_value=1, max_value=10**18 - 1)
PAGES = st.integers(min_value=0, max_value=999_999)
LABELS = ReaderSettings(tag_labels={"world": {Lang.ZH: "国际"}})


def _tags(names: list[str]) -> list[TagInfo]:
    return [TagInfo(index + 1, name, index) for index, name in enumerate(names)]


def _data(markup: object) -> list[str]:
    rows = getattr(markup, "inline_keyboard", ())
    return [str(button.callback_data) for row in rows for button in row]


@given(TAG_IDS, PAGES)
def test_tag_toggle_data_round_trips_within_64_bytes(tag_id: int, page: int) -> None:
    data = tag_toggle_data(tag_id, page)
    assert len(data.encode()) <= 64
    assert parse_tag_data(data) == TagAction(page=page, tag_id=tag_id)


@given(PAGES)
def test_tag_page_data_round_trips(page: int) -> None:
    assert parse_tag_data(tag_page_data(page)) == TagAction(page=page)
    assert parse_tag_data(TAG_DONE_DATA) == TagAction(page=0, done=True)


@given(st.text(max_size=70))
def test_foreign_data_is_not_a_tag_action(data: str) -> None:
    parsed = parse_tag_data(data)
    assert parsed is None or data.startswith("tag:")


def test_language_and_settings_codecs() -> None:
    assert parse_language_data(language_data(Lang.ZH)) == (Lang.ZH, False)
    assert parse_language_data(language_data(Lang.ZH, traditional=True)) == (Lang.ZH, True)
    assert parse_language_data(language_data(Lang.EN)) == (Lang.EN, None)
    assert parse_language_data("lang:fr") is None
    assert _data(language_keyboard()) == ["lang:zh", "lang:zh-hant", "lang:en"]
    for action in SettingsAction:
        assert parse_settings_data(action.value) is action
    assert parse_settings_data("set:nope") is None


@given(
    st.lists(st.text(min_size=1, max_size=200), min_size=1, max_size=60, unique=True),
    st.integers(min_value=-3, max_value=20),
)
def test_every_tag_is_on_exactly_one_page_and_data_fits(names: list[str], page: int) -> None:
    tags = _tags(names)
    tr = translator(Lang.EN)
    pages = -(-len(tags) // TAGS_PER_PAGE)
    seen: list[str] = []
    for number in range(pages):
        _, markup = render_tags(tr, LABELS, tags, (), number)
        data = _data(markup)
        assert all(len(d.encode()) <= 64 for d in data)
        seen += [d for d in data if d.startswith("tag:t:")]
    assert seen == [tag_toggle_data(tag.id, tags.index(tag) // TAGS_PER_PAGE) for tag in tags]
    text, markup = render_tags(tr, LABELS, tags, (), page)  # out of range pages are clamped
    assert markup is not None
    assert text


def test_followed_tags_are_checked_escaped_and_localized() -> None:
    tags = _tags(["world", "a<b>&c"])
    text, markup = render_tags(translator(Lang.ZH), LABELS, tags, ("world", "a<b>&c"))
    labels = [button.text for row in markup.inline_keyboard for button in row]  # type: ignore[union-attr]
    assert labels[:2] == ["✅ 国际 (0)", "✅ a<b>&c (1)"]
    assert "a&lt;b&gt;&amp;c" in text
    assert "国际" in text
    assert "第 " not in text  # one page: no page line


def test_settings_view_lines_and_buttons() -> None:
    profile = Profile(1, 1, Lang.ZH, "Etc/GMT-8", time(7, 5), SubscriberState.UNSUBSCRIBED, ())
    text, markup = render_settings(translator(Lang.EN), LABELS, profile)
    assert "Language: 简体中文" in text
    assert "Time zone: UTC+8" in text
    assert "Digest time: 07:05" in text
    assert "Digests: Off" in text
    assert "Articles only in the other language: Shown" in text
    assert _data(markup)[-2:] == ["sub:on", "set:other:off"]


@pytest.mark.parametrize(
    ("lang", "line", "button"),
    [
        (Lang.EN, "Articles only in the other language: Hidden", "Show articles only in"),
        (Lang.ZH, "仅有英文版的文章：隐藏", "显示仅有英文版的文章"),
    ],
)
def test_settings_view_with_other_language_hidden(lang: Lang, line: str, button: str) -> None:
    profile = Profile(
        1, 1, lang, "Asia/Shanghai", time(8), SubscriberState.ACTIVE, (), other_language=False
    )
    text, markup = render_settings(translator(lang), LABELS, profile)
    assert line in text.splitlines()
    assert _data(markup)[-1] == "set:other:on"
    assert markup.inline_keyboard[-1][0].text.startswith(button)
    assert parse_settings_data("set:other:on") is SettingsAction.SHOW_OTHER_LANGUAGE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08:00", time(8)),
        ("8:00", time(8)),
        ("8", time(8)),
        ("20:30", time(20, 30)),
        (" 7：45 ", time(7, 45)),
        ("0", time(0)),
        ("23:59", time(23, 59)),
    ],
)
def test_digest_times(text: str, expected: time) -> None:
    assert parse_digest_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "8:60", "eight", "", "8:5", "-1", "123"])
def test_bad_digest_times(text: str) -> None:
    with pytest.raises(ScheduleInputError):
        parse_digest_time(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Asia/Shanghai", "Asia/Shanghai"),
        ("asia/shanghai", "Asia/Shanghai"),
        ("utc", "UTC"),
        ("+8", "Etc/GMT-8"),
        ("UTC+08:00", "Etc/GMT-8"),
        ("-5", "Etc/GMT+5"),
        ("GMT-05:00", "Etc/GMT+5"),
        ("+0", "UTC"),
        ("+14", "Etc/GMT-14"),
        ("-12", "Etc/GMT+12"),
    ],
)
def test_time_zones(text: str, expected: str) -> None:
    assert parse_time_zone(text) == expected


@pytest.mark.parametrize(
    ("text", "whole_hours"),
    [
        ("-05:30", True),
        ("+5:45", True),
        ("Mars/Base", False),
        ("+15", False),
        ("-13", False),
        ("8", False),
        ("+08:75", False),
    ],
)
def test_bad_time_zones(text: str, whole_hours: bool) -> None:
    with pytest.raises(ScheduleInputError) as caught:
        parse_time_zone(text)
    assert ("whole number" in caught.value.message) is whole_hours


@given(st.integers(min_value=-12, max_value=14).filter(bool))
def test_offset_zones_read_back_as_the_offset(hours: int) -> None:
    name = parse_time_zone(f"{hours:+d}")
    assert zone_label(name) == f"UTC{hours:+d}"


@pytest.mark.parametrize(
    ("script", "first", "second"),
    [
        (Script.HANT_TW, "Asia/Taipei", "Asia/Hong_Kong"),
        (Script.HANT_HK, "Asia/Hong_Kong", "Asia/Taipei"),
        (Script.HANS, "Asia/Shanghai", "Asia/Taipei"),
    ],
)
def test_chinese_zone_buttons_put_the_readers_region_first(
    script: Script, first: str, second: str
) -> None:
    assert common_zones(Lang.ZH, first, script)[:2] == (first, second)
    london = common_zones(Lang.EN, "Europe/London", script)
    assert london == common_zones(Lang.EN, "Europe/London")  # English readers: by language


@given(
    st.sampled_from(list(Lang)),
    st.sampled_from(list(Script)),
    st.sampled_from(["Asia/Taipei", "Asia/Macau", "Europe/Berlin", "Asia/Shanghai", "UTC"]),
)
def test_the_readers_own_zone_is_always_offered_once(lang: Lang, script: Script, zone: str) -> None:
    zones = common_zones(lang, zone, script)
    assert zones.count(zone) == 1
    assert len(set(zones)) == len(zones)
    assert zones[0] == zone or zone in common_zones(lang, "Asia/Shanghai", script)
