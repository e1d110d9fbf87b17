"""How a command ends: the exit statuses, and one line on stderr for failures an operator can fix.

Exit statuses (the parser's epilog prints the same list):

- 0 ``EXIT_OK``: done
- 1 ``EXIT_FAILED``: failed; one line on stderr says why and how to fix it
- 2 ``EXIT_USAGE``: the command line is wrong (argparse's message, or an unknown tag)
- 130 ``EXIT_INTERRUPTED``: Ctrl-C
- 141 ``EXIT_OUTPUT_CLOSED``: whoever read the output stopped early (``| head``); 128 + SIGPIPE,
  the status a shell reports for ``yes | head``, so pipelines treat it the same way
"""

from __future__ import annotations

import argparse
import errno
import os
import re
import sys

from digestbot.articles.files import printable
from digestbot.cli.output import shortened
from digestbot.errors import DigestbotError, StoreError

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_OUTPUT_CLOSED",
    "EXIT_STATUSES",
    "EXIT_USAGE",
    "UsageError",
    "error_line",
    "os_error_line",
    "output_closed",
]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_OUTPUT_CLOSED = 0, 1, 2, 130, 141

EXIT_STATUSES = (
    "exit status: 0 done; 1 failed (one line on stderr says why and how to fix it); 2 usage "
    "error; 130 interrupted (Ctrl-C); 141 the output was closed early (e.g. piped into head). "
    "Some commands say more in their own --help."
)

_STORE_FIX = (
    "check --database, $DIGESTBOT_DATABASE_URL or [database] url, and that the database server "
    "is up"
)
_BIND_ADDRESS = re.compile(r"\('(?P<host>[^']*)', (?P<port>\d+)")


class UsageError(DigestbotError):
    """The command line names something that does not exist, such as an unknown tag (exit 2)."""


def error_line(exc: DigestbotError) -> str:
    """The one line printed for a deliberate error, with the fix where the message lacks it."""
    if isinstance(exc, StoreError):
        return f"digestbot: error: {exc}; {_STORE_FIX}"
    return f"digestbot: error: {exc}"


def os_error_line(exc: OSError, args: argparse.Namespace | None) -> str | None:
    """One line for an operating-system error an operator can fix (a busy port, a missing or
    unreadable file); None for any other, which is a bug and keeps its traceback."""
    if "bind on address" in str(exc):
        return _bind_line(exc, args)
    if exc.filename is not None and exc.strerror:
        shown = shortened(printable(str(exc.filename)))
        return f"digestbot: error: {exc.strerror}: {shown} (check the path and its rights)"
    return None


def _bind_line(exc: OSError, args: argparse.Namespace | None) -> str:
    """Why listening failed, and what to change."""
    found = _BIND_ADDRESS.search(str(exc))
    host, port = (found["host"], int(found["port"])) if found else ("?", 0)
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    own_port = getattr(args, "port", None) == port
    if exc.errno == errno.EADDRINUSE:
        fix = (
            f"stop the program listening there (another digestbot sandbox?) or pick a free port "
            f"with --port, e.g. --port {port + 1}"
            if own_port
            else "stop the program listening there, or choose another address in the settings"
        )
        return f"digestbot: error: {where} is already in use: {fix}"
    if exc.errno == errno.EACCES:
        fix = "pick a port above 1023" + (" with --port" if own_port else "")
        return f"digestbot: error: not allowed to listen on {where}: {fix}"
    reason = exc.strerror or str(exc)
    return f"digestbot: error: cannot listen on {where}: {reason} (use --host 127.0.0.1)"


def output_closed() -> int:
    """Stdout's reader went away (``digestbot show 5 | head``): stop quietly, the Python docs' way.

    Stdout is pointed at /dev/null so that flushing it at exit cannot fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real file behind stdout (a test's capture): nothing to do
        pass
    return EXIT_OUTPUT_CLOSED
