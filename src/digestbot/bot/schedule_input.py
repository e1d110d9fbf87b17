"""Reading a reader's digest time and time zone from a short reply (pure).

Times: ``08:00``, ``8:00``, ``8``, ``20:30`` (a full-width colon ``：`` too). Time zones: an IANA
name matched case-insensitively (``asia/shanghai``), ``UTC``, or a whole-hour UTC offset
(``+8``, ``UTC+08:00``, ``GMT-5``) stored as ``Etc/GMT-8``-style names (POSIX signs: inverted).
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from datetime import time

from digestbot import messages
from digestbot.errors import DigestbotError

__all__ = ["ScheduleInputError", "parse_digest_time", "parse_time_zone", "zone_label"]

_TIME = re.compile(r"^(\d{1,2})(?:[:：.](\d{2}))?$")
_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_ETC = re.compile(r"^Etc/GMT([+-])(\d{1,2})$")
_MAX_EAST, _MAX_WEST = 14, 12  # the Etc/GMT zones that exist


class ScheduleInputError(DigestbotError):
    """A reply that is not a usable time or time zone; ``message`` is the catalog id to show."""

    def __init__(self, message: str, value: str) -> None:
        super().__init__(f"{message} ({value!r})")
        self.message = message
        self.value = value


def parse_digest_time(text: str) -> time:
    """The time of day in ``text``; ScheduleInputError when it is not one."""
    value = text.strip()
    match = _TIME.match(value)
    if match is not None:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise ScheduleInputError(messages.INVALID_TIME, value)


def parse_time_zone(text: str) -> str:
    """The IANA name for ``text`` (a zone name or a whole-hour UTC offset)."""
    value = text.strip()
    name = _zone_names().get(value.lower())
    if name is not None:
        return name
    match = _OFFSET.match(value)
    if match is None:
        raise ScheduleInputError(messages.INVALID_TIME_ZONE, value)
    sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    if minutes >= 60 or hours > _MAX_EAST:
        raise ScheduleInputError(messages.INVALID_TIME_ZONE, value)
    if minutes:
        raise ScheduleInputError(messages.TIME_ZONE_WHOLE_HOURS, value)
    if hours == 0:
        return "UTC"
    if sign == "-" and hours > _MAX_WEST:
        raise ScheduleInputError(messages.INVALID_TIME_ZONE, value)
    return f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"


def zone_label(name: str) -> str:
    """How a stored zone reads to a reader: ``Etc/GMT-8`` as ``UTC+8``, IANA names as they are."""
    match = _ETC.match(name)
    if match is None:
        return name
    return f"UTC{'-' if match.group(1) == '+' else '+'}{int(match.group(2))}"


@functools.cache
def _zone_names() -> dict[str, str]:
    return {name.lower(): name for name in zoneinfo.available_timezones()}
