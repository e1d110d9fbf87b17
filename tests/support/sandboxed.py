"""Settings for ``sandboxed_bot`` (the emulator and the bot in one process) in tests."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from digestbot.config import DatabaseSettings, PathSettings, Settings
from tests.support.settings import local_settings

__all__ = ["SEEDS", "sandbox_settings"]

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def sandbox_settings(data_dir: Path, articles_dir: Path = SEEDS) -> Settings:
    """Defaults, with a SQLite database in ``data_dir`` and ``articles_dir`` loaded at start."""
    return replace(
        local_settings(),
        paths=PathSettings(data_dir=data_dir, articles_dir=articles_dir),
        database=DatabaseSettings(url=f"sqlite:///{data_dir / 'sandbox.sqlite3'}"),
    )
