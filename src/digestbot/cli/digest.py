"""``digest``: the operator's view of digests. ``digest preview`` prints what a reader would get."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from typing import Any

from digestbot.articles.model import Lang
from digestbot.cli.context import open_store, settings_from
from digestbot.cli.output import print_json
from digestbot.cli.send import add_send_action
from digestbot.digest.compose import switch_markup
from digestbot.digest.schedule import utc_midnight
from digestbot.store.digests import preview_messages
from digestbot.store.models import utc_now

__all__ = ["add_digest_commands", "cmd_digest_preview"]

MESSAGE_RULE = "-" * 40  # printed between two messages of the preview


def cmd_digest_preview(args: argparse.Namespace) -> int:
    """Print the digest messages a reader with ``--lang`` and ``--tags`` would get now."""
    settings = settings_from(args)
    sessions = open_store(settings)
    lang = args.lang or settings.reader.default_language
    since = utc_midnight(args.since) if args.since else None
    with sessions() as session:
        composed = preview_messages(session, lang, args.tags, since, utc_now(), settings)
    if args.json:
        print_json(
            [
                {
                    "text": message.text,
                    "reply_markup": (
                        switch_markup(0, message.seq, lang) if message.switchable else None
                    ),
                }
                for message in composed
            ]
        )
        return 0
    if not composed:
        print("nothing new: this reader would get no digest", file=sys.stderr)
        return 0
    print(f"\n{MESSAGE_RULE}\n".join(message.text for message in composed))
    return 0


def _tags(value: str) -> list[str]:
    return [tag.strip().lower() for tag in value.split(",") if tag.strip()]


def _day(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise argparse.ArgumentTypeError("must be a date like 2024-05-12") from None


def add_digest_commands(commands: Any, common: argparse.ArgumentParser) -> Any:
    """Register the ``digest`` group and its ``preview`` action; returns the group's actions."""
    digest = commands.add_parser("digest", help="preview and send digests")
    actions = digest.add_subparsers(title="actions", metavar="ACTION", required=True)
    preview = actions.add_parser(
        "preview",
        parents=[common],
        help="print the digest a reader would get now",
        description="Print exactly the messages (Telegram HTML) a reader with this language and "
        "these tags would get now for the articles since --since (default: every article, within "
        "[digest] max_age_days). Messages are separated by a line of dashes. Nothing is written.",
    )
    preview.add_argument(
        "--lang",
        type=Lang,
        choices=list(Lang),
        metavar="zh|en",
        help="the reader's language (default: [reader] default_language)",
    )
    preview.add_argument(
        "--tags",
        type=_tags,
        default=[],
        metavar="A,B",
        help="tags the reader follows (default: none, i.e. every article)",
    )
    preview.add_argument(
        "--since", type=_day, metavar="DATE", help="only articles dated on or after DATE (UTC)"
    )
    preview.add_argument(
        "--json", action="store_true", help="a JSON list of {text, reply_markup} objects"
    )
    preview.set_defaults(handler=cmd_digest_preview)
    add_send_action(actions, common)
    return actions
