"""The rhythm screen as pure functions: its callback data round-trips and fits, its text in
Simplified and Traditional Chinese and English, the pause's one-tap dates."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import InlineKeyboardMarkup

from digestbot.bot.views.rhythm import (
    OPEN_DATA,
    PAUSE_DAYS,
    RhythmKind,
    RhythmScreen,
    parse_rhythm_data,
    pause_allowed,
    pause_choices,
    render_rhythm,
    rhythm_name,
)
from digestbot.chinese_script import Script
from digestbot.config import ReaderSettings
from digestbot.i18n import Translator, translator
from digestbot.model import Lang, ReaderRhythm, Rhythm
from digestbot.store.rhythm import FollowedTag

LABELS = ReaderSettings()
READERS = [
    translator(Lang.ZH),
    translator(Lang.ZH, Script.HANT_TW),
    translator(Lang.ZH, Script.HANT_HK),
    translator(Lang.EN),
]
DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 1, 1))
RHYTHMS = st.builds(
    ReaderRhythm,
    rhythm=st.sampled_from(Rhythm),
    weekly_day=st.integers(0, 6),
    paused_until=st.none() | DAYS,
    quiet_hours=st.booleans(),
)
TAGS = st.lists(
    st.builds(
        FollowedTag,
        id=st.integers(1, 10**18 - 1),
        name=st.sampled_from(["tech", "world", "business", "science"]),
        instant=st.booleans(),
    ),
    max_size=6,
)


def screen_data(markup: InlineKeyboardMarkup) -> list[str]:
    return [str(button.callback_data) for row in markup.inline_keyboard for button in row]


@settings(deadline=None)  # the first call loads catalogs and OpenCC
@given(
    st.sampled_from(READERS),
    RHYTHMS,
    TAGS,
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 1, 1)),
    st.sampled_from([None, RhythmKind.PICK_DAY, RhythmKind.PICK_PAUSE, RhythmKind.TYPE_PAUSE]),
)
def test_every_button_of_the_screen_parses_back_and_fits(
    tr: Translator,
    rhythm: ReaderRhythm,
    tags: list[FollowedTag],
    now: datetime,
    picking: RhythmKind | None,
) -> None:
    screen = RhythmScreen(rhythm, tags, now, time(8), picking)
    text, markup = render_rhythm(tr, LABELS, screen)
    assert text
    for data in screen_data(markup):
        assert len(data.encode()) <= 64
        action = parse_rhythm_data(data)
        assert action is not None, data
        if action.kind is RhythmKind.PAUSE:
            assert action.until is not None
            assert pause_allowed(action.until, now.date())


@given(st.text(max_size=80))
def test_anything_else_is_no_rhythm_button(data: str) -> None:
    action = parse_rhythm_data(data)
    assert action is None or data.startswith("rh:")


@pytest.mark.parametrize("data", ["rh:w:7", "rh:p:20260230", "rh:r:paused", "rh:i:", "rh:x"])
def test_forged_data_is_refused(data: str) -> None:
    assert parse_rhythm_data(data) is None


@given(DAYS, st.integers(-400, 400))
def test_a_pause_ends_after_today_and_within_a_year(today: date, ahead: int) -> None:
    assert pause_allowed(today + timedelta(days=ahead), today) == (0 < ahead <= 366)
    assert all(pause_allowed(end, today) for end in pause_choices(today))
    assert len(pause_choices(today)) == len(PAUSE_DAYS)


def test_rhythm_names_in_each_script() -> None:
    wednesday = ReaderRhythm(Rhythm.WEEKLY, weekly_day=2)
    paused = ReaderRhythm(Rhythm.PAUSED, paused_until=date(2026, 6, 3))
    names = {
        tr.locale.language + (tr.locale.territory or ""): [
            rhythm_name(tr, r)
            for r in (ReaderRhythm(), ReaderRhythm(Rhythm.WEEKDAYS), wednesday, paused)
        ]
        for tr in READERS
    }
    assert names["zhCN"] == ["每天", "工作日", "每星期三", "暂停至2026年6月3日"]
    assert names["zhTW"] == ["每天", "平日", "每星期三", "暫停至2026年6月3日"]
    assert names["zhHK"][2:] == ["每星期三", "暫停至2026年6月3日"]
    assert names["en"] == [
        "Every day",
        "Weekdays",
        "Weekly, on Wednesday",
        "Paused until Jun 3, 2026",
    ]


def test_the_screen_in_english_marks_instant_tags_and_the_rhythm() -> None:
    tags = [FollowedTag(1, "tech", True), FollowedTag(2, "world", False)]
    screen = RhythmScreen(ReaderRhythm(quiet_hours=False), tags, datetime(2026, 5, 25, 9), time(8))
    text, markup = render_rhythm(translator(Lang.EN), LABELS, screen)
    assert text.splitlines()[:3] == [
        "<b>Your rhythm</b>",
        "Digests: Every day",
        "Next digest: May 26, 2026, 08:00",
    ]
    assert "Instant tags: Tech" in text
    assert "Quiet hours off" in text
    labels = [b.text for row in markup.inline_keyboard for b in row]
    assert labels == [
        "✅ Every day", "Weekdays", "Weekly", "Pause", "⚡ Tech", "World",
        "Quiet hours: off", "Back to settings",
    ]  # fmt: skip
    assert OPEN_DATA == "rh:open"
