"""The operator's command line: ``digestbot <command>``. Thin: parse, call a service, print."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from digestbot.cli.parser import build_parser
from digestbot.errors import DigestbotError

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status (0 ok, 1 failed, 2 usage error)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage error or the help
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if getattr(args, "handler", None) is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        status: int = args.handler(args)
    except DigestbotError as exc:
        print(f"digestbot: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("digestbot: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return status
