"""``stats``: readers, articles, tags and delivery figures, for the operator (``--json`` too)."""

from __future__ import annotations

import argparse
from typing import Any

from digestbot.cli.context import open_store, settings_from
from digestbot.cli.output import print_json
from digestbot.model import Lang
from digestbot.store.articles import count_articles, list_tags
from digestbot.store.models import SubscriberState, utc_now
from digestbot.store.outbox import delivery_counts
from digestbot.store.subscribers import subscriber_counts

__all__ = ["add_stats_command", "cmd_stats", "gather_stats"]


def gather_stats(args: argparse.Namespace) -> dict[str, Any]:
    """Every figure, as the JSON output shows it."""
    sessions = open_store(settings_from(args))
    with sessions() as session:
        readers = subscriber_counts(session)
        articles = count_articles(session)
        tags = len(list_tags(session))
        delivery = delivery_counts(session, utc_now())
    return {
        "subscribers": {state.value: readers.by_state[state] for state in SubscriberState},
        "active_by_language": {lang.value: readers.active_by_language[lang] for lang in Lang},
        "articles": articles,
        "tags": tags,
        "delivery": {
            "sent_today": delivery.sent_today,
            "pending": delivery.pending,
            "failed": delivery.failed,
            "blocked": delivery.blocked,
        },
    }


def cmd_stats(args: argparse.Namespace) -> int:
    """Print the figures, one line per group."""
    stats = gather_stats(args)
    if args.json:
        print_json(stats)
        return 0
    by_state, by_lang, sent = stats["subscribers"], stats["active_by_language"], stats["delivery"]
    print(", ".join(f"{n} {state}" for state, n in by_state.items()).join(["subscribers: ", ""]))
    print(
        ", ".join(f"{n} {lang}" for lang, n in by_lang.items()).join(["active by language: ", ""])
    )
    print(f"articles: {stats['articles']}, tags: {stats['tags']}")
    print(
        f"delivery: {sent['sent_today']} sent today (UTC), {sent['pending']} pending, "
        f"{sent['failed']} failed, {sent['blocked']} readers blocked the bot"
    )
    return 0


def add_stats_command(commands: Any, common: argparse.ArgumentParser) -> None:
    """Register ``stats``."""
    stats = commands.add_parser(
        "stats",
        parents=[common],
        help="readers, articles, tags and delivery figures",
        description="Subscribers by state and active ones by language, articles, tags, and the "
        "outbox: messages sent today (since midnight UTC), pending (or in flight), failed for "
        "good (within [delivery] keep_days: older messages leave the outbox), and readers who "
        "blocked the bot.",
    )
    stats.add_argument("--json", action="store_true", help="machine-readable output")
    stats.set_defaults(handler=cmd_stats)
