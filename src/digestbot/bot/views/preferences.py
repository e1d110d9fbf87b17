"""The /tags keyboard and the /settings view (pure), with their callback-data codecs.

Callback data: ``tag:t:<tag id>:<page>`` (toggle), ``tag:p:<page>`` (turn the page),
``tag:done``; ``set:<lang|tags|time|tz>`` (change a setting), ``set:other:<on|off>`` (articles
only in the other language shown or hidden), ``sub:<on|off>``; the one-tap
choices ``time:<HHMM|other>`` and ``tz:<IANA id|other>`` (at most 38 bytes). Tags travel as
database ids, so the data stays far below Telegram's 64 bytes whatever the tag's name.
"""

from __future__ import annotations

import enum
import html
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import time

from babel.lists import format_list
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from digestbot import messages
from digestbot.bot.views.rhythm import OPEN_DATA, digest_when, rhythm_name
from digestbot.bot.views.start import language_name
from digestbot.bot.zone_names import is_place_zone, zone_display_name, zone_place
from digestbot.chinese_script import Script
from digestbot.config import ReaderSettings
from digestbot.i18n import Translator
from digestbot.model import Lang
from digestbot.store.models import SubscriberState
from digestbot.store.subscribers import Profile, TagInfo

__all__ = [
    "CHECK",
    "COMMON_TIMES",
    "SCHEDULE_BUTTONS",
    "TAGS_PER_PAGE",
    "TAG_DONE_DATA",
    "TRADITIONAL_ZONES",
    "ScheduleChoice",
    "SettingsAction",
    "TagAction",
    "common_zones",
    "parse_schedule_data",
    "parse_settings_data",
    "parse_tag_data",
    "render_settings",
    "render_tags",
    "render_tags_done",
    "render_time_choice",
    "render_zone_choice",
    "tag_page_data",
    "tag_toggle_data",
    "tags_line",
]

CHECK = "✅"
TAGS_PER_PAGE = 8
TAGS_PER_ROW = 2
LABEL_CHARS = 40  # of a tag label on a button
TAG_DONE_DATA = "tag:done"
TAG_BUTTONS = r"^tag:"  # the callback-data patterns of the /tags and the /settings buttons
SETTINGS_BUTTONS = r"^(?:set|sub):"
SCHEDULE_BUTTONS = r"^(?:time|tz):"
_TAG_DATA = re.compile(r"^tag:(?:t:(\d{1,18}):(\d{1,6})|p:(\d{1,6})|(done))$")
_TIME_DATA = re.compile(r"^time:(?:([01]\d|2[0-3])([0-5]\d)|(other))$")
_ZONE_DATA = re.compile(r"^tz:(?:([A-Za-z0-9_+/-]{1,40})|(other))$")
COMMON_TIMES = tuple(time(hour) for hour in (6, 7, 8, 9, 10, 12, 18, 21))
TIMES_PER_ROW = 3
ZONES_PER_ROW = 2
# Zones offered as buttons, by the reader's language (Traditional readers: by their region, their
# own first: Taiwan, or Hong Kong and Macau); the reader's own zone is added to them.
TRADITIONAL_ZONES = {
    Script.HANT_TW: ("Asia/Taipei", "Asia/Hong_Kong", "Asia/Shanghai", "Asia/Singapore"),
    Script.HANT_HK: ("Asia/Hong_Kong", "Asia/Taipei", "Asia/Shanghai", "Asia/Singapore"),
}
COMMON_ZONES = {
    Lang.ZH: ("Asia/Shanghai", "Asia/Taipei", "Asia/Hong_Kong", "Asia/Singapore"),
    Lang.EN: (
        "Europe/London",
        "America/New_York",
        "America/Los_Angeles",
        "Asia/Singapore",
        "Asia/Shanghai",
        "Australia/Sydney",
    ),
}


@dataclass(frozen=True, slots=True)
class TagAction:
    """A pressed /tags button: toggle ``tag_id`` (on ``page``), turn to ``page``, or done."""

    page: int
    tag_id: int | None = None
    done: bool = False


class SettingsAction(enum.StrEnum):
    """A button under /settings; the value is its callback data."""

    LANGUAGE = "set:lang"
    TAGS = "set:tags"
    TIME = "set:time"
    TIME_ZONE = "set:tz"
    SHOW_OTHER_LANGUAGE = "set:other:on"
    HIDE_OTHER_LANGUAGE = "set:other:off"
    SUBSCRIBE = "sub:on"
    UNSUBSCRIBE = "sub:off"


@dataclass(frozen=True, slots=True)
class ScheduleChoice:
    """A pressed time or zone button: a time, a zone, or "other" (type it) for one of them."""

    action: SettingsAction
    digest_time: time | None = None
    timezone: str | None = None

    @property
    def other(self) -> bool:
        """Whether the reader wants to type the answer instead."""
        return self.digest_time is None and self.timezone is None


def schedule_text(tr: Translator, message: str, profile: Profile) -> str:
    """``message`` (SUBSCRIBED, DIGEST_TIME_SET, GREETING_SCHEDULE, HELP_SCHEDULE ...) saying
    ``{when}`` the reader's digest comes: their rhythm, digest time and time zone."""
    zone = html.escape(zone_display_name(profile.timezone, tr.locale))
    return tr.gettext(message, when=digest_when(tr, profile.rhythm, profile.digest_time, zone))


def parse_schedule_data(data: str) -> ScheduleChoice | None:
    """The time or zone behind one-tap callback data; None for anything else (forged zones)."""
    match = _TIME_DATA.match(data)
    if match is not None:
        hour, minute, other = match.groups()
        at = None if other else time(int(hour), int(minute))
        return ScheduleChoice(SettingsAction.TIME, digest_time=at)
    match = _ZONE_DATA.match(data)
    if match is None:
        return None
    name, other = match.groups()
    if other:
        return ScheduleChoice(SettingsAction.TIME_ZONE)
    if not is_place_zone(name):  # forged, or a pseudo-zone such as Factory
        return None
    return ScheduleChoice(SettingsAction.TIME_ZONE, timezone=name)


def common_zones(lang: Lang, current: str, script: Script = Script.HANS) -> tuple[str, ...]:
    """The zones offered to a reader of ``lang`` (and ``script``, for Chinese): the reader's own
    first when it is not common."""
    common = COMMON_ZONES.get(lang) or COMMON_ZONES[Lang.ZH if lang.startswith("zh") else Lang.EN]
    if lang is Lang.ZH:
        common = TRADITIONAL_ZONES.get(script, common)
    return common if current in common else (current, *common)


def _rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def _marked(label: str, chosen: bool) -> str:
    return f"{CHECK} {label}" if chosen else label


def render_time_choice(tr: Translator, profile: Profile) -> tuple[str, InlineKeyboardMarkup]:
    """The question for the digest time: common times (the current one marked) and "other"."""
    buttons = [
        InlineKeyboardButton(
            _marked(f"{at:%H:%M}", at == profile.digest_time), callback_data=f"time:{at:%H%M}"
        )
        for at in COMMON_TIMES
    ]
    other = tr.gettext(messages.BUTTON_OTHER_TIME)
    buttons.append(InlineKeyboardButton(other, callback_data="time:other"))
    text = f"{tr.gettext(messages.ASK_DIGEST_TIME)}\n{tr.gettext(messages.ASK_CANCEL_HINT)}"
    return text, InlineKeyboardMarkup(_rows(buttons, TIMES_PER_ROW))


def render_zone_choice(tr: Translator, profile: Profile) -> tuple[str, InlineKeyboardMarkup]:
    """The question for the time zone: zones for the reader's language, the reader's, "other"."""
    buttons = [
        InlineKeyboardButton(
            _marked(zone_place(name, tr.locale), name == profile.timezone),
            callback_data=f"tz:{name}",
        )
        for name in common_zones(tr.lang, profile.timezone, tr.script)
    ]
    other = tr.gettext(messages.BUTTON_OTHER_TIME_ZONE)
    buttons.append(InlineKeyboardButton(other, callback_data="tz:other"))
    text = f"{tr.gettext(messages.ASK_TIME_ZONE)}\n{tr.gettext(messages.ASK_CANCEL_HINT)}"
    return text, InlineKeyboardMarkup(_rows(buttons, ZONES_PER_ROW))


def tag_toggle_data(tag_id: int, page: int) -> str:
    """Callback data of the button that toggles ``tag_id`` on ``page``."""
    return f"tag:t:{tag_id}:{page}"


def tag_page_data(page: int) -> str:
    """Callback data of a button that turns to ``page``."""
    return f"tag:p:{page}"


def parse_tag_data(data: str) -> TagAction | None:
    """The action behind /tags callback data, or None if it is not one."""
    match = _TAG_DATA.match(data)
    if match is None:
        return None
    tag_id, toggle_page, page, done = match.groups()
    if done:
        return TagAction(page=0, done=True)
    if tag_id is not None:
        return TagAction(page=int(toggle_page), tag_id=int(tag_id))
    return TagAction(page=int(page))


def parse_settings_data(data: str) -> SettingsAction | None:
    """The /settings button behind ``data``, or None."""
    try:
        return SettingsAction(data)
    except ValueError:
        return None


def tags_line(tr: Translator, labels: ReaderSettings, followed: Collection[str]) -> str:
    """The followed tags as an escaped, localized list; empty when every tag is followed."""
    names = [html.escape(tr.chinese(labels.tag_label(tag, tr.lang))) for tag in sorted(followed)]
    return format_list(names, locale=tr.locale) if names else ""


def render_tags(
    tr: Translator,
    labels: ReaderSettings,
    tags: Sequence[TagInfo],
    followed: Collection[str],
    page: int = 0,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The /tags message: prompt, what is followed, and a page of toggle buttons."""
    if not tags:
        return tr.gettext(messages.TAGS_NONE_AVAILABLE), None
    pages = -(-len(tags) // TAGS_PER_PAGE)
    page = min(max(page, 0), pages - 1)
    following = tags_line(tr, labels, followed)
    status = (
        tr.gettext(messages.TAGS_FOLLOWING, tags=following)
        if following
        else tr.gettext(messages.TAGS_EVERYTHING)
    )
    lines = [tr.gettext(messages.TAGS_PROMPT), "", status]
    if pages > 1:
        lines.append(tr.gettext(messages.TAGS_PAGE, page=page + 1, pages=pages))
    shown = tags[page * TAGS_PER_PAGE : (page + 1) * TAGS_PER_PAGE]
    buttons = [_tag_button(tr, labels, tag, tag.name in followed, page) for tag in shown]
    rows = [buttons[i : i + TAGS_PER_ROW] for i in range(0, len(buttons), TAGS_PER_ROW)]
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton("◀", callback_data=tag_page_data(page - 1)))
    if page < pages - 1:
        nav.append(InlineKeyboardButton("▶", callback_data=tag_page_data(page + 1)))
    if nav:
        rows.append(nav)
    rows.append(
        [InlineKeyboardButton(tr.gettext(messages.BUTTON_DONE), callback_data=TAG_DONE_DATA)]
    )
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def render_tags_done(tr: Translator, labels: ReaderSettings, followed: Collection[str]) -> str:
    """What the /tags message becomes after Done: the choice, without buttons."""
    following = tags_line(tr, labels, followed)
    if following:
        return tr.gettext(messages.TAGS_FOLLOWING, tags=following)
    return tr.gettext(messages.TAGS_EVERYTHING)


def render_settings(
    tr: Translator, labels: ReaderSettings, profile: Profile
) -> tuple[str, InlineKeyboardMarkup]:
    """The /settings message: each setting on a line, buttons to change each."""
    active, other = profile.state is SubscriberState.ACTIVE, profile.other_language
    values = (
        (messages.SETTINGS_LANGUAGE, language_name(profile.language, profile.script)),
        (
            messages.SETTINGS_TAGS,
            tags_line(tr, labels, profile.tags) or tr.gettext(messages.TAGS_ALL),
        ),
        (messages.SETTINGS_DIGEST_TIME, f"{profile.digest_time:%H:%M}"),
        (
            messages.SETTINGS_TIME_ZONE,
            html.escape(zone_display_name(profile.timezone, tr.locale)),
        ),
        (
            messages.SETTINGS_SUBSCRIPTION,
            tr.gettext(messages.SETTING_ON if active else messages.SETTING_OFF),
        ),
        (messages.SETTINGS_RHYTHM, rhythm_name(tr, profile.rhythm)),
        (
            messages.SETTINGS_OTHER_LANGUAGE,
            tr.gettext(messages.SETTING_SHOWN if other else messages.SETTING_HIDDEN),
        ),
    )
    lines = [tr.gettext(messages.SETTINGS_HEADER)]
    lines += [
        tr.gettext(messages.SETTINGS_LINE, label=tr.gettext(label), value=value)
        for label, value in values
    ]

    def button(label: str, action: SettingsAction) -> InlineKeyboardButton:
        return InlineKeyboardButton(tr.gettext(label), callback_data=action.value)

    keyboard = InlineKeyboardMarkup(
        [
            [
                button(messages.BUTTON_CHANGE_LANGUAGE, SettingsAction.LANGUAGE),
                button(messages.BUTTON_CHANGE_TAGS, SettingsAction.TAGS),
            ],
            [
                button(messages.BUTTON_CHANGE_TIME, SettingsAction.TIME),
                button(messages.BUTTON_CHANGE_TIME_ZONE, SettingsAction.TIME_ZONE),
            ],
            [
                InlineKeyboardButton(
                    tr.gettext(messages.BUTTON_CHANGE_RHYTHM), callback_data=OPEN_DATA
                )
            ],
            [
                button(messages.BUTTON_UNSUBSCRIBE, SettingsAction.UNSUBSCRIBE)
                if active
                else button(messages.BUTTON_SUBSCRIBE, SettingsAction.SUBSCRIBE)
            ],
            [
                button(messages.BUTTON_HIDE_OTHER_LANGUAGE, SettingsAction.HIDE_OTHER_LANGUAGE)
                if other
                else button(messages.BUTTON_SHOW_OTHER_LANGUAGE, SettingsAction.SHOW_OTHER_LANGUAGE)
            ],
        ]
    )
    return "\n".join(lines), keyboard


def _tag_button(
    tr: Translator, labels: ReaderSettings, tag: TagInfo, followed: bool, page: int
) -> InlineKeyboardButton:
    label = tr.chinese(labels.tag_label(tag.name, tr.lang))
    if len(label) > LABEL_CHARS:
        label = label[: LABEL_CHARS - 1] + "…"
    text = f"{label} ({tr.format_number(tag.articles)})"
    return InlineKeyboardButton(
        f"{CHECK} {text}" if followed else text, callback_data=tag_toggle_data(tag.id, page)
    )
