"""Inline-mode results (pure): one InlineQueryResultArticle per article, its message in HTML."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineQueryResultArticle, InputTextMessageContent, LinkPreviewOptions

from digestbot import messages
from digestbot.bot.views.article import source_href
from digestbot.bot.views.search import clip
from digestbot.i18n import Translator
from digestbot.model import Lang, StoredArticle
from digestbot.render import escape, escape_attr

__all__ = [
    "DESCRIPTION_CHARS",
    "MAX_PAGES",
    "SUMMARY_CHARS",
    "inline_message",
    "inline_result",
    "inline_results",
    "parse_inline_offset",
]

TITLE_CHARS = 200
SUMMARY_CHARS = 1000  # in the message sent to the chat
DESCRIPTION_CHARS = 200  # under the title in the result list
MAX_PAGES = 3  # of inline results: the offsets the bot gives are "1" and "2"


def parse_inline_offset(offset: str) -> int | None:
    """The page an inline query's ``offset`` asks for: 0 when empty; None for an offset the bot
    never gives (not a page number it could have sent: negative, huge, text)."""
    if not offset:
        return 0
    if offset.isascii() and offset.isdecimal() and len(offset) <= 2:
        page = int(offset)
        return page if 0 < page < MAX_PAGES else None
    return None


def _link(href: str, label: str) -> str:
    return f'<a href="{href}">{label}</a>'


def inline_message(article: StoredArticle, lang: Lang, tr: Translator, bot_username: str) -> str:
    """The HTML message an inline result sends: title, summary, source and full-text links."""
    text = article.text(lang)
    blocks = [f"<b>{escape(clip(tr.chinese(text.title), TITLE_CHARS))}</b>"]
    if text.summary.strip():
        blocks.append(escape(clip(tr.chinese(text.summary), SUMMARY_CHARS)))
    links = []
    href = source_href(article.url)
    if href is not None:
        links.append(_link(href, tr.gettext(messages.SOURCE)))
    if bot_username:
        deep_link = f"https://t.me/{bot_username}?start=read_{article.id}"
        links.append(_link(escape_attr(deep_link), tr.gettext(messages.FULL_TEXT)))
    if links:
        blocks.append(" · ".join(links))
    return "\n\n".join(blocks)


def inline_result(
    article: StoredArticle, lang: Lang, tr: Translator, bot_username: str
) -> InlineQueryResultArticle:
    """``article`` (in ``lang``, else its other language) as an inline result."""
    shown = lang if lang in article.texts else lang.other
    text = article.text(shown)
    return InlineQueryResultArticle(
        id=f"{article.id}-{shown.value}",
        title=clip(tr.chinese(text.title), TITLE_CHARS) or article.key,
        description=clip(tr.chinese(text.summary), DESCRIPTION_CHARS) or None,
        url=article.url if source_href(article.url) is not None else None,
        input_message_content=InputTextMessageContent(
            inline_message(article, shown, tr, bot_username),
            parse_mode="HTML",
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
    )


def inline_results(
    articles: Sequence[StoredArticle], tr: Translator, bot_username: str
) -> list[InlineQueryResultArticle]:
    """Results for ``articles``, each once, in order, in the reader's language when they have it."""
    seen: set[int] = set()
    results = []
    for article in articles:
        if article.id not in seen:
            seen.add(article.id)
            results.append(inline_result(article, tr.lang, tr, bot_username))
    return results
