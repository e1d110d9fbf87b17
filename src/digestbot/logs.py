"""Logging set-up that never writes the bot token, whoever logs it (httpx logs request URLs)."""

from __future__ import annotations

import logging
import re
import sys
import warnings

__all__ = ["PTB_RETRY_AFTER_WARNING", "RedactingFormatter", "configure_logging", "redact"]

# python-telegram-bot 22 warns from RetryAfter's own constructor, on every 429, that retry_after
# will become a timedelta; digestbot reads it as either (delivery.sender).
PTB_RETRY_AFTER_WARNING = r".*retry_after.*will be of type.*timedelta"

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
    """Log to stderr with timestamps, the token redacted, and httpx's per-request lines quiet;
    Python warnings are logged the same way."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", token)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Warnings go through the same redacting handler instead of straight to stderr.
    logging.captureWarnings(True)
    warnings.filterwarnings("ignore", message=PTB_RETRY_AFTER_WARNING, category=DeprecationWarning)
    if level > logging.DEBUG:
        logging.getLogger("httpx").setLevel(logging.WARNING)
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        logging.getLogger("alembic").setLevel(logging.WARNING)
