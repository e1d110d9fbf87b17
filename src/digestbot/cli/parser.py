"""The argument parser: one subcommand per operator task, each with the common options."""

from __future__ import annotations

import argparse

from digestbot import __version__
from digestbot.cli.articles import add_article_commands
from digestbot.cli.bot import add_bot_commands
from digestbot.cli.context import add_common_options
from digestbot.cli.database import add_database_commands
from digestbot.cli.digest import add_digest_commands
from digestbot.cli.doctor import add_doctor_command
from digestbot.cli.health import add_healthcheck_command
from digestbot.cli.sandbox import add_sandbox_commands
from digestbot.cli.stats import add_stats_command

__all__ = ["build_parser"]


def build_parser() -> argparse.ArgumentParser:
    """The parser for ``digestbot`` and all its subcommands."""
    parser = argparse.ArgumentParser(
        prog="digestbot",
        description="Bilingual (Chinese/English) article digests for Telegram.",
        epilog="Run 'digestbot COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"digestbot {__version__}")
    common = argparse.ArgumentParser(add_help=False)
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
