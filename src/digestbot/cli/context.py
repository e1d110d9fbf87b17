"""What every command gets from its common options: the settings and, on demand, the store."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from digestbot.config import Settings, load_settings
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema

__all__ = ["add_common_options", "open_store", "settings_from"]


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """``--config`` and ``--database``, accepted by every subcommand."""
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="settings file (default: $DIGESTBOT_CONFIG, else built-in defaults)",
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        help="database URL (default: $DIGESTBOT_DATABASE_URL, else SQLite under the data folder)",
    )


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from ``--config`` and the environment, with ``--database`` applied last."""
    settings = load_settings(args.config)
    if args.database:
        settings = replace(settings, database=replace(settings.database, url=args.database))
    return settings


def open_store(settings: Settings) -> sessionmaker[Session]:
    """Open the database and bring its schema up to date."""
    engine = create_engine_for(settings.database_url, echo=settings.database.echo)
    upgrade_schema(engine)
    return session_factory(engine)
