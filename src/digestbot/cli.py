"""The operator's command line: ``digestbot <command>``; thin over the services."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from digestbot import __version__

__all__ = ["main"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="digestbot", description="Bilingual article digests for Telegram."
    )
    parser.add_argument("--version", action="version", version=f"digestbot {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit status."""
    build_parser().parse_args(argv)
    return 0
