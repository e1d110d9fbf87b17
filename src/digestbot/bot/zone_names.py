"""Time zones in the reader's words (pure): display names and names typed in, from Babel's CLDR.

A zone is stored as an IANA id and shown by its localized location name (``中国时间``,
``台灣時間``, ``United Kingdom Time``, ``United States (New York) Time``); fixed offsets
(``Etc/GMT-8``, POSIX sign inverted) read ``UTC+8``. What a reader types is looked up among the
IANA ids and, in Chinese (both scripts) and English, Babel's exemplar cities (``伦敦``, ``倫敦``,
``Tokyo``), its country names for countries with one zone (``日本``, ``Singapore``), and the
zone names it shows (``中国时间``). A country with several zones (``美国``) is ambiguous.
tzdata's entries that are no place (:data:`PSEUDO_ZONES`: ``Factory``, ``localtime``,
``posixrules``) are never found or offered; one stored all the same reads ``UTC``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass

from babel import Locale
from babel.core import get_global
from babel.dates import get_timezone_location

from digestbot.textwidth import display_width

__all__ = [
    "PSEUDO_ZONES",
    "ZoneMatch",
    "is_place_zone",
    "lookup_zone",
    "offset_label",
    "zone_display_name",
    "zone_place",
]

# CLDR's primaryZones (common/supplemental/metaZones.xml), which Babel does not ship: the zone a
# country with several zones is named after ("China Time", not "China (Shanghai) Time").
PRIMARY_ZONES: Mapping[str, str] = {
    "CL": "America/Santiago",
    "CN": "Asia/Shanghai",
    "DE": "Europe/Berlin",
    "EC": "America/Guayaquil",
    "ES": "Europe/Madrid",
    "MH": "Pacific/Majuro",
    "MY": "Asia/Kuala_Lumpur",
    "NZ": "Pacific/Auckland",
    "PT": "Europe/Lisbon",
    "UA": "Europe/Kyiv",
    "UZ": "Asia/Tashkent",
}
# Names people use that are no zone's exemplar city in CLDR (China's capital above all).
ALIASES: Mapping[str, str] = {
    "北京": "Asia/Shanghai",
    "beijing": "Asia/Shanghai",
    "peking": "Asia/Shanghai",
    "uk": "Europe/London",
    "britain": "Europe/London",
}
LOOKUP_LOCALES = ("zh_Hans_CN", "zh_Hant_TW", "zh_Hant_HK", "en")
PLACE_COLUMNS = 16  # a country name longer than this gives way to the city on a button
_ETC_OFFSET = re.compile(r"^Etc/GMT([+-])(\d{1,2})$")
_UTC_NAMES = frozenset(
    {"UTC", "UCT", "GMT", "GMT0", "GMT+0", "GMT-0", "Zulu", "Universal", "Greenwich"}
)
# tzdata's files that are no place (``Factory`` is UTC with the abbreviation "-00", Babel knows it
# as ``Etc/Unknown``; ``localtime`` and ``posixrules`` are whatever the machine links them to).
PSEUDO_ZONES = frozenset({"Factory", "localtime", "posixrules", "Etc/Unknown"})
_SUFFIXES = ("标准时间", "標準時間", "时间", "時間", "时区", "時區", "standardtime", "time")
_DROPPED = re.compile(r"[\s_'’.\-]+")


@dataclass(frozen=True, slots=True)
class ZoneMatch:
    """A typed name looked up: the zone it names, or the country it names ambiguously."""

    zone: str | None = None
    ambiguous: bool = False


def is_place_zone(name: str) -> bool:
    """Whether ``name`` is a zone a reader may choose: an IANA id tzdata has, and a place."""
    return name not in PSEUDO_ZONES and name in zoneinfo.available_timezones()


def offset_label(name: str) -> str | None:
    """``UTC+8`` for ``Etc/GMT-8``, ``UTC`` for UTC's names (and the pseudo-zones); None for
    other zones."""
    bare = name.removeprefix("Etc/")
    if bare in _UTC_NAMES or name in PSEUDO_ZONES:
        return "UTC"
    match = _ETC_OFFSET.match(name)
    if match is None:
        return None
    hours = int(match.group(2))
    return "UTC" if hours == 0 else f"UTC{'-' if match.group(1) == '+' else '+'}{hours}"


def _canonical(name: str) -> str:
    aliases: Mapping[str, str] = get_global("zone_aliases")
    return aliases.get(name, name)


def _country(zone: str) -> str | None:
    """The zone's country code when the country is named after it (one zone, or primary)."""
    territories: Mapping[str, str] = get_global("zone_territories")
    territory = territories.get(zone)
    if territory is None:
        return None
    zones: Mapping[str, list[str]] = get_global("territory_zones")
    if len(zones.get(territory, ())) == 1 or PRIMARY_ZONES.get(territory) == zone:
        return territory
    return None


def zone_display_name(name: str, locale: Locale) -> str:
    """How a stored zone reads: ``中国时间``, ``United States (New York) Time``, ``UTC+8``."""
    offset = offset_label(name)
    if offset is not None:
        return offset
    zone, country = _zone_and_country(name, locale)
    named = _naming_locale(locale)
    if country is not None:
        return str(named.zone_formats["region"] % country)
    return get_timezone_location(zone, locale=named)


@functools.cache
def _naming_locale(locale: Locale) -> Locale:
    """The locale whose format names zones: ``locale``, or its language and script where Babel
    keeps a daylight-time format for it (zh_Hant_HK's "{0}夏令時間" for every zone, all year)."""
    base = Locale(locale.language, script=locale.script)
    return base if locale.zone_formats["region"] != base.zone_formats["region"] else locale


def zone_place(name: str, locale: Locale) -> str:
    """A short name for a button: the country when it has the zone to itself, else the city."""
    offset = offset_label(name)
    if offset is not None:
        return offset
    zone, country = _zone_and_country(name, locale)
    if country is not None and display_width(country) <= PLACE_COLUMNS:
        return country
    return get_timezone_location(zone, locale=locale, return_city=True)


def _zone_and_country(name: str, locale: Locale) -> tuple[str, str | None]:
    """The canonical zone, and the name in ``locale`` of the country it stands for (None when
    it shares its country with other zones, or the locale has no name for it)."""
    zone = _canonical(name)
    country = _country(zone)
    if country is None or country not in locale.territories:
        return zone, None
    return zone, str(locale.territories[country])


def lookup_key(text: str) -> str:
    """``text`` as the index keys it: NFKC, case folded, without spaces and joiners."""
    return _DROPPED.sub("", unicodedata.normalize("NFKC", text).casefold())


def lookup_zone(text: str) -> ZoneMatch | None:
    """The zone a typed name means (an IANA id, a city, a country, a shown name), or None."""
    key = lookup_key(text)
    if not key:
        return None
    index, several = _index()
    keys = [key] + [key.removesuffix(s) for s in _SUFFIXES if key.endswith(s) and key != s]
    for candidate in keys:
        if candidate in index:
            return ZoneMatch(zone=index[candidate])
        if candidate in several:
            return ZoneMatch(ambiguous=True)
    return None


@functools.cache
def _index() -> tuple[dict[str, str], frozenset[str]]:
    """Typed keys to zones, and the keys of countries with several zones (built once)."""
    available = zoneinfo.available_timezones() - PSEUDO_ZONES
    index: dict[str, str] = {}
    several: set[str] = set()

    def add(name: str, zone: str) -> None:
        index.setdefault(lookup_key(name), zone)

    for name in sorted(available):  # legacy links (``Singapore``, ``PRC``) to their zones
        canonical = _canonical(name)
        add(name, canonical if canonical in available else name)
    territories: Mapping[str, str] = get_global("zone_territories")
    zones = sorted(zone for zone in territories if zone in available)
    for locale in map(Locale.parse, LOOKUP_LOCALES):
        for zone in zones:
            add(get_timezone_location(zone, locale=locale, return_city=True), zone)
            add(zone_display_name(zone, locale), zone)
        for territory, members in get_global("territory_zones").items():
            country = locale.territories.get(territory)
            kept = [zone for zone in members if zone in available]
            if country is None or not kept:
                continue
            primary = PRIMARY_ZONES.get(territory, "")
            if len(kept) == 1 or primary in kept:
                add(country, primary if primary in kept else kept[0])
            else:
                several.add(lookup_key(country))
    for alias, zone in ALIASES.items():
        add(alias, zone)
    return index, frozenset(several - index.keys())
