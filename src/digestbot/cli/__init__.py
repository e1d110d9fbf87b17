"""The operator's command line: ``digestbot <command>``. Thin: parse, call a service, print.

Whatever goes wrong in a way the operator can fix (a bad option, a busy port, a missing file, a
database out of reach, the output closed by ``| head``) ends in at most one line on stderr and the
exit status ``cli.exits`` documents; only bugs end in a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from digestbot.cli.exits import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    UsageError,
    error_line,
    os_error_line,
    output_closed,
)
from digestbot.cli.parser import build_parser
from digestbot.errors import DigestbotError

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status (see ``digestbot --help``)."""
    try:
        status = _run(argv)
        sys.stdout.flush()  # a closed pipe shows here, not as a traceback at interpreter exit
    except BrokenPipeError:
        return output_closed()
    return status


def _run(argv: Sequence[str] | None) -> int:
    """Parse the command line and run the command's handler, turning failures into one line."""
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
    except UsageError as exc:
        print(f"digestbot: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DigestbotError as exc:
        print(error_line(exc), file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:
        raise
    except OSError as exc:
        return _os_failure(exc, args)
    except KeyboardInterrupt:
        print("digestbot: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return status


def _os_failure(exc: OSError, args: argparse.Namespace) -> int:
    """One line for a busy port or a missing file; anything else is a bug and re-raised."""
    line = os_error_line(exc, args)
    if line is None:
        raise exc
    print(line, file=sys.stderr)
    return EXIT_FAILED
