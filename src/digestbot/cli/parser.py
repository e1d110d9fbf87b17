"""The argument parser: one subcommand per operator task, each with the common options."""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from typing import NoReturn

from digestbot import __version__
from digestbot.cli.articles import add_article_commands
from digestbot.cli.bot import add_bot_commands
from digestbot.cli.context import add_common_options
from digestbot.cli.database import add_database_commands
from digestbot.cli.digest import add_digest_commands
from digestbot.cli.doctor import add_doctor_command
from digestbot.cli.exits import EXIT_STATUSES
from digestbot.cli.health import add_healthcheck_command
from digestbot.cli.output import ECHO_LIMIT, quoted
from digestbot.cli.sandbox import add_sandbox_commands
from digestbot.cli.stats import add_stats_command

__all__ = ["CommandParser", "build_parser"]

_LONG_QUOTED = re.compile(rf"'[^'\n]{{{ECHO_LIMIT + 1},}}'|\"[^\"\n]{{{ECHO_LIMIT + 1},}}\"")
_MAX_MESSAGE = 400  # characters; argparse's lists of choices stay whole
# argparse's own wording for the built-in types, in the words the other options use
_PLAIN_WORDS = {
    "invalid int value:": "expected a whole number, got",
    "invalid float value:": "expected a number, got",
}


class CommandParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose messages name what is expected in plain words.

    ``dash_hint``: what to say when an unknown option or a missing positional may be a value
    that starts with ``-`` (``digestbot search -foo``)."""

    dash_hint: str | None = None

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        """As argparse's, but a parser with a ``dash_hint`` reports unknown options itself (a
        subcommand's leftovers otherwise reach the top-level parser, which cannot hint)."""
        parsed, extras = super().parse_known_args(args, namespace)
        if self.dash_hint and any(extra.startswith("-") for extra in extras):
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed, extras

    def error(self, message: str) -> NoReturn:
        """Print the usage and the reworded ``message``, exit 2."""
        for python_words, plain in _PLAIN_WORDS.items():
            message = message.replace(python_words, plain)
        message = _shortened(message)
        if self.dash_hint and (
            "unrecognized arguments: -" in message or "arguments are required" in message
        ):
            message = f"{message}\n{self.dash_hint}"
        super().error(message)


def _shortened(message: str) -> str:
    """argparse echoes rejected input whole: cut each long quoted value, then the message."""
    message = _LONG_QUOTED.sub(lambda found: quoted(found[0][1:-1]), message)
    return message if len(message) <= _MAX_MESSAGE else message[: _MAX_MESSAGE - 1] + "…"


def build_parser() -> argparse.ArgumentParser:
    """The parser for ``digestbot`` and all its subcommands."""
    parser = CommandParser(
        prog="digestbot",
        description="Bilingual (Chinese/English) article digests for Telegram.",
        epilog="Run 'digestbot COMMAND --help' for a command's options. --config and --database "
        f"go before or after the command. {EXIT_STATUSES[0].upper()}{EXIT_STATUSES[1:]}",
    )
    parser.add_argument("--version", action="version", version=f"digestbot {__version__}")
    add_common_options(parser, top_level=True)
    common = CommandParser(add_help=False)
    add_common_options(common)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    add_article_commands(commands, common)
    add_database_commands(commands, common)
    add_bot_commands(commands, common)
    add_sandbox_commands(commands, common)
    add_digest_commands(commands, common)
    add_stats_command(commands, common)
    add_doctor_command(commands, common)
    add_healthcheck_command(commands, common)
    return parser
