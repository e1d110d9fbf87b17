"""The article as digestbot understands it, independent of files and databases."""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime

__all__ = [
    "Article",
    "ArticleText",
    "Lang",
    "ReaderRhythm",
    "Rhythm",
    "StoredArticle",
    "offered_to",
    "required_lang",
]


class Lang(enum.StrEnum):
    """A language digestbot serves. The value is what the store and callback data hold."""

    ZH = "zh"
    EN = "en"

    @property
    def other(self) -> Lang:
        """The other language, for fallbacks and the language switch."""
        return Lang.EN if self is Lang.ZH else Lang.ZH


@dataclass(frozen=True, slots=True)
class ArticleText:
    """One language's version of an article."""

    lang: Lang
    title: str
    summary: str
    body: str  # Markdown, without the H1 title and without source-link lines
    key_terms: tuple[str, ...]  # the **bold** phrases, in order of first appearance, unique
    plain: str  # title + body as plain text (Markdown removed), for search


@dataclass(frozen=True, slots=True)
class Article:
    """A parsed article: metadata plus one text per language it has (at least one)."""

    key: str  # stable identity: front-matter ``id`` or the file's relative path without suffix
    url: str | None  # source link
    date: datetime  # timezone-aware, UTC
    tags: tuple[str, ...]  # lower-cased, unique, in the order written
    author: str | None
    texts: Mapping[Lang, ArticleText]  # ordered as the sections appear in the file

    def text(self, lang: Lang) -> ArticleText:
        """The text in ``lang``, or in the other language when the article lacks ``lang``."""
        return self.texts.get(lang) or self.texts[lang.other]

    @property
    def langs(self) -> tuple[Lang, ...]:
        """The languages the article has, in file order."""
        return tuple(self.texts)


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article as stored: its database id plus the fields of :class:`Article`."""

    id: int
    key: str
    url: str | None
    date: datetime
    tags: tuple[str, ...]
    author: str | None
    texts: Mapping[Lang, ArticleText]

    def text(self, lang: Lang) -> ArticleText:
        """The text in ``lang``, or in the other language when the article lacks ``lang``."""
        return self.texts.get(lang) or self.texts[lang.other]

    @property
    def langs(self) -> tuple[Lang, ...]:
        """The languages the article has."""
        return tuple(self.texts)


def required_lang(reader_lang: Lang, other_language: bool) -> Lang | None:
    """The language an article must have to be offered to a reader of ``reader_lang``; None: any.

    ``other_language`` is the reader's setting "also show articles not available in my
    language" (on by default). Queries that filter in SQL use this; :func:`offered_to` is the
    same rule on an article's languages.
    """
    return None if other_language else reader_lang


def offered_to(article_langs: Collection[Lang], reader_lang: Lang, other_language: bool) -> bool:
    """Whether an article in ``article_langs`` is offered to a reader of ``reader_lang``
    (digests, search, instant pushes): always when ``other_language`` is on, else only when the
    article has the reader's language."""
    needed = required_lang(reader_lang, other_language)
    return needed is None or needed in article_langs


class Rhythm(enum.StrEnum):
    """How often a reader gets the scheduled digest. The value is what the store holds."""

    DAILY = "daily"
    WEEKDAYS = "weekdays"  # Monday to Friday in the reader's zone
    WEEKLY = "weekly"  # on ``ReaderRhythm.weekly_day``
    PAUSED = "paused"  # nothing until ``ReaderRhythm.paused_until``, then daily


@dataclass(frozen=True, slots=True)
class ReaderRhythm:
    """A reader's rhythm: when digests come, and whether instant pushes keep quiet at night."""

    rhythm: Rhythm = Rhythm.DAILY
    weekly_day: int = 0  # Monday 0 ... Sunday 6, as ``date.weekday()``
    paused_until: date | None = None  # the first day digests come again (None: indefinitely)
    quiet_hours: bool = True  # no instant pushes from 22:00 to 07:00 local
