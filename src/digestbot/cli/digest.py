"""``digest``: the operator's view of digests. ``digest preview`` prints what a reader would get."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from digestbot.cli.context import open_store, settings_from
from digestbot.cli.output import print_json
from digestbot.cli.send import add_send_action
from digestbot.cli.tags import require_known_tags
from digestbot.cli.values import day, language, tag_list
from digestbot.digest.compose import digest_markup
from digestbot.digest.plan import preview_messages
from digestbot.digest.schedule import utc_midnight
from digestbot.render.terminal import html_to_terminal
from digestbot.store.models import utc_now

__all__ = ["add_digest_commands", "cmd_digest_preview"]

MESSAGE_RULE = "-" * 40  # printed between two messages of the preview


def cmd_digest_preview(args: argparse.Namespace) -> int:
    """Print the digest messages a reader with ``--lang``, ``--tags`` and the other-language
    setting would get now."""
    settings = settings_from(args)
    sessions = open_store(settings)
    lang = args.lang or settings.reader.default_language
    since = utc_midnight(args.since) if args.since else None
    with sessions() as session:
        require_known_tags(session, args.tags)
        composed = preview_messages(
            session, lang, args.tags, since, utc_now(), settings, args.other_language
        )
    if args.json:
        print_json(
            [
                {
                    "text": message.text,
                    "reply_markup": (
                        digest_markup(0, message.seq, lang, more=message.more > 0)
                        if message.switchable
                        else None
                    ),
                }
                for message in composed
            ]
        )
        return 0
    if not composed:
        print("nothing new: this reader would get no digest", file=sys.stderr)
        return 0
    if args.html:
        texts = [message.text for message in composed]
    else:
        bold = sys.stdout.isatty()
        texts = [html_to_terminal(message.text, bold=bold) for message in composed]
    print(f"\n{MESSAGE_RULE}\n".join(texts))
    return 0


def add_digest_commands(commands: Any, common: argparse.ArgumentParser) -> Any:
    """Register the ``digest`` group and its ``preview`` action; returns the group's actions."""
    digest = commands.add_parser("digest", help="preview and send digests")
    actions = digest.add_subparsers(title="actions", metavar="ACTION", required=True)
    preview = actions.add_parser(
        "preview",
        parents=[common],
        help="print the digest a reader would get now",
        description="Print the messages a reader with this language and these tags would get "
        "now for the articles since --since (default: every article, within [digest] "
        "max_age_days), as text for a terminal (bold on a terminal, links as 'text (url)'); "
        "--html prints the exact Telegram HTML. Messages are separated by a line of dashes. "
        "Nothing is written. An unknown tag is a usage error (exit 2) naming the known tags.",
    )
    preview.add_argument(
        "--lang",
        type=language,
        metavar="zh|en",
        help="the reader's language (default: [reader] default_language)",
    )
    preview.add_argument(
        "--tags",
        type=tag_list,
        default=[],
        metavar="A,B",
        help="tags the reader follows (default: none, i.e. every article)",
    )
    preview.add_argument(
        "--since", type=day, metavar="DATE", help="only articles dated on or after DATE (UTC)"
    )
    preview.add_argument(
        "--other-language",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="whether the reader sees articles only in the other language, marked as such "
        "(default: yes, as readers do until they hide them in /settings)",
    )
    output = preview.add_mutually_exclusive_group()
    output.add_argument(
        "--html", action="store_true", help="the messages as Telegram HTML, exactly as sent"
    )
    output.add_argument(
        "--json", action="store_true", help="a JSON list of {text, reply_markup} objects"
    )
    preview.set_defaults(handler=cmd_digest_preview)
    add_send_action(actions, common)
    return actions
