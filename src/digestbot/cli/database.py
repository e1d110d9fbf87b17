"""``db upgrade``: bring the database schema up to date (other commands do it themselves)."""

from __future__ import annotations

import argparse
from typing import Any

from digestbot.cli.context import open_store, settings_from

__all__ = ["add_database_commands", "cmd_db_upgrade"]


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """Run every pending migration."""
    settings = settings_from(args)
    open_store(settings)
    print(f"database schema is up to date ({_safe_url(settings.database_url)})")
    return 0


def _safe_url(url: str) -> str:
    """The URL without a password, fit to print."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if at and ":" in credentials:
        credentials = credentials.split(":", 1)[0] + ":***"
    return f"{scheme}{sep}{credentials}{at}{host}"


def add_database_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """Register ``db upgrade``."""
    database = commands.add_parser("db", help="database maintenance")
    actions = database.add_subparsers(title="actions", metavar="ACTION", required=True)
    upgrade = actions.add_parser(
        "upgrade", parents=[common], help="apply pending schema migrations"
    )
    upgrade.set_defaults(handler=cmd_db_upgrade)
