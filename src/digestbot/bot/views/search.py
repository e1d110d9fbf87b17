"""Search results as one Telegram message (pure): header, numbered hits, page buttons."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from digestbot import messages
from digestbot.i18n import Translator
from digestbot.render import escape
from digestbot.store.search import SearchHit

__all__ = [
    "PAGE_SIZE",
    "SearchView",
    "clip",
    "page_count",
    "parse_search_data",
    "render_no_results",
    "render_results",
    "search_data",
]

PAGE_SIZE = 5
QUERY_ECHO = 80  # characters of the query repeated back to the reader
TITLE_CHARS = 200
_SPACES = re.compile(r"\s+")
_DATA = re.compile(r"^s:([A-Za-z0-9_-]{1,32}):(\d{1,4})$")


@dataclass(frozen=True, slots=True)
class SearchView:
    """One message: HTML text and its keyboard (None when there is a single page)."""

    text: str
    keyboard: InlineKeyboardMarkup | None


def search_data(token: str, page: int) -> str:
    """Callback data of a page button: ``s:<token>:<page>`` (pages count from 0)."""
    return f"s:{token}:{page}"


def parse_search_data(data: str) -> tuple[str, int] | None:
    """``(token, page)`` from :func:`search_data` output; None for anything else."""
    match = _DATA.match(data)
    return None if match is None else (match[1], int(match[2]))


def clip(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis (not escaped)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def page_count(total: int) -> int:
    """How many pages ``total`` results fill (at least one)."""
    return max(1, -(-total // PAGE_SIZE))


def _shortened_note(query: str, tr: Translator) -> str:
    """The line telling the reader only the first part of their search was used."""
    return tr.plural(messages.SEARCH_SHORTENED, len(query), n=tr.format_number(len(query)))


def render_no_results(query: str, tr: Translator, *, shortened: bool = False) -> SearchView:
    """The reply when nothing matches ``query`` (echoed escaped and shortened).

    ``shortened``: ``query`` is the first part of what the reader sent; the reply says so.
    """
    text = tr.gettext(messages.SEARCH_NO_RESULTS, query=escape(clip(query, QUERY_ECHO)))
    if shortened:
        text += "\n" + _shortened_note(query, tr)
    return SearchView(text, None)


def _segment(text: str, is_hit: bool, tr: Translator) -> str:
    flat = escape(_SPACES.sub(" ", tr.chinese(text)))
    return f"<b>{flat}</b>" if is_hit and flat.strip() else flat


def _hit(number: int, hit: SearchHit, tr: Translator, tz: str) -> str:
    title = escape(clip(tr.chinese(hit.title), TITLE_CHARS))
    date = escape(tr.format_date(hit.date, tz))
    segments = hit.snippet.segments
    snippet = "".join(_segment(text, is_hit, tr) for text, is_hit in segments).strip()
    lines = [f"{number}. <b>{title}</b> · {date}", snippet, f"/read_{hit.article_id}"]
    return "\n".join(line for line in lines if line)


def _keyboard(token: str, page: int, pages: int, tr: Translator) -> InlineKeyboardMarkup | None:
    buttons = []
    if page > 0:
        label = "« " + tr.gettext(messages.BUTTON_PREVIOUS)
        buttons.append(InlineKeyboardButton(label, callback_data=search_data(token, page - 1)))
    if page + 1 < pages:
        label = tr.gettext(messages.BUTTON_NEXT) + " »"
        buttons.append(InlineKeyboardButton(label, callback_data=search_data(token, page + 1)))
    return InlineKeyboardMarkup([buttons]) if buttons else None


def render_results(
    query: str,
    hits: Sequence[SearchHit],
    total: int,
    page: int,
    *,
    token: str,
    tr: Translator,
    tz: str,
    more: bool = False,
    shortened: bool = False,
) -> SearchView:
    """Page ``page`` (``hits``, at most :data:`PAGE_SIZE`) of ``total`` results for ``query``.

    ``more``: only the best ``total`` are shown of more matches; the count reads ``50+``.
    ``shortened``: ``query`` is the first part of what the reader sent; the header says so.
    """
    pages = page_count(total)
    count = tr.format_number(total) + ("+" if more else "")
    query_html = escape(clip(query, QUERY_ECHO))
    header = tr.plural(messages.SEARCH_RESULTS, total, query=query_html, n=count)
    if shortened:
        header += "\n" + _shortened_note(query, tr)
    blocks = [header]
    blocks += [_hit(page * PAGE_SIZE + i, hit, tr, tz) for i, hit in enumerate(hits, start=1)]
    if pages > 1:
        blocks.append(tr.gettext(messages.SEARCH_PAGE, page=page + 1, pages=pages))
    return SearchView("\n\n".join(blocks), _keyboard(token, page, pages, tr))
