"""Reading a reader's digest time and time zone from a short reply (pure).

Times: ``08:00``, ``8``, ``20:30`` (full-width digits and colon too), ``6pm``, ``6:30 p.m.``,
``noon``, and Chinese ``7点半``, ``早上7点``, ``下午6点``, ``晚上九点一刻``, ``7点05分``.
Time zones: an IANA name (any case), a city or country in Chinese or English (Babel's CLDR data,
see :mod:`digestbot.bot.zone_names`), ``UTC``, or a whole-hour UTC offset (``+8``, ``UTC+08:00``,
``GMT-5``, ``东八区``) stored as ``Etc/GMT-8``-style names (POSIX signs: inverted).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import time

from digestbot import messages
from digestbot.bot.zone_names import lookup_zone, offset_label
from digestbot.errors import DigestbotError

__all__ = [
    "ScheduleInputError",
    "parse_digest_time",
    "parse_time_zone",
    "read_number",
    "zone_label",
]

_NUMBER = r"\d{1,2}|[零〇一二两兩三四五六七八九十]{1,3}"
_MORNING = ("凌晨", "清晨", "早晨", "早上", "上午", "早")
_NOON = ("中午",)
_AFTERNOON = ("下午", "傍晚")
_EVENING = ("晚上", "夜里", "夜裡", "夜间", "夜間", "深夜", "晚")
_PERIOD = "|".join(_MORNING + _NOON + _AFTERNOON + _EVENING)
_CHINESE_TIME = re.compile(
    rf"^(?P<period>{_PERIOD})?(?P<hour>{_NUMBER})[点點时時]"
    rf"(?:(?P<half>半)|(?P<quarter>[一三]刻)|(?:零|〇)?(?P<minute>{_NUMBER})分?)?[钟鐘]?$"
)
_CLOCK_TIME = re.compile(
    rf"^(?P<period>{_PERIOD})?(?P<hour>\d{{1,2}})(?:[:.h](?P<minute>\d{{2}}))?(?P<ampm>[ap]m?)?$"
)
_WORDS = {"noon": time(12), "midday": time(12), "midnight": time(0), "中午": time(12)}
_DIGITS = dict(
    zip("零〇一二两兩三四五六七八九", (0, 0, 1, 2, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True)
)
_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_CHINESE_OFFSET = re.compile(rf"^(?:UTC|GMT)?([东東西])({_NUMBER})[区區]$", re.IGNORECASE)
_MAX_EAST, _MAX_WEST = 14, 12  # the Etc/GMT zones that exist


class ScheduleInputError(DigestbotError):
    """A reply that is not a usable time, time zone or day (:mod:`digestbot.bot.pause_input`);
    ``message`` is the catalog id to show."""

    def __init__(self, message: str, value: str) -> None:
        super().__init__(f"{message} ({value!r})")
        self.message = message
        self.value = value


def _normalized(text: str) -> str:
    """NFKC (full-width forms to ASCII), case folded, without spaces or a closing full stop."""
    value = unicodedata.normalize("NFKC", text).casefold()
    value = value.replace("a.m.", "am").replace("p.m.", "pm").replace("o'clock", "")
    return "".join(value.split()).rstrip("。.!！")


def read_number(text: str | None) -> int | None:
    """``7``, ``07``, ``七``, ``十五``, ``二十三`` as an int; None for none or nonsense."""
    if text is None:
        return None
    if text.isascii():
        return int(text)
    if "十" not in text:
        return _DIGITS[text] if len(text) == 1 and text in _DIGITS else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1 or (tens and tens not in _DIGITS):
        return None
    if ones and ones not in _DIGITS:
        return None
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


def _in_period(hour: int, period: str | None, ampm: str | None) -> int | None:
    """The 24-hour hour for ``hour`` said with a period of the day; None when it cannot be."""
    if ampm is not None:
        if not 1 <= hour <= 12 or period is not None:
            return None
        return hour % 12 + (12 if ampm.startswith("p") else 0)
    if period is None:
        return hour if hour < 24 else None
    if period in _MORNING:
        if hour == 12:
            return 0 if period == "凌晨" else 12
        return hour if hour < 12 else None
    if period in _NOON:
        return hour + 12 if 1 <= hour <= 3 else (hour if 11 <= hour <= 14 else None)
    if period in _AFTERNOON:
        return hour + 12 if 1 <= hour <= 11 else (hour if 12 <= hour <= 23 else None)
    if hour == 12:  # the evening's twelve o'clock is midnight; its one to five, the night's
        return 0
    if hour <= 5 or 18 <= hour <= 23:
        return hour
    return hour + 12 if 6 <= hour <= 11 else None


def parse_digest_time(text: str) -> time:
    """The time of day in ``text``; ScheduleInputError when it is not one."""
    value = _normalized(text)
    if value in _WORDS:
        return _WORDS[value]
    match = _CHINESE_TIME.match(value) or _CLOCK_TIME.match(value)
    if match is not None:
        groups = match.groupdict()
        hour = read_number(groups["hour"])
        minute = read_number(groups.get("minute"))
        if groups.get("half"):
            minute = 30
        elif groups.get("quarter"):
            minute = 15 if groups["quarter"].startswith("一") else 45
        hour = None if hour is None else _in_period(hour, groups["period"], groups.get("ampm"))
        if groups.get("minute") is not None and minute is None:
            hour = None  # a minute written in numerals that make no number
        if hour is not None and (minute or 0) < 60:
            return time(hour, minute or 0)
    raise ScheduleInputError(messages.INVALID_TIME, text.strip())


def _offset_zone(sign: str, hours: int, minutes: int, value: str) -> str:
    """The ``Etc/GMT`` zone ``hours`` east (``+``) or west of UTC."""
    if minutes >= 60 or hours > _MAX_EAST:
        raise ScheduleInputError(messages.INVALID_TIME_ZONE, value)
    if minutes:
        raise ScheduleInputError(messages.TIME_ZONE_WHOLE_HOURS, value)
    if hours == 0:
        return "UTC"
    if sign == "-" and hours > _MAX_WEST:
        raise ScheduleInputError(messages.INVALID_TIME_ZONE, value)
    return f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"


def parse_time_zone(text: str) -> str:
    """The IANA name for ``text`` (a zone, city or country name, or a whole-hour UTC offset)."""
    value = text.strip()
    compact = _normalized(value)
    match = _OFFSET.match(compact)
    if match is not None:
        sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
        return _offset_zone(sign, hours, minutes, value)
    match = _CHINESE_OFFSET.match(compact)
    hours_said = read_number(match.group(2)) if match is not None else None
    if match is not None and hours_said is not None:
        return _offset_zone("+" if match.group(1) in "东東" else "-", hours_said, 0, value)
    found = lookup_zone(value)
    if found is not None and found.zone is not None:
        return "UTC" if offset_label(found.zone) == "UTC" else found.zone
    if found is not None and found.ambiguous:
        raise ScheduleInputError(messages.TIME_ZONE_SEVERAL, value)
    raise ScheduleInputError(messages.INVALID_TIME_ZONE, value)


def zone_label(name: str) -> str:
    """A stored zone without a locale: ``Etc/GMT-8`` as ``UTC+8``, other names as they are."""
    return offset_label(name) or name
