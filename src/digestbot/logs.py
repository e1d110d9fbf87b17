"""Logging set-up that never writes the bot token, whoever logs it (httpx logs request URLs)."""

from __future__ import annotations

import logging
import re
import sys

__all__ = ["RedactingFormatter", "configure_logging", "redact"]

# A token looks like 123456789:AA...; in Bot API URLs it follows "/bot".
_TOKEN_RE = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")
REDACTED = "<token>"


def redact(text: str, token: str = "") -> str:
    """``text`` with ``token`` and anything shaped like a bot token replaced."""
    if token:
        text = text.replace(token, REDACTED)
    return _TOKEN_RE.sub(REDACTED, text)


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then redacts the whole line, tracebacks included."""

    def __init__(self, fmt: str, token: str = "") -> None:
        super().__init__(fmt)
        self._token = token

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self._token)


def configure_logging(level: int = logging.INFO, token: str = "") -> None:
    """Log to stderr with timestamps, the token redacted, and httpx's per-request lines quiet."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", token)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    if level > logging.DEBUG:
        logging.getLogger("httpx").setLevel(logging.WARNING)
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        logging.getLogger("alembic").setLevel(logging.WARNING)
