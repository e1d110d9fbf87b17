"""Logging set-up that never writes the bot token, whoever logs it (httpx logs request URLs).

Two forms on stderr: readable text lines, or JSON lines for a log collector (``time``, ``level``,
``logger``, ``message``, the ``extra={...}`` a call passed, and ``exc`` with the traceback).

Redacted: the token (and its secret half, the part after the colon, wherever it stands alone),
anything shaped like a token, and the secrets given to :func:`configure_logging` or added later
with :func:`redact_also` (a proxy's or the database's password, the webhook secret). A crash's
traceback goes through the same handler.
"""

from __future__ import annotations

import json
import logging
import math
import re
import sys
import warnings
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING

from digestbot.proxies import proxy_secrets

if TYPE_CHECKING:
    from digestbot.config import Settings

__all__ = [
    "PTB_RETRY_AFTER_WARNING",
    "JsonLinesFormatter",
    "RedactingFormatter",
    "configure_logging",
    "level_number",
    "redact",
    "redact_also",
    "settings_secrets",
]

# python-telegram-bot 22 warns from RetryAfter's own constructor, on every 429, that retry_after
# will become a timedelta; digestbot reads it as either (delivery.sender).
PTB_RETRY_AFTER_WARNING = r".*retry_after.*will be of type.*timedelta"

# A token looks like 123456789:AA...; in Bot API URLs it follows "/bot".
_TOKEN_RE = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")
REDACTED = "<token>"
_MIN_SECRET_HALF = 8  # a token's part after the colon, redacted alone when at least this long

# What every LogRecord carries; anything else on a record came from a call's extra={...}.
_RECORD_ATTRIBUTES = frozenset(
    {*vars(logging.LogRecord("", 0, "", 0, "", (), None)), "message", "asctime", "taskName"}
)
_JSON_FIELDS = ("time", "level", "logger", "message", "exc", "stack")
_MAX_DEPTH = 8  # deeper context values are written as their str()


def redact(text: str, token: str = "", secrets: Iterable[str] = ()) -> str:
    """``text`` with ``token`` (whole, or its part after the colon alone), the other
    ``secrets`` and anything shaped like a bot token replaced."""
    if token:
        text = text.replace(token, REDACTED)
        secret_half = token.partition(":")[2]
        if len(secret_half) >= _MIN_SECRET_HALF:
            text = text.replace(secret_half, REDACTED)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return _TOKEN_RE.sub(REDACTED, text)


def level_number(level: int | str) -> int:
    """A logging level from its number or its name in any case (``"warning"``)."""
    if isinstance(level, int):
        return level
    number = logging.getLevelNamesMapping().get(level.upper())
    if number is None:
        raise ValueError(f"unknown logging level {level!r}")
    return number


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then redacts the whole line, tracebacks included."""

    def __init__(self, fmt: str, token: str = "", secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        self._token = token
        self._secrets = _longest_first(secrets)

    def add_secrets(self, secrets: Iterable[str]) -> None:
        """Redact ``secrets`` too from now on."""
        self._secrets = _longest_first((*self._secrets, *secrets))

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self._token, self._secrets)


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per record, every string in it redacted before it is serialized (so a
    secret next to a quote or a newline is still found, and the line stays valid JSON)."""

    def __init__(self, token: str = "", secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._token = token
        self._secrets = _longest_first(secrets)

    def add_secrets(self, secrets: Iterable[str]) -> None:
        """Redact ``secrets`` too from now on."""
        self._secrets = _longest_first((*self._secrets, *secrets))

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES:
                # a context field never hides one of ours: extra={"level": ...} -> "extra_level"
                entry[f"extra_{key}" if key in _JSON_FIELDS else key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # ASCII only: the line can be written whatever stderr's encoding is.
        return json.dumps(self._clean(entry, 0), allow_nan=False)

    def _clean(self, value: object, depth: int) -> object:
        """``value`` as plain JSON data with every string redacted; other objects as str()."""
        if value is None or isinstance(value, bool | int):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else str(value)
        if depth < _MAX_DEPTH:
            if isinstance(value, Mapping):
                return {
                    self._redact(str(key)): self._clean(item, depth + 1)
                    for key, item in value.items()
                }
            if isinstance(value, list | tuple | set | frozenset):
                return [self._clean(item, depth + 1) for item in value]
        return self._redact(value if isinstance(value, str) else str(value))

    def _redact(self, text: str) -> str:
        return redact(text, self._token, self._secrets)


def _longest_first(secrets: Iterable[str]) -> tuple[str, ...]:
    """The non-empty ``secrets`` once each, longest first (so a secret that holds a shorter one
    is replaced whole)."""
    return tuple(sorted({secret for secret in secrets if secret}, key=len, reverse=True))


def settings_secrets(settings: Settings) -> tuple[str, ...]:
    """What the settings hold that no output may show, besides the token: the proxy's and the
    database's passwords (as written and decoded) and the webhook secret."""
    database = settings.database.url
    return _longest_first(
        (
            *proxy_secrets(settings.telegram.proxy_url),
            *(() if database.startswith("sqlite") else proxy_secrets(database)),
            settings.telegram.webhook_secret,
        )
    )


def redact_also(*secrets: str) -> None:
    """Redact ``secrets`` too in what the handlers :func:`configure_logging` installed write
    from now on (a secret known only after the start, such as a generated webhook secret); no
    effect on other handlers."""
    for handler in logging.getLogger().handlers:
        formatter = handler.formatter
        if isinstance(formatter, RedactingFormatter | JsonLinesFormatter):
            formatter.add_secrets(secrets)


def _log_crash(
    kind: type[BaseException], exc: BaseException, traceback: TracebackType | None
) -> None:
    """``sys.excepthook``: an uncaught exception's traceback through the redacting handler
    instead of straight to stderr (Ctrl-C stays quiet, as Python's own hook keeps it)."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, exc, traceback)
        return
    logging.getLogger("digestbot").critical("crashed", exc_info=(kind, exc, traceback))


def configure_logging(
    level: int | str = logging.INFO,
    token: str = "",
    secrets: Iterable[str] = (),
    *,
    json_lines: bool = False,
) -> None:
    """Log to stderr, as timestamped text or (``json_lines``) one JSON object a line, the token
    and ``secrets`` (a proxy's password) redacted, and httpx's per-request lines quiet; Python
    warnings are logged the same way. httpcore's debug trace (it shows a SOCKS proxy's login)
    is never written; an uncaught exception is logged too. ``level`` is a number or a name such
    as ``"warning"``."""
    level = level_number(level)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonLinesFormatter(token, secrets)
        if json_lines
        else RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", token, secrets)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    sys.excepthook = _log_crash
    # Warnings go through the same redacting handler instead of straight to stderr.
    logging.captureWarnings(True)
    warnings.filterwarnings("ignore", message=PTB_RETRY_AFTER_WARNING, category=DeprecationWarning)
    logging.getLogger("httpcore").setLevel(max(level, logging.INFO))
    if level > logging.DEBUG:
        logging.getLogger("httpx").setLevel(logging.WARNING)
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        logging.getLogger("alembic").setLevel(logging.WARNING)
