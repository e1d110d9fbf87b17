"""The digest composer (pure): new articles -> Telegram HTML messages, in the reader's language.

Each article's block is rendered once per (article, language, labels, script, time zone) in a
:class:`BlockCache` and reused for every reader: composing 100,000 digests is assembly, not
re-rendering. The zone is in the key because the article's date is shown as the reader's local day;
the script because Chinese is shown in the reader's (Simplified, or Traditional of their region).

Blocks are packed into messages by their size in *both* languages (the larger of the two), so the
message holding an article is the same whichever language it is shown in: the language switch
re-renders one message in the other language and it still fits. A block is capped (title, summary,
tags) so that it always fits a message with the header: articles are never cut between messages.
As under ``/read``, the switch changes the articles' language only: the labels (header, dates,
"Source", the buttons) stay in the reader's language (:attr:`DigestContent.labels`).

A digest with more new articles than it shows ends with "…and N more" and a button
(``m:<digest>:<offset>``) that sends the rest page by page (:func:`compose_rest_page`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from digestbot import messages
from digestbot.articles.spacing import collapse_spaces
from digestbot.chinese_script import Script
from digestbot.i18n import translator
from digestbot.model import Lang, StoredArticle
from digestbot.render import MAX_BYTES, MAX_ENTITIES, MAX_LENGTH, escape, escape_attr, parse_html
from digestbot.render.telegram_html import utf16_len

__all__ = [
    "CALLBACK_PREFIX",
    "REST_PREFIX",
    "BlockCache",
    "ComposedMessage",
    "DigestContent",
    "Size",
    "compose_digest",
    "compose_rest_page",
    "digest_markup",
    "parse_rest_data",
    "parse_switch_data",
    "render_message",
    "rest_data",
    "switch_markup",
]

CALLBACK_PREFIX = "d"
REST_PREFIX = "m"  # the "more" button under a digest's last message: m:<digest id>:<offset>
SEPARATOR = "\n\n"
MAX_TITLE = 200  # characters of a title shown in a digest
MAX_SUMMARY = 600  # characters of a summary
MAX_TAGS = 8  # tags listed per article
MAX_TAG_LABEL = 40  # characters of one tag label
MAX_HREF_BYTES = 2048  # a longer (escaped) source URL is left out
_ONLY_IN = {Lang.EN: messages.ONLY_IN_ENGLISH, Lang.ZH: messages.ONLY_IN_CHINESE}
_READ_IN = {Lang.EN: messages.BUTTON_READ_IN_ENGLISH, Lang.ZH: messages.BUTTON_READ_IN_CHINESE}
_LIST_JOINER = {Lang.EN: ", ", Lang.ZH: "、"}


@dataclass(frozen=True, slots=True)
class Size:
    """What a piece of Telegram HTML costs: visible UTF-16 units, raw bytes, entities."""

    units: int
    raw: int
    entities: int

    @classmethod
    def of(cls, html: str) -> Size:
        """Measure ``html``."""
        parsed = parse_html(html)
        entities = sum(1 for event in parsed.events if event.is_open)
        return cls(utf16_len(parsed.text), len(html.encode()), entities)

    def __add__(self, other: Size) -> Size:
        return Size(self.units + other.units, self.raw + other.raw, self.entities + other.entities)

    def most(self, other: Size) -> Size:
        """The larger of each measure."""
        return Size(
            max(self.units, other.units),
            max(self.raw, other.raw),
            max(self.entities, other.entities),
        )

    def fits(self) -> bool:
        """Whether a message of this size is one Telegram accepts."""
        return self.units <= MAX_LENGTH and self.raw <= MAX_BYTES and self.entities <= MAX_ENTITIES


_GAP = Size.of(SEPARATOR)


@dataclass(frozen=True, slots=True)
class ComposedMessage:
    """One message of a digest: its place (``seq``), HTML text and the articles it shows."""

    seq: int
    text: str
    article_ids: tuple[int, ...] = ()
    more: int = 0  # the "…and N more" count this message ends with (the digest's last)

    @property
    def switchable(self) -> bool:
        """Whether the message gets a language-switch button (it shows articles)."""
        return bool(self.article_ids)


@dataclass(frozen=True, slots=True)
class DigestContent:
    """What one digest shows: new articles newest first, the zone and day it is for."""

    lang: Lang
    timezone: str
    local_date: date
    articles: Sequence[StoredArticle]  # shown, newest first
    total: int  # new articles in all, shown or not
    labels: Lang | None = None  # the language of everything but the articles (None: ``lang``)
    script: Script = Script.HANS  # how the reader reads Chinese (labels and content)

    @property
    def label_lang(self) -> Lang:
        """The reader's language: header, dates, links and buttons."""
        return self.labels if self.labels is not None else self.lang


def _cut(text: str, most: int) -> str:
    """``text`` (whitespace collapsed) cut to ``most`` characters with an ellipsis."""
    text = collapse_spaces(text.strip())
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


@dataclass
class BlockCache:
    """Article blocks and sizes, rendered once per (article, language, labels, script, zone)."""

    tag_label: Callable[[str, Lang], str] = field(default=lambda tag, _lang: tag)
    _blocks: dict[tuple[int, Lang, Lang, Script, str], tuple[str, Size]] = field(
        default_factory=dict
    )

    def block(
        self,
        article: StoredArticle,
        lang: Lang,
        timezone: str,
        labels: Lang | None = None,
        script: Script = Script.HANS,
    ) -> tuple[str, Size]:
        """The article's HTML block in ``lang`` (or its other language, marked) and its size,
        its labels (date, tags, links) in ``labels`` (default: ``lang``)."""
        labels = lang if labels is None else labels
        key = (article.id, lang, labels, script, timezone)
        found = self._blocks.get(key)
        if found is None:
            html = self._render(article, lang, labels, timezone, script)
            found = self._blocks[key] = (html, Size.of(html))
        return found

    def size(
        self, article: StoredArticle, timezone: str, labels: Lang, script: Script = Script.HANS
    ) -> Size:
        """The larger of the block's sizes with the article in either language."""
        return self.block(article, Lang.ZH, timezone, labels, script)[1].most(
            self.block(article, Lang.EN, timezone, labels, script)[1]
        )

    def _render(
        self, article: StoredArticle, lang: Lang, labels: Lang, timezone: str, script: Script
    ) -> str:
        tr = translator(labels, script)
        text = article.text(lang)
        shown = tr.chinese if text.lang is Lang.ZH else str
        title = f"<b>{escape(_cut(shown(text.title), MAX_TITLE))}</b>"
        if text.lang is not lang:
            title += f" {escape(tr.gettext(_ONLY_IN[text.lang]))}"
        lines = [title]
        summary = _cut(shown(text.summary), MAX_SUMMARY)
        if summary:
            lines.append(escape(summary))
        meta = [escape(tr.format_date(article.date, timezone))]
        if article.tags:
            names = [
                _cut(tr.chinese(self.tag_label(tag, labels)), MAX_TAG_LABEL) for tag in article.tags
            ]
            joined = _LIST_JOINER[labels].join(names[:MAX_TAGS])
            meta.append(escape(tr.gettext(messages.TAGS_LINE, tags=joined)))
        lines.append(" · ".join(meta))
        links = []
        href = _web_link(article.url)
        if href is not None:
            links.append(f'<a href="{href}">{escape(tr.gettext(messages.SOURCE))}</a>')
        links.append(escape(tr.gettext(messages.FULL_TEXT_LINK, command=f"/read_{article.id}")))
        lines.append(" · ".join(links))
        return "\n".join(lines)


def _web_link(url: str | None) -> str | None:
    """``url`` escaped for ``href``; None unless it is a plain http(s) link of sensible length."""
    if not url or not url.startswith(("https://", "http://")):
        return None
    if not all(ch.isprintable() and not ch.isspace() for ch in url):
        return None
    href = escape_attr(url)
    return href if len(href.encode()) <= MAX_HREF_BYTES else None


def _header(lang: Lang, script: Script, local_date: date, total: int) -> str:
    tr = translator(lang, script)
    return tr.plural(messages.DIGEST_HEADER, total, date=escape(tr.format_date(local_date)))


def _more(lang: Lang, script: Script, more: int) -> str:
    return translator(lang, script).plural(messages.DIGEST_MORE, more)


def _blocks(cache: BlockCache, content: DigestContent) -> list[str]:
    return [
        cache.block(article, content.lang, content.timezone, content.label_lang, content.script)[0]
        for article in content.articles
    ]


def render_message(
    cache: BlockCache,
    content: DigestContent,
    *,
    with_header: bool,
    more: int,
) -> str:
    """One message: the header if first, the blocks of ``content.articles``, "and N more"."""
    labels = content.label_lang
    pieces = (
        [_header(labels, content.script, content.local_date, content.total)] if with_header else []
    )
    pieces.extend(_blocks(cache, content))
    if more > 0:
        pieces.append(_more(labels, content.script, more))
    return SEPARATOR.join(pieces)


def _pack(sizes: Sequence[Size]) -> list[tuple[int, int]]:
    """Greedy packing of pieces in order: ``(start, end)`` index ranges, one per message."""
    ranges: list[tuple[int, int]] = []
    start, used = 0, Size(0, 0, 0)
    for index, size in enumerate(sizes):
        if index > start and not (used + _GAP + size).fits():
            ranges.append((start, index))
            start, used = index, size
        else:
            used = size if index == start else used + _GAP + size
    if sizes:
        ranges.append((start, len(sizes)))
    return ranges


def compose_digest(
    cache: BlockCache, content: DigestContent, *, send_empty: bool = False
) -> list[ComposedMessage]:
    """The messages of one digest; none when nothing is new (or, with ``send_empty``, one)."""
    labels = content.label_lang
    if not content.articles:
        if send_empty:
            nothing = translator(labels, content.script).gettext(messages.DIGEST_NOTHING_NEW)
            return [ComposedMessage(0, nothing)]
        return []
    articles = list(content.articles)
    more = max(content.total - len(articles), 0)
    sizes = [Size.of(_header(labels, content.script, content.local_date, content.total))]
    sizes.extend(
        cache.size(article, content.timezone, labels, content.script) for article in articles
    )
    if more:
        sizes.append(Size.of(_more(labels, content.script, more)))
    composed = []
    for seq, (start, end) in enumerate(_pack(sizes)):
        shown = articles[max(start - 1, 0) : min(end - 1, len(articles))]
        last = more if end == len(sizes) else 0
        part = DigestContent(
            content.lang,
            content.timezone,
            content.local_date,
            shown,
            content.total,
            labels,
            content.script,
        )
        text = render_message(cache, part, with_header=start == 0, more=last)
        composed.append(ComposedMessage(seq, text, tuple(a.id for a in shown), last))
    return composed


def compose_rest_page(cache: BlockCache, content: DigestContent, *, more: int) -> list[str]:
    """One page of a digest's articles it did not show (the "more" button): a heading, the
    blocks of ``content.articles`` and "and N more" when ``more`` are left after them."""
    labels = content.label_lang
    tr = translator(labels, content.script)
    heading = tr.gettext(
        messages.DIGEST_REST_HEADER, date=escape(tr.format_date(content.local_date))
    )
    pieces = [heading, *_blocks(cache, content)]
    if more > 0:
        pieces.append(_more(labels, content.script, more))
    ranges = _pack([Size.of(piece) for piece in pieces])
    return [SEPARATOR.join(pieces[start:end]) for start, end in ranges]


def switch_markup(
    digest_id: int,
    seq: int,
    shown: Lang,
    labels: Lang | None = None,
    script: Script = Script.HANS,
) -> dict[str, Any]:
    """The keyboard under a digest message shown in ``shown``: switch to the other language,
    the button labelled in ``labels`` (the reader's language; default ``shown``)."""
    target = shown.other
    label = translator(shown if labels is None else labels, script).gettext(_READ_IN[target])
    data = f"{CALLBACK_PREFIX}:{digest_id}:{seq}:{target.value}"
    return {"inline_keyboard": [[{"text": label, "callback_data": data}]]}


def rest_button(
    digest_id: int, offset: int, labels: Lang, script: Script = Script.HANS
) -> dict[str, str]:
    """The button that sends a digest's articles from ``offset`` of those it did not show."""
    label = translator(labels, script).gettext(messages.BUTTON_MORE_ARTICLES)
    return {"text": label, "callback_data": rest_data(digest_id, offset)}


def digest_markup(
    digest_id: int,
    seq: int,
    shown: Lang,
    labels: Lang | None = None,
    script: Script = Script.HANS,
    *,
    more: bool = False,
) -> dict[str, Any]:
    """:func:`switch_markup`, with the "more" button below it on a message that ends with
    "and N more"."""
    markup = switch_markup(digest_id, seq, shown, labels, script)
    if more:
        markup["inline_keyboard"].append([rest_button(digest_id, 0, labels or shown, script)])
    return markup


def rest_data(digest_id: int, offset: int) -> str:
    """Callback data of the "more" button: ``m:<digest id>:<offset>`` (at most 33 bytes)."""
    return f"{REST_PREFIX}:{digest_id}:{offset}"


_REST_DATA = re.compile(rf"{REST_PREFIX}:(\d{{1,19}}):(\d{{1,9}})", re.ASCII)


def parse_rest_data(data: str) -> tuple[int, int] | None:
    """``(digest_id, offset)`` from a "more" button's callback data, or None if malformed."""
    match = _REST_DATA.fullmatch(data)
    return (int(match[1]), int(match[2])) if match else None


def parse_switch_data(data: str) -> tuple[int, int, Lang] | None:
    """``(digest_id, seq, lang)`` from a switch button's callback data, or None if malformed."""
    parts = data.split(":")
    if len(parts) != 4 or parts[0] != CALLBACK_PREFIX:
        return None
    _, digest_id, seq, lang = parts
    if not (digest_id.isdecimal() and seq.isdecimal()) or lang not in {"zh", "en"}:
        return None
    return int(digest_id), int(seq), Lang(lang)
