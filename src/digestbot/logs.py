"""Logging set-up that never writes the bot token, whoever logs it (httpx logs request URLs)."""

from __future__ import annotations

import logging
import re
import sys
import warnings
from collections.abc import Iterable

__all__ = ["PTB_RETRY_AFTER_WARNING", "RedactingFormatter", "configure_logging", "redact"]

# python-telegram-bot 22 warns from RetryAfter's own constructor, on every 429, that retry_after
# will become a timedelta; digestbot reads it as either (delivery.sender).
PTB_RETRY_AFTER_WARNING = r".*retry_after.*will be of type.*timedelta"

# A token looks like 123456789:AA...; in Bot API URLs it follows "/bot".
_TOKEN_RE = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")
REDACTED = "<token>"


def redact(text: str, token: str = "", secrets: Iterable[str] = ()) -> str:
    """``text`` with ``token``, the other ``secrets`` and anything shaped like a bot token
    replaced."""
    for secret in (token, *secrets):
        if secret:
            text = text.replace(secret, REDACTED if secret == token else "***")
    return _TOKEN_RE.sub(REDACTED, text)


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then redacts the whole line, tracebacks included."""

    def __init__(self, fmt: str, token: str = "", secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        self._token = token
        self._secrets = tuple(secrets)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self._token, self._secrets)


def configure_logging(
    level: int = logging.INFO, token: str = "", secrets: Iterable[str] = ()
) -> None:
    """Log to stderr with timestamps, the token and ``secrets`` (a proxy's password) redacted,
    and httpx's per-request lines quiet; Python warnings are logged the same way. httpcore's
    debug trace (it shows a SOCKS proxy's login) is never written."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", token, secrets)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Warnings go through the same redacting handler instead of straight to stderr.
    logging.captureWarnings(True)
    warnings.filterwarnings("ignore", message=PTB_RETRY_AFTER_WARNING, category=DeprecationWarning)
    logging.getLogger("httpcore").setLevel(max(level, logging.INFO))
    if level > logging.DEBUG:
        logging.getLogger("httpx").setLevel(logging.WARNING)
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        logging.getLogger("alembic").setLevel(logging.WARNING)
