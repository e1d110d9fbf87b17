"""The full text of an article as Telegram messages (pure): header, body, the language switch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from digestbot import messages
from digestbot.i18n import Translator
from digestbot.model import ArticleText, Lang, StoredArticle
from digestbot.render import escape, escape_attr, markdown_to_telegram_html, split_html

__all__ = [
    "MAX_HREF_BYTES",
    "ArticleView",
    "TagLabel",
    "read_data",
    "render_article",
    "source_href",
    "switch_keyboard",
]

MAX_HREF_BYTES = 2048  # a longer (escaped) source link is left out, as in digests

TagLabel = Callable[[str, Lang], str]  # (tag, reader's language) -> label, as Settings gives it

_ONLY_IN = {Lang.EN: messages.ONLY_IN_ENGLISH, Lang.ZH: messages.ONLY_IN_CHINESE}
_READ_IN = {Lang.EN: messages.BUTTON_READ_IN_ENGLISH, Lang.ZH: messages.BUTTON_READ_IN_CHINESE}


@dataclass(frozen=True, slots=True)
class ArticleView:
    """The messages (HTML, in order) and the keyboard for the last of them, if any."""

    lang: Lang  # the language of the text shown
    messages: tuple[str, ...]
    keyboard: InlineKeyboardMarkup | None


def read_data(article_id: int, lang: Lang) -> str:
    """Callback data of a button that shows ``article_id`` in ``lang``: ``r:<id>:<lang>``."""
    return f"r:{article_id}:{lang.value}"


def source_href(url: str | None) -> str | None:
    """``url`` escaped for ``href``; None when there is none or it is too long to be a link.

    The loader refuses longer URLs; this keeps an article stored before that readable.
    """
    if not url:
        return None
    href = escape_attr(url)
    return href if len(href.encode()) <= MAX_HREF_BYTES else None


def switch_keyboard(
    article: StoredArticle, shown: Lang, tr: Translator
) -> InlineKeyboardMarkup | None:
    """A button to read ``article`` in the language other than ``shown``, when it has one."""
    other = shown.other
    if other not in article.texts:
        return None
    button = InlineKeyboardButton(
        tr.gettext(_READ_IN[other]), callback_data=read_data(article.id, other)
    )
    return InlineKeyboardMarkup([[button]])


def _header(
    article: StoredArticle, shown: Lang, tr: Translator, tz: str, tag_label: TagLabel
) -> str:
    title = f"<b>{escape(_in_script(article, shown, tr).title)}</b>"
    if shown is not tr.lang and tr.lang not in article.texts:
        title += " " + tr.gettext(_ONLY_IN[shown])
    facts = [tr.gettext(messages.PUBLISHED, date=escape(tr.format_date(article.date, tz)))]
    if article.author:
        facts.append(tr.gettext(messages.AUTHOR, author=escape(article.author)))
    href = source_href(article.url)
    if href is not None:
        facts.append(f'<a href="{href}">{tr.gettext(messages.SOURCE)}</a>')
    lines = [title, " · ".join(facts)]
    if article.tags:
        labels = ", ".join(escape(tr.chinese(tag_label(tag, tr.lang))) for tag in article.tags)
        lines.append(tr.gettext(messages.TAGS_LINE, tags=labels))
    return "\n".join(lines)


def _in_script(article: StoredArticle, shown: Lang, tr: Translator) -> ArticleText:
    """The text in ``shown``; Chinese in the reader's script (memoized per text and script)."""
    text = article.text(shown)
    if text.lang is not Lang.ZH:
        return text
    return replace(text, title=tr.chinese(text.title), body=tr.chinese(text.body))


def render_article(
    article: StoredArticle, lang: Lang, tr: Translator, tz: str, tag_label: TagLabel
) -> ArticleView:
    """``article`` in ``lang`` (else its other language), labels in the reader's ``tr``.

    Split at paragraph and sentence ends into messages of at most 4096 characters; the switch
    button belongs under the last one.
    """
    shown = lang if lang in article.texts else lang.other
    body = markdown_to_telegram_html(_in_script(article, shown, tr).body)
    html = _header(article, shown, tr, tz, tag_label)
    if body.strip():
        html += "\n\n" + body
    return ArticleView(shown, tuple(split_html(html)), switch_keyboard(article, shown, tr))
