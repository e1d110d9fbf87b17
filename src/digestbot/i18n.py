"""Locale choice, gettext and Babel formatting for the reader's language.

Strings are marked in the source and translated per reader at run time::

    from digestbot import messages
    from digestbot.i18n import translator

    t = translator(Lang.ZH)
    t.gettext(messages.SCHEDULE_DAILY, time="08:00", timezone="中国时间")
    t.plural(messages.ARTICLE_COUNT, 3)          # "3 篇文章"; ``{n}`` is filled in for you
    t.format_date(article.date, "Asia/Shanghai")  # "2024年5月12日"
    translator(Lang.ZH, Script.HANT_TW).gettext(messages.LANGUAGE_CHOSEN)  # Traditional, Taiwan

Extraction keywords (configured in ``[tool.babel]`` of ``pyproject.toml``): ``_``, ``gettext``,
``N_`` (mark a constant, translate later), ``NP_:1,2`` (a plural pair), ``ngettext:1,2``,
``pgettext:1c,2``, ``npgettext:1c,2,3``. The catalog workflow is in ``locales/README.md``.

Catalogs: ``locales/<zh_Hans|zh_Hant|en>/LC_MESSAGES/digestbot.mo``, compiled by the build hook
(``hatch_build.py``) on install. When a ``.mo`` is missing or older than its ``.po`` (a developer
editing translations), the ``.po`` is compiled in memory instead (a few milliseconds, once).
"""

from __future__ import annotations

import functools
import gettext as _gettext
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from io import BytesIO
from pathlib import Path
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from digestbot.chinese_script import Script, to_script
from digestbot.model import Lang

__all__ = [
    "DOMAIN",
    "LOCALES_DIR",
    "NP_",
    "N_",
    "Plural",
    "Translator",
    "catalog_dir",
    "catalog_name",
    "lang_from_telegram",
    "load_translations",
    "locale_for",
    "translator",
]

log = logging.getLogger(__name__)

DOMAIN = "digestbot"
LOCALES_DIR = Path(__file__).parent / "locales"
_LOCALE_IDS = {
    (Lang.ZH, Script.HANS): "zh_Hans_CN",
    (Lang.ZH, Script.HANT_TW): "zh_Hant_TW",
    (Lang.ZH, Script.HANT_HK): "zh_Hant_HK",
}

DateStyle = Literal["short", "medium", "long", "full"]
Zone = tzinfo | str | None  # a tzinfo (ZoneInfo or fixed offset), an IANA name, or None


class Plural(NamedTuple):
    """A message with a singular and a plural English form, chosen by a count."""

    singular: str
    plural: str


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it; a Translator translates it later."""
    return message


def NP_(singular: str, plural: str) -> Plural:
    """Mark a singular/plural pair for extraction; translate later with ``Translator.plural``."""
    return Plural(singular, plural)


@functools.cache
def locale_for(lang: Lang, script: Script = Script.HANS) -> Locale:
    """The Babel locale used to format dates and numbers for ``lang`` (in ``script``)."""
    return Locale.parse(_LOCALE_IDS.get((lang, script), lang.value))


def catalog_name(lang: Lang, script: Script = Script.HANS) -> str:
    """The catalog folder of ``lang``: ``en``, ``zh_Hans`` or (any Traditional) ``zh_Hant``."""
    if lang is Lang.EN:
        return "en"
    return "zh_Hant" if script.traditional else "zh_Hans"


def lang_from_telegram(language_code: str | None, default: Lang) -> Lang:
    """Map Telegram's ``language_code`` (``zh``, ``zh-hans``, ``en-GB`` ...) to a Lang."""
    primary = (language_code or "").strip().lower().replace("_", "-").split("-")[0]
    if primary == "zh":
        return Lang.ZH
    if primary == "en":
        return Lang.EN
    return default


def catalog_dir(lang: Lang, root: Path = LOCALES_DIR, *, script: Script = Script.HANS) -> Path:
    """The ``LC_MESSAGES`` folder holding ``lang``'s ``.po`` and ``.mo``."""
    return root / catalog_name(lang, script) / "LC_MESSAGES"


def load_translations(
    lang: Lang, root: Path = LOCALES_DIR, *, script: Script = Script.HANS
) -> NullTranslations:
    """``lang``'s ``.mo``, or its ``.po`` compiled in memory when the ``.mo`` is absent or stale."""
    folder = catalog_dir(lang, root, script=script)
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.is_file() and not (po.is_file() and po.stat().st_mtime > mo.stat().st_mtime):
        with mo.open("rb") as fp:
            return Translations(fp, domain=DOMAIN)
    if po.is_file():
        with po.open("rb") as fp:
            catalog = read_po(fp, locale=catalog_name(lang, script), domain=DOMAIN)
        buffer = BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return Translations(buffer, domain=DOMAIN)
    log.warning("no %s catalog in %s; showing untranslated text", lang.value, folder)
    return NullTranslations()


@dataclass(frozen=True, slots=True, eq=False)
class Translator:
    """One language's translations and formats; fields in ``{name}`` are filled with ``fields``.

    ``script`` is how the reader reads Chinese: the catalog and date formats of a Chinese reader,
    and, for every reader, the script Chinese content is shown in (:meth:`chinese`).
    """

    lang: Lang
    locale: Locale
    translations: _gettext.NullTranslations
    script: Script = Script.HANS

    def gettext(self, message: str, /, **fields: object) -> str:
        """``message`` in this language (the English id when untranslated), formatted."""
        return _fill(self.translations.gettext(message), fields)

    def pgettext(self, context: str, message: str, /, **fields: object) -> str:
        """Like ``gettext`` for a message that needs a ``context`` to be told apart."""
        return _fill(self.translations.pgettext(context, message), fields)

    def ngettext(self, singular: str, plural: str, n: int, /, **fields: object) -> str:
        """The form for ``n``; ``{n}`` becomes the localized number unless ``fields`` has ``n``."""
        text = self.translations.ngettext(singular, plural, n)
        return text.format(**{"n": self.format_number(n), **fields})

    def plural(self, message: Plural, n: int, /, **fields: object) -> str:
        """``ngettext`` for a pair marked with ``NP_``."""
        return self.ngettext(message.singular, message.plural, n, **fields)

    def format_date(self, value: date, tz: Zone = None, style: DateStyle = "medium") -> str:
        """The day of ``value`` in ``tz``: ``2024年5月12日`` or ``May 12, 2024``."""
        day = _in_zone(value, tz).date() if isinstance(value, datetime) else value
        return dates.format_date(day, format=style, locale=self.locale)

    def format_time(self, value: datetime, tz: Zone = None) -> str:
        """The clock time of ``value`` in ``tz``: ``04:00`` or ``4:00 AM``."""
        return dates.format_time(_in_zone(value, tz), format="short", locale=self.locale)

    def format_datetime(self, value: datetime, tz: Zone = None) -> str:
        """Day and time in ``tz``: ``2024年5月12日 04:00`` or ``May 12, 2024, 4:00 AM``."""
        pattern = self.locale.datetime_formats["medium"]
        return str(pattern).format(self.format_time(value, tz), self.format_date(value, tz))

    def format_number(self, value: float) -> str:
        """``value`` with the locale's digit grouping: ``12,345``."""
        return numbers.format_decimal(value, locale=self.locale)

    def chinese(self, text: str) -> str:
        """Chinese content (either script) in the reader's script; memoized per text and script."""
        return to_script(text, self.script)


@functools.cache
def translator(lang: Lang, script: Script = Script.HANS) -> Translator:
    """The (cached) translator for ``lang``, Chinese read in ``script``."""
    translations = load_translations(lang, script=script)
    return Translator(lang, locale_for(lang, script), translations, script)


def _fill(text: str, fields: dict[str, object]) -> str:
    return text.format(**fields) if fields else text


def _in_zone(value: datetime, tz: Zone) -> datetime:
    """``value`` (naive means UTC) moved to ``tz`` when one is given.

    A value within a day of the calendar's ends (year 1 or 9999) may not fit in ``tz``; it is
    then shown as stored, so that one odd row cannot stop a digest.
    """
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if tz is None:
        return aware
    try:
        return aware.astimezone(ZoneInfo(tz) if isinstance(tz, str) else tz)
    except OverflowError:
        return aware
