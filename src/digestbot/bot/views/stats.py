"""The admin's /stats text (pure): a list of lines, so new figures are one more line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from digestbot import messages
from digestbot.i18n import Translator
from digestbot.model import Lang
from digestbot.store.models import SubscriberState
from digestbot.store.outbox import DeliveryCounts
from digestbot.store.subscribers import SubscriberCounts

__all__ = ["StoreFigures", "delivery_line", "render_stats", "store_lines"]


@dataclass(frozen=True, slots=True)
class StoreFigures:
    """What the store counts for /stats."""

    subscribers: SubscriberCounts
    articles: int
    tags: int


def store_lines(tr: Translator, figures: StoreFigures) -> list[str]:
    """Subscribers by state and language, articles and tags, one line each."""
    by_state = {state: tr.format_number(n) for state, n in figures.subscribers.by_state.items()}
    lines = [
        tr.gettext(
            messages.STATS_SUBSCRIBERS,
            active=by_state[SubscriberState.ACTIVE],
            unsubscribed=by_state[SubscriberState.UNSUBSCRIBED],
            blocked=by_state[SubscriberState.BLOCKED],
        ),
        tr.gettext(messages.STATS_BY_LANGUAGE),
    ]
    lines += [
        tr.gettext(
            messages.STATS_LANGUAGE,
            language=messages.LANGUAGE_NAMES[lang],
            count=tr.format_number(figures.subscribers.active_by_language.get(lang, 0)),
        )
        for lang in (Lang.ZH, Lang.EN)
    ]
    lines.append(tr.gettext(messages.STATS_ARTICLES, count=tr.format_number(figures.articles)))
    lines.append(tr.gettext(messages.STATS_TAGS, count=tr.format_number(figures.tags)))
    return lines


def delivery_line(tr: Translator, counts: DeliveryCounts) -> str:
    """Messages sent today, pending and failed, and readers who blocked the bot, on one line."""
    return tr.gettext(
        messages.STATS_DELIVERY,
        sent=tr.format_number(counts.sent_today),
        pending=tr.format_number(counts.pending),
        failed=tr.format_number(counts.failed),
        blocked=tr.format_number(counts.blocked),
    )


def render_stats(tr: Translator, lines: Sequence[str]) -> str:
    """The header and ``lines`` (already localized and escaped), one per row."""
    return "\n".join([tr.gettext(messages.STATS_HEADER), *lines])
