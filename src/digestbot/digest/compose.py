"""The digest composer (pure): new articles -> Telegram HTML messages, in the reader's language.

Each article's block is rendered once per (article, language, script, time zone) in a
:class:`BlockCache` and reused for every reader: composing 100,000 digests is assembly, not
re-rendering. The zone is in the key because the article's date is shown as the reader's local day;
the script because Chinese is shown in the reader's (Simplified, or Traditional of their region).

Blocks are packed into messages by their size in *both* languages (the larger of the two), so the
message holding an article is the same whichever language it is shown in: the language switch
re-renders one message in the other language and it still fits. A block is capped (title, summary,
tags) so that it always fits a message with the header: articles are never cut between messages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from digestbot import messages
from digestbot.articles.model import Lang
from digestbot.chinese_script import Script
from digestbot.i18n import translator
from digestbot.render import MAX_BYTES, MAX_ENTITIES, MAX_LENGTH, escape, escape_attr, parse_html
from digestbot.render.telegram_html import utf16_len
from digestbot.store.articles import StoredArticle

__all__ = [
    "CALLBACK_PREFIX",
    "BlockCache",
    "ComposedMessage",
    "DigestContent",
    "Size",
    "compose_digest",
    "parse_switch_data",
    "render_message",
    "switch_markup",
]

CALLBACK_PREFIX = "d"
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
    script: Script = Script.HANS  # how the reader reads Chinese


def _cut(text: str, most: int) -> str:
    """``text`` (whitespace collapsed) cut to ``most`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


@dataclass
class BlockCache:
    """Article blocks and their sizes, rendered once per (article, language, script, zone)."""

    tag_label: Callable[[str, Lang], str] = field(default=lambda tag, _lang: tag)
    _blocks: dict[tuple[int, Lang, Script, str], tuple[str, Size]] = field(default_factory=dict)

    def block(
        self, article: StoredArticle, lang: Lang, timezone: str, script: Script = Script.HANS
    ) -> tuple[str, Size]:
        """The article's HTML block in ``lang`` (or its other language, marked) and its size."""
        key = (article.id, lang, script, timezone)
        found = self._blocks.get(key)
        if found is None:
            html = self._render(article, lang, timezone, script)
            found = self._blocks[key] = (html, Size.of(html))
        return found

    def size(self, article: StoredArticle, timezone: str, script: Script = Script.HANS) -> Size:
        """The larger of the block's sizes in the two languages."""
        return self.block(article, Lang.ZH, timezone, script)[1].most(
            self.block(article, Lang.EN, timezone, script)[1]
        )

    def _render(self, article: StoredArticle, lang: Lang, timezone: str, script: Script) -> str:
        tr = translator(lang, script)
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
            labels = [
                _cut(tr.chinese(self.tag_label(tag, lang)), MAX_TAG_LABEL) for tag in article.tags
            ]
            joined = _LIST_JOINER[lang].join(labels[:MAX_TAGS])
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


def render_message(
    cache: BlockCache,
    content: DigestContent,
    *,
    with_header: bool,
    more: int,
) -> str:
    """One message: the header if first, the blocks of ``content.articles``, "and N more"."""
    lang, script = content.lang, content.script
    pieces = [_header(lang, script, content.local_date, content.total)] if with_header else []
    pieces.extend(
        cache.block(article, lang, content.timezone, script)[0] for article in content.articles
    )
    if more > 0:
        pieces.append(_more(lang, script, more))
    return SEPARATOR.join(pieces)


def _both(render: Callable[[Lang], str]) -> Size:
    return Size.of(render(Lang.ZH)).most(Size.of(render(Lang.EN)))


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
    if not content.articles:
        if send_empty:
            return [
                ComposedMessage(
                    0,
                    translator(content.lang, content.script).gettext(messages.DIGEST_NOTHING_NEW),
                )
            ]
        return []
    articles = list(content.articles)
    more = max(content.total - len(articles), 0)
    script = content.script
    sizes = [_both(lambda lang: _header(lang, script, content.local_date, content.total))]
    sizes.extend(cache.size(article, content.timezone, script) for article in articles)
    if more:
        sizes.append(_both(lambda lang: _more(lang, script, more)))
    composed = []
    for seq, (start, end) in enumerate(_pack(sizes)):
        shown = articles[max(start - 1, 0) : min(end - 1, len(articles))]
        part = DigestContent(
            content.lang, content.timezone, content.local_date, shown, content.total, script
        )
        text = render_message(
            cache, part, with_header=start == 0, more=more if end == len(sizes) else 0
        )
        composed.append(ComposedMessage(seq, text, tuple(article.id for article in shown)))
    return composed


def switch_markup(
    digest_id: int, seq: int, shown: Lang, script: Script = Script.HANS
) -> dict[str, Any]:
    """The keyboard under a digest message shown in ``shown``: switch to the other language."""
    target = shown.other
    label = translator(shown, script).gettext(_READ_IN[target])
    data = f"{CALLBACK_PREFIX}:{digest_id}:{seq}:{target.value}"
    return {"inline_keyboard": [[{"text": label, "callback_data": data}]]}


def parse_switch_data(data: str) -> tuple[int, int, Lang] | None:
    """``(digest_id, seq, lang)`` from a switch button's callback data, or None if malformed."""
    parts = data.split(":")
    if len(parts) != 4 or parts[0] != CALLBACK_PREFIX:
        return None
    _, digest_id, seq, lang = parts
    if not (digest_id.isdecimal() and seq.isdecimal()) or lang not in {"zh", "en"}:
        return None
    return int(digest_id), int(seq), Lang(lang)
