"""Language choice, translation, plurals, fallbacks and dates in the reader's locale and zone."""

from __future__ import annotations

import logging
import os
import shutil
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from hypothesis import given
from hypothesis import strategies as st

from digestbot import messages
from digestbot.i18n import (
    DOMAIN,
    N_,
    NP_,
    Plural,
    catalog_dir,
    lang_from_telegram,
    load_translations,
    locale_for,
    translator,
)
from digestbot.model import Lang

EVENING_UTC = datetime(2024, 5, 11, 20, 0, tzinfo=UTC)  # already May 12 in Shanghai


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("zh", Lang.ZH),
        ("zh-hans", Lang.ZH),
        ("zh-hant", Lang.ZH),
        ("zh-TW", Lang.ZH),
        ("ZH_cn", Lang.ZH),
        ("en", Lang.EN),
        ("en-GB", Lang.EN),
        ("fr", Lang.ZH),
        ("zhx", Lang.ZH),
        ("", Lang.ZH),
        (None, Lang.ZH),
    ],
)
def test_language_from_telegram_code(code: str | None, expected: Lang) -> None:
    assert lang_from_telegram(code, Lang.ZH) is expected


@given(st.from_regex(r"[zZ][hH]([-_][A-Za-z0-9]{1,8}){0,3}", fullmatch=True), st.sampled_from(Lang))
def test_any_chinese_code_means_chinese(code: str, default: Lang) -> None:
    assert lang_from_telegram(code, default) is Lang.ZH


@given(st.from_regex(r"[a-y]{2,3}(-[A-Za-z0-9]{1,8})?", fullmatch=True), st.sampled_from(Lang))
def test_other_languages_get_the_default(code: str, default: Lang) -> None:
    expected = Lang.EN if code.split("-")[0] == "en" else default
    assert lang_from_telegram(code, default) is expected


def test_locales() -> None:
    assert str(locale_for(Lang.ZH)) == "zh_Hans_CN"
    assert str(locale_for(Lang.EN)) == "en"


def test_dates_in_each_language() -> None:
    assert translator(Lang.ZH).format_date(date(2024, 5, 12)) == "2024年5月12日"
    assert translator(Lang.EN).format_date(date(2024, 5, 12)) == "May 12, 2024"


def test_the_time_zone_decides_the_day() -> None:
    zh, en = translator(Lang.ZH), translator(Lang.EN)
    assert zh.format_date(EVENING_UTC, "Asia/Shanghai") == "2024年5月12日"
    assert en.format_date(EVENING_UTC, ZoneInfo("Asia/Shanghai")) == "May 12, 2024"
    assert en.format_date(EVENING_UTC, timezone(timedelta(hours=8))) == "May 12, 2024"
    assert en.format_date(EVENING_UTC, "Europe/London") == "May 11, 2024"
    assert en.format_date(EVENING_UTC) == "May 11, 2024"
    assert en.format_date(EVENING_UTC.replace(tzinfo=None), "Asia/Shanghai") == "May 12, 2024"


def test_times_and_numbers() -> None:
    zh, en = translator(Lang.ZH), translator(Lang.EN)
    assert zh.format_time(EVENING_UTC, "Asia/Shanghai") == "04:00"
    assert zh.format_datetime(EVENING_UTC, "Asia/Shanghai") == "2024年5月12日 04:00"
    narrow_space = "\u202f"
    shown = en.format_datetime(EVENING_UTC, "Asia/Shanghai").replace(narrow_space, " ")
    assert shown == "May 12, 2024, 4:00 AM"
    assert en.format_number(12345) == zh.format_number(12345) == "12,345"


def test_translation_with_fields() -> None:
    zh, en = translator(Lang.ZH), translator(Lang.EN)
    assert zh.gettext(messages.SOURCE) == "原文链接"
    assert zh.gettext(messages.GREETING_AGAIN, name="小明") == "欢迎回来，小明！"
    assert en.gettext(messages.GREETING_AGAIN, name="Ann") == "Welcome back, Ann!"
    assert en.gettext(messages.GREETING_AGAIN) == "Welcome back, {name}!"


def test_plurals_in_both_languages() -> None:
    zh, en = translator(Lang.ZH), translator(Lang.EN)
    assert [en.plural(messages.ARTICLE_COUNT, n) for n in (0, 1, 2)] == [
        "0 articles",
        "1 article",
        "2 articles",
    ]
    assert [zh.plural(messages.ARTICLE_COUNT, n) for n in (1, 2)] == ["1篇文章", "2篇文章"]
    assert en.plural(messages.DIGEST_MORE, 1234) == "…and 1,234 more articles"
    assert zh.plural(messages.SEARCH_RESULTS, 3, query="气候") == "<b>气候</b>的搜索结果：共3篇文章"
    assert en.ngettext(*messages.ARTICLE_COUNT, 5, n="five") == "five articles"


def test_missing_messages_fall_back_to_english() -> None:
    for lang in Lang:
        t = translator(lang)
        assert t.gettext("Not in any catalog, {x}", x=1) == "Not in any catalog, 1"
        assert t.ngettext("{n} thing", "{n} things", 1) == "1 thing"
        assert t.ngettext("{n} thing", "{n} things", 2) == "2 things"
        assert t.pgettext("button", "Not in any catalog") == "Not in any catalog"


def test_markers_return_their_arguments() -> None:
    assert N_("Hello") == "Hello"
    assert NP_("{n} cat", "{n} cats") == Plural("{n} cat", "{n} cats")


def test_translator_is_cached() -> None:
    assert translator(Lang.ZH) is translator(Lang.ZH)
    assert translator(Lang.ZH).lang is Lang.ZH


def _copy_po(tmp_path: Path, lang: Lang) -> Path:
    target = catalog_dir(lang, tmp_path) / f"{DOMAIN}.po"
    target.parent.mkdir(parents=True)
    shutil.copyfile(catalog_dir(lang) / f"{DOMAIN}.po", target)
    return target


def test_po_is_compiled_in_memory_when_mo_is_missing(tmp_path: Path) -> None:
    _copy_po(tmp_path, Lang.ZH)
    assert load_translations(Lang.ZH, tmp_path).gettext(messages.FULL_TEXT) == "全文"


def test_po_wins_over_a_stale_mo(tmp_path: Path) -> None:
    po = _copy_po(tmp_path, Lang.ZH)
    stale = Catalog(locale="zh_Hans", domain=DOMAIN)
    stale.add(messages.FULL_TEXT, "旧的")
    mo = po.with_suffix(".mo")
    with mo.open("wb") as fp:
        write_mo(fp, stale)
    os.utime(mo, (po.stat().st_mtime - 60, po.stat().st_mtime - 60))
    assert load_translations(Lang.ZH, tmp_path).gettext(messages.FULL_TEXT) == "全文"
    os.utime(mo, (po.stat().st_mtime + 60, po.stat().st_mtime + 60))
    assert load_translations(Lang.ZH, tmp_path).gettext(messages.FULL_TEXT) == "旧的"


def test_no_catalog_at_all_shows_english(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        translations = load_translations(Lang.ZH, tmp_path)
    assert translations.gettext(messages.FULL_TEXT) == "Full text"
    assert "no zh catalog" in caplog.text


# --- dates at the ends of the calendar ---------------------------------------------------------

EDGE_DATES = [
    datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
    datetime(1, 1, 1, tzinfo=UTC),
    datetime.max,
    datetime.min,
    datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))),
]
ZONES = ["Asia/Shanghai", "America/Los_Angeles", "Pacific/Kiritimati", "Etc/GMT+12", None]


@pytest.mark.parametrize("value", EDGE_DATES, ids=str)
@pytest.mark.parametrize("zone", ZONES, ids=str)
@pytest.mark.parametrize("lang", list(Lang))
def test_a_stored_date_at_the_calendar_ends_never_raises(
    value: datetime, zone: str | None, lang: Lang
) -> None:
    tr = translator(lang)
    assert tr.format_date(value, zone)
    assert tr.format_time(value, zone)
    assert tr.format_datetime(value, zone)


def test_a_date_that_cannot_move_to_the_zone_is_shown_as_stored() -> None:
    tr = translator(Lang.EN)
    assert tr.format_date(datetime(9999, 12, 31, 23, tzinfo=UTC), "Asia/Shanghai") == "Dec 31, 9999"
    assert tr.format_date(datetime(1, 1, 1, 1, tzinfo=UTC), "America/Los_Angeles") == "Jan 1, 1"


@given(
    st.datetimes(max_value=datetime(1, 1, 3)) | st.datetimes(min_value=datetime(9999, 12, 29)),
    st.none() | st.just(UTC),
    st.sampled_from(["Asia/Shanghai", "America/Los_Angeles", "Pacific/Kiritimati", "Etc/GMT+12"])
    | st.builds(timezone, st.integers(-1439, 1439).map(lambda m: timedelta(minutes=m))),
)
def test_any_stored_date_formats_in_any_zone(
    value: datetime, stored_zone: timezone | None, zone: str | timezone
) -> None:
    assert translator(Lang.ZH).format_datetime(value.replace(tzinfo=stored_zone), zone)
