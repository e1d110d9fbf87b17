"""What every command gets from its common options: the settings and, on demand, the store."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from digestbot.config import Settings, load_settings
from digestbot.errors import ConfigError
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema

__all__ = ["add_common_options", "open_store", "settings_from"]


def add_common_options(parser: argparse.ArgumentParser, *, top_level: bool = False) -> None:
    """``--config`` and ``--database``, accepted before the command and after it.

    The top-level parser holds the defaults; the subcommands' copies default to "not given"
    (``SUPPRESS``) so that ``digestbot --config x.toml stats`` keeps the value given first."""
    default = None if top_level else argparse.SUPPRESS
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        default=default,
        help="settings file (default: $DIGESTBOT_CONFIG, else built-in defaults)",
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        default=default,
        help="database URL (default: $DIGESTBOT_DATABASE_URL, else SQLite under the data folder)",
    )


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from ``--config`` and the environment, with ``--database`` applied last."""
    config: Path | None = getattr(args, "config", None)
    if config is not None and not config.exists():
        raise ConfigError(f"config file not found: {config} (check the path given to --config)")
    settings = load_settings(config)
    if getattr(args, "database", None):
        settings = replace(settings, database=replace(settings.database, url=args.database))
    return settings


def open_store(settings: Settings) -> sessionmaker[Session]:
    """Open the database and bring its schema up to date."""
    engine = create_engine_for(settings.database_url, echo=settings.database.echo)
    upgrade_schema(engine)
    return session_factory(engine)
