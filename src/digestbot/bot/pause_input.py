"""Reading the day a pause ends from a short reply (pure): the first day digests come again.

Understood, in Chinese and English (full-width forms, any case, spaces or none):

- dates: ``12月25日``, ``12月25号``, ``十二月二十五日``, ``2027年1月3日``, ``2026-12-25``,
  ``2026/12/25``, ``12/25`` (month first, or day first when the first number cannot be a
  month: ``25/12``), ``25 Dec``, ``Dec 25``, ``December 25th, 2026``;
- weekdays: ``周一``, ``星期五``, ``礼拜天`` (the coming one), ``下周一`` (Monday of next week),
  ``下周`` (its Monday), ``monday``, ``next monday`` (the coming Monday), ``next week``;
- lengths: ``3天``, ``3天后``, ``两周``, ``一个星期``, ``1个月``, ``3 days``, ``in 2 weeks``,
  ``a month``; ``明天``, ``后天``, ``tomorrow``.

A date without a year is the next one that is not past: this year's, or next year's when this
year's has gone (today's own is refused: a pause ends after today). Whatever is accepted lies after
``today`` and at most :data:`MAX_PAUSE_DAYS` ahead; anything else raises
:class:`~digestbot.bot.schedule_input.ScheduleInputError` with the catalog message that says why.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from datetime import date, timedelta

from digestbot import messages
from digestbot.bot.schedule_input import ScheduleInputError, read_number

__all__ = ["MAX_PAUSE_DAYS", "parse_pause_end", "pause_allowed"]

MAX_PAUSE_DAYS = 366  # a pause ends within a year (a leap year's too)
_WEEK = 7
_NUMBER = r"\d{1,4}|[零〇一二两兩三四五六七八九十]{1,3}|an?|one"
_DAY_NUMBER = r"\d{1,2}|[零〇一二两兩三四五六七八九十]{1,3}"
_ORDINAL = r"(?:st|nd|rd|th)?"
_MONTH_NAMES = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_WEEKDAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTHS = {
    name: number for number, full in enumerate(_MONTH_NAMES, start=1) for name in (full, full[:3])
} | {"sept": 9}
_WEEKDAYS = {
    name: number for number, full in enumerate(_WEEKDAY_NAMES) for name in (full, full[:3])
} | {"tues": 1, "thur": 3, "thurs": 3}
_CHINESE_WEEKDAYS = dict(
    zip("一二三四五六日天1234567", (0, 1, 2, 3, 4, 5, 6, 6, *range(7)), strict=True)
)
_MONTH_NAME = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAY_NAME = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))

_CHINESE_DATE = re.compile(
    rf"^(?:(?P<year>\d{{4}})年)?(?P<month>{_DAY_NUMBER})月(?P<day>{_DAY_NUMBER})[日号號]?$"
)
_ISO_DATE = re.compile(r"^(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})$")
_DAY_OF_MONTH = re.compile(rf"^(?P<day>{_DAY_NUMBER})[日号號]$")
_NUMERIC_DATE = re.compile(r"^(?P<first>\d{1,2})[/.-](?P<second>\d{1,2})(?:[/.-](?P<year>\d{4}))?$")
_DAY_MONTH = re.compile(
    rf"^(?:the)?(?P<day>\d{{1,2}}){_ORDINAL}(?:of)?(?P<month>{_MONTH_NAME})\.?,?(?P<year>\d{{4}})?$"
)
_MONTH_DAY = re.compile(
    rf"^(?P<month>{_MONTH_NAME})\.?(?P<day>\d{{1,2}}){_ORDINAL},?(?P<year>\d{{4}})?$"
)
_CHINESE_WEEKDAY = re.compile(
    r"^(?P<next>下个?|下個|下一个?|下一個)?(?:周|週|星期|礼拜|禮拜)(?P<day>[一二三四五六日天1-7])?$"
)
_ENGLISH_WEEKDAY = re.compile(rf"^(?:on|next|this|coming|thecoming)?(?P<day>{_WEEKDAY_NAME})\.?$")
_SPAN = re.compile(
    rf"^(?:in|for|after|过|過)?(?P<n>{_NUMBER})(?P<unit>天|days?|d"
    r"|(?:个|個)?(?:周|週|星期|礼拜|禮拜)|weeks?|wks?|w|(?:个|個)月|months?)"
    r"(?:后|後|以后|以後|之后|之後|later|fromnow|time)?$"
)
_WORDS = {
    "今天": 0,
    "today": 0,
    "明天": 1,
    "明日": 1,
    "tomorrow": 1,
    "后天": 2,
    "後天": 2,
    "dayaftertomorrow": 2,
    "thedayaftertomorrow": 2,
    "大后天": 3,
    "大後天": 3,
}
_DAY_UNITS = ("天", "day", "days", "d")


def pause_allowed(until: date, today: date) -> bool:
    """Whether a pause may end on ``until``: after ``today``, within :data:`MAX_PAUSE_DAYS`."""
    return today < until <= today + timedelta(days=MAX_PAUSE_DAYS)


def _normalized(text: str) -> str:
    """NFKC (full-width forms to ASCII), case folded, without spaces or a closing full stop."""
    value = unicodedata.normalize("NFKC", text).casefold()
    return "".join(value.split()).rstrip("。.!！")


def _count(text: str) -> int | None:
    """``3``, ``两``, ``十二``, ``a``, ``one`` as an int; None for nonsense."""
    if text in ("a", "an", "one"):
        return 1
    return read_number(text)


def _add_months(today: date, months: int) -> date:
    """The same day ``months`` later, the month's last day when it has no such day."""
    year, month = divmod(today.month - 1 + months, 12)
    year += today.year
    if year > date.max.year:
        return date.max
    return date(year, month + 1, min(today.day, calendar.monthrange(year, month + 1)[1]))


def _span(match: re.Match[str], today: date) -> date | None:
    count = _count(match["n"])
    if count is None:
        return None
    unit = match["unit"]
    if unit.endswith("月") or unit.startswith("month"):
        return _add_months(today, count)
    days = count if unit in _DAY_UNITS else count * _WEEK
    return today + timedelta(days=min(days, MAX_PAUSE_DAYS + 1))


def _coming_weekday(today: date, weekday: int) -> date:
    """The first ``weekday`` after today (a week on when today is one)."""
    return today + timedelta(days=(weekday - today.weekday() - 1) % _WEEK + 1)


def _weekday(value: str, today: date) -> date | None:
    match = _CHINESE_WEEKDAY.match(value)
    if match is not None:
        day = match["day"]
        if match["next"] is None:
            return None if day is None else _coming_weekday(today, _CHINESE_WEEKDAYS[day])
        next_monday = today + timedelta(days=_WEEK - today.weekday())
        return next_monday + timedelta(days=_CHINESE_WEEKDAYS[day] if day else 0)
    if value == "nextweek":
        return today + timedelta(days=_WEEK - today.weekday())
    match = _ENGLISH_WEEKDAY.match(value)
    return None if match is None else _coming_weekday(today, _WEEKDAYS[match["day"]])


def _on(year: int, month: int | None, day: int | None) -> date | None:
    """The date, or None when there is no such day."""
    if month is None or day is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _calendar_date(
    month: int | None, day: int | None, year: str | None, today: date
) -> date | None:
    """A written date; without a year, the first of this year's and next year's that is not
    past (today's own stays today: it is refused as not after today)."""
    if year is not None:
        return _on(int(year), month, day)
    for candidate in (_on(today.year, month, day), _on(today.year + 1, month, day)):
        if candidate is not None and candidate >= today:
            return candidate
    return None


def _day_of_month(day: int | None, today: date) -> date | None:
    """The first ``day`` of a month from today on: this month's, else the next that has it."""
    month = date(today.year, today.month, 1)
    for _ in range(3):
        found = _on(month.year, month.month, day)
        if found is not None and found >= today:
            return found
        month = (month + timedelta(days=31)).replace(day=1)
    return None


def _written_date(value: str, today: date) -> date | None:
    match = _DAY_OF_MONTH.match(value)
    if match is not None:
        return _day_of_month(read_number(match["day"]), today)
    for pattern in (_CHINESE_DATE, _ISO_DATE, _DAY_MONTH, _MONTH_DAY):
        match = pattern.match(value)
        if match is not None:
            month = match["month"]
            number = _MONTHS.get(month) or read_number(month)
            return _calendar_date(number, read_number(match["day"]), match["year"], today)
    match = _NUMERIC_DATE.match(value)
    if match is None:
        return None
    first, second = int(match["first"]), int(match["second"])
    month, day = (first, second) if first <= 12 else (second, first)
    return _calendar_date(month, day, match["year"], today)


def _read(value: str, today: date) -> date | None:
    if value in _WORDS:
        return today + timedelta(days=_WORDS[value])
    match = _SPAN.match(value)
    if match is not None:
        return _span(match, today)
    return _weekday(value, today) or _written_date(value, today)


def parse_pause_end(text: str, today: date) -> date:
    """The day digests come again, read from ``text`` on the reader's local ``today``."""
    value = text.strip()
    try:
        found = _read(_normalized(value), today)
    except OverflowError:  # a date past the year 9999
        raise ScheduleInputError(messages.PAUSE_DATE_TOO_FAR, value) from None
    if found is None:
        raise ScheduleInputError(messages.INVALID_PAUSE_DATE, value)
    if found <= today:
        raise ScheduleInputError(messages.PAUSE_DATE_NOT_AHEAD, value)
    if not pause_allowed(found, today):
        raise ScheduleInputError(messages.PAUSE_DATE_TOO_FAR, value)
    return found
