"""The rhythm screen (pure): how often digests come, instant tags, quiet hours; its callback data.

Callback data (``rh:``, at most 14 bytes): ``rh:open``, ``rh:back`` (to /settings),
``rh:r:<daily|weekdays>``, ``rh:wk`` (pick the weekly day) and ``rh:w:<0-6>`` (Monday 0),
``rh:pz`` (pick the pause's end) and ``rh:p:<YYYYMMDD>``, ``rh:pd`` (type the pause's end: the
reader's next text answers), ``rh:resume``, ``rh:q`` (quiet hours on/off), ``rh:i:<tag id>``
(instant on/off). A pause date is checked by the handler (it must be after the reader's today and
within a year); a tag id that is no followed tag is said to be gone.
"""

from __future__ import annotations

import enum
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from babel.dates import format_skeleton, get_day_names
from babel.lists import format_list
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from digestbot import messages
from digestbot.bot.pause_input import pause_allowed
from digestbot.config import ReaderSettings
from digestbot.digest.rhythm import next_digest_day
from digestbot.i18n import Translator
from digestbot.model import ReaderRhythm, Rhythm
from digestbot.store.rhythm import FollowedTag

__all__ = [
    "INSTANT_MARK",
    "OPEN_DATA",
    "PAUSE_DAYS",
    "RHYTHM_BUTTONS",
    "TYPE_PAUSE_DATA",
    "RhythmAction",
    "RhythmKind",
    "RhythmScreen",
    "digest_when",
    "parse_rhythm_data",
    "pause_allowed",
    "pause_choices",
    "render_rhythm",
    "rhythm_name",
]

RHYTHM_BUTTONS = r"^rh:"
OPEN_DATA = "rh:open"
TYPE_PAUSE_DATA = "rh:pd"  # also what the awaited answer is kept as (bot.conversation)
INSTANT_MARK = "⚡"
PAUSE_DAYS = (3, 7, 14, 30)  # the one-tap pause lengths, shown as the day digests come again
DAYS_PER_ROW = 4
TAGS_PER_ROW = 2
_DATA = re.compile(
    r"^rh:(?:(open|back|wk|pz|pd|resume|q)|r:(daily|weekdays)|w:([0-6])|p:(\d{8})|i:(\d{1,18}))$"
)


class RhythmKind(enum.StrEnum):
    """What a rhythm button does."""

    OPEN = "open"
    BACK = "back"
    SET = "r"  # daily or weekdays
    PICK_DAY = "wk"
    WEEKLY = "w"
    PICK_PAUSE = "pz"
    TYPE_PAUSE = "pd"  # the pause's end is typed
    PAUSE = "p"
    RESUME = "resume"
    QUIET = "q"
    INSTANT = "i"


@dataclass(frozen=True, slots=True)
class RhythmAction:
    """A pressed rhythm button and its argument (a rhythm, a weekday, a date or a tag id)."""

    kind: RhythmKind
    rhythm: Rhythm | None = None
    day: int | None = None
    until: date | None = None
    tag_id: int | None = None


def parse_rhythm_data(data: str) -> RhythmAction | None:
    """The action behind ``rh:`` callback data; None for anything else (an impossible date)."""
    match = _DATA.match(data)
    if match is None:
        return None
    word, rhythm, day, until, tag_id = match.groups()
    if word is not None:
        return RhythmAction(RhythmKind(word))
    if rhythm is not None:
        return RhythmAction(RhythmKind.SET, rhythm=Rhythm(rhythm))
    if day is not None:
        return RhythmAction(RhythmKind.WEEKLY, day=int(day))
    if tag_id is not None:
        return RhythmAction(RhythmKind.INSTANT, tag_id=int(tag_id))
    try:
        return RhythmAction(RhythmKind.PAUSE, until=datetime.strptime(until, "%Y%m%d").date())
    except ValueError:
        return None


def pause_choices(today: date) -> tuple[date, ...]:
    """The days a one-tap pause can run until (digests come again on that day)."""
    return tuple(today + timedelta(days=n) for n in PAUSE_DAYS)


@dataclass(frozen=True, slots=True)
class RhythmScreen:
    """What the screen shows: the reader's rhythm, followed tags, their local now and digest
    time, and which picker is open (``picking``: PICK_DAY, PICK_PAUSE, TYPE_PAUSE or None)."""

    rhythm: ReaderRhythm
    tags: Sequence[FollowedTag]
    local_now: datetime
    digest_time: time
    picking: RhythmKind | None = None


def _weekday(tr: Translator, day: int) -> str:
    return str(get_day_names("wide", locale=tr.locale)[day])


def _short_date(tr: Translator, day: date) -> str:
    return format_skeleton("MMMd", day, locale=tr.locale)


def rhythm_name(tr: Translator, rhythm: ReaderRhythm) -> str:
    """The rhythm in a few words: "Every day", "Weekly, on Wednesday", "Paused until ..."."""
    match rhythm.rhythm:
        case Rhythm.DAILY:
            return tr.gettext(messages.RHYTHM_DAILY)
        case Rhythm.WEEKDAYS:
            return tr.gettext(messages.RHYTHM_WEEKDAYS)
        case Rhythm.WEEKLY:
            return tr.gettext(messages.RHYTHM_WEEKLY, day=_weekday(tr, rhythm.weekly_day))
        case Rhythm.PAUSED:
            if rhythm.paused_until is None:
                return tr.gettext(messages.RHYTHM_PAUSED)
            return tr.gettext(
                messages.RHYTHM_PAUSED_UNTIL, date=tr.format_date(rhythm.paused_until)
            )


def digest_when(tr: Translator, rhythm: ReaderRhythm, at: time, timezone: str) -> str:
    """When the digest comes, for a sentence: "every day at 08:00 (China Time)", "on weekdays
    at ...", "every Wednesday at ...", "every day at ... from Dec 25, 2026" (``timezone``: the
    zone's name as shown, escaped)."""
    fields = {"time": f"{at:%H:%M}", "timezone": timezone}
    match rhythm.rhythm:
        case Rhythm.DAILY:
            return tr.gettext(messages.SCHEDULE_DAILY, **fields)
        case Rhythm.WEEKDAYS:
            return tr.gettext(messages.SCHEDULE_WEEKDAYS, **fields)
        case Rhythm.WEEKLY:
            day = _weekday(tr, rhythm.weekly_day)
            return tr.gettext(messages.SCHEDULE_WEEKLY, day=day, **fields)
        case Rhythm.PAUSED:
            if rhythm.paused_until is None:
                return tr.gettext(messages.SCHEDULE_PAUSED)
            until = tr.format_date(rhythm.paused_until)
            return tr.gettext(messages.SCHEDULE_PAUSED_UNTIL, date=until, **fields)


def _label(tr: Translator, labels: ReaderSettings, tag: str) -> str:
    return tr.chinese(labels.tag_label(tag, tr.lang))


def _button(label: str, data: str, chosen: bool = False) -> InlineKeyboardButton:
    return InlineKeyboardButton(f"✅ {label}" if chosen else label, callback_data=data)


def _rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def _text(tr: Translator, labels: ReaderSettings, screen: RhythmScreen) -> str:
    rhythm = screen.rhythm
    lines = [
        tr.gettext(messages.RHYTHM_HEADER),
        tr.gettext(messages.RHYTHM_DIGESTS, rhythm=rhythm_name(tr, rhythm)),
    ]
    today = screen.local_now.date()
    start = today if screen.local_now.time() < screen.digest_time else today + timedelta(days=1)
    upcoming = next_digest_day(rhythm, start)
    if upcoming is not None:
        lines.append(
            tr.gettext(
                messages.RHYTHM_NEXT,
                date=tr.format_date(upcoming),
                time=f"{screen.digest_time:%H:%M}",
            )
        )
    instant = [_label(tr, labels, t.name) for t in screen.tags if t.instant]
    shown = (
        html.escape(format_list(instant, locale=tr.locale))
        if instant
        else tr.gettext(messages.RHYTHM_INSTANT_NONE)
    )
    lines += ["", tr.gettext(messages.RHYTHM_INSTANT, tags=shown)]
    hint = messages.RHYTHM_INSTANT_HINT if screen.tags else messages.RHYTHM_INSTANT_NO_TAGS
    lines.append(tr.gettext(hint))
    quiet = messages.RHYTHM_QUIET_ON if rhythm.quiet_hours else messages.RHYTHM_QUIET_OFF
    lines.append(tr.gettext(quiet))
    if screen.picking is RhythmKind.PICK_DAY:
        lines += ["", tr.gettext(messages.RHYTHM_PICK_DAY)]
    elif screen.picking is RhythmKind.PICK_PAUSE:
        lines += ["", tr.gettext(messages.RHYTHM_PICK_PAUSE)]
    elif screen.picking is RhythmKind.TYPE_PAUSE:
        typed = (messages.ASK_PAUSE_DATE_TYPED, messages.ASK_CANCEL_HINT)
        lines += ["", *(tr.gettext(line) for line in typed)]
    return "\n".join(lines)


def _rhythm_rows(tr: Translator, screen: RhythmScreen) -> list[list[InlineKeyboardButton]]:
    rhythm = screen.rhythm
    kind = rhythm.rhythm
    paused = kind is Rhythm.PAUSED
    rows = [
        [
            _button(tr.gettext(messages.RHYTHM_DAILY), "rh:r:daily", kind is Rhythm.DAILY),
            _button(tr.gettext(messages.RHYTHM_WEEKDAYS), "rh:r:weekdays", kind is Rhythm.WEEKDAYS),
        ],
        [
            _button(tr.gettext(messages.BUTTON_RHYTHM_WEEKLY), "rh:wk", kind is Rhythm.WEEKLY),
            _button(tr.gettext(messages.BUTTON_RESUME), "rh:resume")
            if paused
            else _button(tr.gettext(messages.BUTTON_PAUSE), "rh:pz"),
        ],
    ]
    if screen.picking is RhythmKind.PICK_DAY:
        chosen = rhythm.weekly_day if kind is Rhythm.WEEKLY else None
        days = [_button(_weekday(tr, d), f"rh:w:{d}", d == chosen) for d in range(7)]
        rows += _rows(days, DAYS_PER_ROW)
    elif screen.picking in (RhythmKind.PICK_PAUSE, RhythmKind.TYPE_PAUSE):
        ends = pause_choices(screen.local_now.date())
        rows.append([_button(_short_date(tr, d), f"rh:p:{d:%Y%m%d}") for d in ends])
        other = tr.gettext(messages.BUTTON_PAUSE_OTHER_DATE)
        rows.append([_button(other, TYPE_PAUSE_DATA, screen.picking is RhythmKind.TYPE_PAUSE)])
    return rows


def render_rhythm(
    tr: Translator, labels: ReaderSettings, screen: RhythmScreen
) -> tuple[str, InlineKeyboardMarkup]:
    """The rhythm screen: what it is, the next digest, instant tags, quiet hours; its buttons."""
    rows = _rhythm_rows(tr, screen)
    tag_buttons = []
    for tag in screen.tags:
        label = _label(tr, labels, tag.name)
        shown = f"{INSTANT_MARK} {label}" if tag.instant else label
        tag_buttons.append(InlineKeyboardButton(shown, callback_data=f"rh:i:{tag.id}"))
    rows += _rows(tag_buttons, TAGS_PER_ROW)
    quiet = messages.BUTTON_QUIET_ON if screen.rhythm.quiet_hours else messages.BUTTON_QUIET_OFF
    rows.append([_button(tr.gettext(quiet), "rh:q")])
    rows.append([_button(tr.gettext(messages.BUTTON_BACK_TO_SETTINGS), "rh:back")])
    return _text(tr, labels, screen), InlineKeyboardMarkup(rows)
