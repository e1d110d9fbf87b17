"""Terminal output helpers: a progress bar, aligned columns and user input fit to echo."""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Sequence
from typing import IO, Any

from digestbot.textwidth import display_width, fit

__all__ = [
    "ECHO_LIMIT",
    "ProgressBar",
    "print_json",
    "quoted",
    "shortened",
    "table",
    "terminal_width",
]

ECHO_LIMIT = 80  # characters of user input echoed back in a message


def terminal_width(stream: IO[str] = sys.stdout) -> int:
    """Columns available for output (80 when not a terminal)."""
    if stream.isatty():
        return max(40, shutil.get_terminal_size((80, 24)).columns)
    return 100


def shortened(text: str, limit: int = ECHO_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, ending in an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quoted(value: str, limit: int = ECHO_LIMIT) -> str:
    """``value`` quoted for a message and shortened; control characters show escaped, so a long
    or hostile input stays one short line."""
    return repr(shortened(value, limit))


def print_json(value: Any) -> None:
    """Machine output: UTF-8 JSON, Chinese kept readable, one document."""
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def table(rows: Sequence[Sequence[str]], *, width: int, flexible: int) -> list[str]:
    """Rows aligned by display width; column ``flexible`` takes what is left of ``width``."""
    if not rows:
        return []
    columns = len(rows[0])
    widths = [max(display_width(row[i]) for row in rows) for i in range(columns)]
    fixed = sum(w for i, w in enumerate(widths) if i != flexible) + 2 * (columns - 1)
    widths[flexible] = max(10, min(widths[flexible], width - fixed))
    lines = []
    for row in rows:
        cells = [fit(cell, widths[i], pad=i != columns - 1) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return lines


class ProgressBar:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, label: str, stream: IO[str] = sys.stderr, interval: float = 0.1) -> None:
        self._label = label
        self._stream = stream
        self._enabled = stream.isatty()
        self._interval = interval
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        if not self._enabled or total == 0:
            return
        now = time.monotonic()
        if done < total and now - self._last < self._interval:
            return
        self._last = now
        bar_width = 30
        filled = bar_width * done // total
        bar = "#" * filled + "-" * (bar_width - filled)
        self._stream.write(f"\r{self._label} [{bar}] {done}/{total}")
        if done == total:
            self._stream.write("\r" + " " * (len(self._label) + bar_width + 24) + "\r")
        self._stream.flush()
