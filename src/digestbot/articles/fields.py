"""Front-matter values read into typed ones: dates, tags, languages, keys, links, strings."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Set
from datetime import UTC, date, datetime

from digestbot.errors import ArticleError
from digestbot.model import Lang

__all__ = [
    "EARLIEST_DATE",
    "LATEST_DATE",
    "MAX_AUTHOR_CHARS",
    "MAX_KEY_CHARS",
    "MAX_TAG_CHARS",
    "MAX_URL_CHARS",
    "optional_str",
    "parse_author",
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
_MAX_INT_BITS = 1024  # about 308 digits: a longer number is no tag, id or title
# Control characters (but tab and newline) and lone surrogates: YAML escapes can put them in a
# value; they mean nothing in a title, PostgreSQL refuses NUL and UTF-8 has no lone surrogates.
_UNWANTED = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_END = object()

# The store's column sizes (store/models.py): PostgreSQL refuses a longer value, and one such
# file would fail the whole batch it is written in, so the parser refuses it first.
MAX_KEY_CHARS = 512
MAX_URL_CHARS = 2048  # also about what a browser or Telegram takes as a link
MAX_AUTHOR_CHARS = 200
MAX_TAG_CHARS = 100

# Any date in this range stays in years 1-9999 in every time zone (offsets are under a day).
EARLIEST_DATE = datetime(2, 1, 1, tzinfo=UTC)
LATEST_DATE = datetime(9998, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)


class _Mark(str):
    """Punctuation written by ``short_repr`` itself, not a string value to quote."""


def short_repr(value: object, limit: int = 40) -> str:
    """``repr(value)`` cut to ``limit`` characters, for error messages.

    Containers are written item by item only until ``limit`` characters, so the cost is bounded
    whatever the value: a structure shared or recursive through YAML aliases, a huge number.
    """
    out: list[str] = []
    length = 0
    pending: list[Iterator[object]] = [iter((value,))]
    while pending and length <= limit:
        item = next(pending[-1], _END)
        if item is _END:
            pending.pop()
            continue
        if isinstance(item, _Mark):
            text: str = item
        elif isinstance(item, list | tuple | set | frozenset | Mapping):
            pending.append(_pieces(item))
            continue
        elif isinstance(item, str | bytes):
            text = repr(item[: limit + 1])
        elif isinstance(item, int) and item.bit_length() > _MAX_INT_BITS:
            text = f"<number of {item.bit_length():,} bits>"
        elif isinstance(item, None | bool | int | float | date):
            text = repr(item)
        else:
            text = f"<{type(item).__name__}>"
        out.append(text)
        length += len(text)
    text = "".join(out)
    return text if len(text) <= limit and not pending else text[: limit - 1] + "…"


def _pieces(
    value: list[object] | tuple[object, ...] | Set[object] | Mapping[object, object],
) -> Iterator[object]:
    """The parts of a container's repr, lazily: brackets, items, separators."""
    opening, closing = ("{", "}") if isinstance(value, Mapping | Set) else ("[", "]")
    if isinstance(value, tuple):
        opening, closing = "(", ")"
    yield _Mark(opening)
    for index, item in enumerate(value):
        if index:
            yield _Mark(", ")
        yield item
        if isinstance(value, Mapping):
            yield _Mark(": ")
            yield value[item]
    yield _Mark(closing)


def parse_date(value: object) -> datetime:
    """A timezone-aware UTC datetime from an ISO date/datetime string or a YAML date/datetime.

    A date means midnight UTC; a datetime without a zone is taken as UTC. Dates before year 2 or
    after year 9998 are refused: shown in a reader's time zone they would leave the calendar.
    """
    try:
        moment = _to_utc(value.strip() if isinstance(value, str) else value)
    except (ValueError, OverflowError):
        moment = None
    if moment is None:
        raise ArticleError(f"invalid date {short_repr(value)}")
    if not EARLIEST_DATE <= moment <= LATEST_DATE:
        shown = value.isoformat() if isinstance(value, date) else short_repr(value)
        first, last = EARLIEST_DATE.date().isoformat(), LATEST_DATE.date().isoformat()
        raise ArticleError(f"date {shown} is out of range ({first} to {last})")
    return moment


def _to_utc(value: object) -> datetime | None:
    """``value`` as an aware UTC datetime when it is an ISO string, a date or a datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return None


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
        tag = " ".join(_text(item, "tags").lower().split())
        if tag:
            _check_length(tag, f"tag {short_repr(tag)}", MAX_TAG_CHARS)
            tags.setdefault(tag, None)
    return tuple(tags)


def parse_lang(value: object) -> Lang:
    """A language code (``zh``, ``zh-Hant``, ``en_US``, ``中文``, ...) as a Lang."""
    code = value.strip().lower().replace("_", "-") if isinstance(value, str) else ""
    lang = _LANG_ALIASES.get(code) or _LANG_ALIASES.get(code.split("-", 1)[0])
    if lang is None:
        raise ArticleError(f"unknown lang {short_repr(value)} (use zh or en)")
    return lang


def parse_key(value: object, fallback: str) -> str:
    """The article key: front-matter ``id`` (string or number) when given, else ``fallback``."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | None):
        raise ArticleError("id must be a string or a number")
    given = _text(value, "id").strip() if value is not None else ""
    key = given or fallback
    _check_length(
        key, "id" if given else "the article key (its path without suffix)", MAX_KEY_CHARS
    )
    return key


def parse_url(value: object, name: str) -> str | None:
    """A front-matter link (``source``/``url``): an http(s) URL or nothing."""
    url = optional_str(value, name)
    if url is None:
        return None
    if not url.lower().startswith(("http://", "https://")) or any(c.isspace() for c in url):
        raise ArticleError(f"{name} is not an http(s) URL: {short_repr(url)}")
    _check_length(url, name, MAX_URL_CHARS, "for a link")
    return url


def parse_author(value: object) -> str | None:
    """Front-matter ``author``: a string of at most :data:`MAX_AUTHOR_CHARS`, or nothing."""
    author = optional_str(value, "author")
    if author is not None:
        _check_length(author, "author", MAX_AUTHOR_CHARS)
    return author


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
    return _text(value, name).strip() or None


def _check_length(text: str, name: str, limit: int, what: str = "") -> None:
    """Refuse ``text`` longer than ``limit`` characters, saying how long it is and why not."""
    if len(text) > limit:
        raise ArticleError(
            f"{name} is {len(text):,} characters long, over the limit of {limit:,}"
            f"{' ' + what if what else ''} (the store keeps no more)"
        )


def _text(value: str | int | float | date, name: str) -> str:
    """A scalar as text without control characters; a number too long to be one is refused."""
    if isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
        raise ArticleError(f"{name} holds a number over {_MAX_INT_BITS} bits long")
    return _UNWANTED.sub("", str(value))
