"""Front-matter values read into typed ones: dates, tags, languages, keys, links, strings."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime

from digestbot.articles.model import Lang
from digestbot.errors import ArticleError

__all__ = [
    "optional_str",
    "parse_date",
    "parse_key",
    "parse_lang",
    "parse_summary",
    "parse_tags",
    "parse_url",
    "short_repr",
]

_LANG_ALIASES = {
    "zh": Lang.ZH,
    "cn": Lang.ZH,
    "chinese": Lang.ZH,
    "中文": Lang.ZH,
    "汉语": Lang.ZH,
    "漢語": Lang.ZH,
    "en": Lang.EN,
    "english": Lang.EN,
    "英文": Lang.EN,
    "英语": Lang.EN,
    "英語": Lang.EN,
}
_SCALARS = (str, int, float, date)  # date covers datetime; YAML gives these for unquoted values


def short_repr(value: object, limit: int = 40) -> str:
    """``repr(value)`` cut to ``limit`` characters, for error messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_date(value: object) -> datetime:
    """A timezone-aware UTC datetime from an ISO date/datetime string or a YAML date/datetime.

    A date means midnight UTC; a datetime without a zone is taken as UTC.
    """
    try:
        if isinstance(value, str):
            value = datetime.fromisoformat(value.strip())
        if isinstance(value, datetime):
            if value.tzinfo is None or value.utcoffset() is None:
                return value.replace(tzinfo=UTC)
            return value.astimezone(UTC)
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day, tzinfo=UTC)
    except (ValueError, OverflowError):
        pass
    raise ArticleError(f"invalid date {short_repr(value)}")


def parse_tags(value: object) -> tuple[str, ...]:
    """Tags from a YAML list or a comma-separated string: lower-cased, unique, in order."""
    if value is None:
        return ()
    if isinstance(value, str):
        items: list[object] = list(value.split(","))
    elif isinstance(value, list):
        items = value
    elif isinstance(value, _SCALARS) and not isinstance(value, bool):
        items = [value]
    else:
        raise ArticleError("tags must be a list or a string")
    tags: dict[str, None] = {}
    for item in items:
        if item is None:
            continue
        if not isinstance(item, _SCALARS):
            raise ArticleError("tags must be a list or a string")
        tag = " ".join(str(item).lower().split())
        if tag:
            tags.setdefault(tag, None)
    return tuple(tags)


def parse_lang(value: object) -> Lang:
    """A language code (``zh``, ``zh-Hant``, ``en_US``, ``中文``, ...) as a Lang."""
    code = str(value).strip().lower().replace("_", "-")
    lang = _LANG_ALIASES.get(code) or _LANG_ALIASES.get(code.split("-", 1)[0])
    if lang is None:
        raise ArticleError(f"unknown lang {short_repr(value)} (use zh or en)")
    return lang


def parse_key(value: object, fallback: str) -> str:
    """The article key: front-matter ``id`` (string or number) when given, else ``fallback``."""
    if value is None:
        return fallback
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ArticleError("id must be a string or a number")
    return str(value).strip() or fallback


def parse_url(value: object, name: str) -> str | None:
    """A front-matter link (``source``/``url``): an http(s) URL or nothing."""
    url = optional_str(value, name)
    if url is None:
        return None
    if not url.lower().startswith(("http://", "https://")) or any(c.isspace() for c in url):
        raise ArticleError(f"{name} is not an http(s) URL: {short_repr(url)}")
    return url


def parse_summary(value: object) -> str | dict[Lang, str] | None:
    """Front-matter ``summary``: one string, or a map from language code to string."""
    if isinstance(value, Mapping):
        summaries: dict[Lang, str] = {}
        for code, text in value.items():
            summary = optional_str(text, "summary")
            if summary:
                summaries.setdefault(parse_lang(code), summary)
        return summaries
    return optional_str(value, "summary")


def optional_str(value: object, name: str) -> str | None:
    """A front-matter scalar as a stripped string; None when missing or blank."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, _SCALARS):
        raise ArticleError(f"{name} must be a string")
    return str(value).strip() or None
