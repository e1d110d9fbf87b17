"""Health checks for an installation: configuration, data folder, database, catalogs, token.

Each check returns a :class:`Finding` (ok, warn or FAIL, what was seen, how to fix it); nothing
here prints. ``digestbot doctor`` runs them in order and prints one line each.
"""

from __future__ import annotations

import asyncio
import enum
import tempfile
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from digestbot import messages
from digestbot.articles.files import find_article_files
from digestbot.bot.run import check_token
from digestbot.config import Settings
from digestbot.errors import ConfigError, DigestbotError
from digestbot.i18n import load_translations
from digestbot.logs import redact
from digestbot.model import Lang
from digestbot.store.db import create_engine_for, schema_is_current

__all__ = [
    "Finding",
    "Status",
    "check_articles",
    "check_catalogs",
    "check_data_dir",
    "check_database",
    "check_schedule",
    "check_token_accepted",
    "check_webhook",
    "settings_findings",
]


class Status(enum.Enum):
    """How a check went: FAIL stops the bot from working, warn may surprise the operator."""

    OK = "ok"
    WARN = "warn"
    FAIL = "FAIL"


@dataclass(frozen=True, slots=True)
class Finding:
    """One check's verdict: its name, what it saw, and (when not ok) how to fix it."""

    name: str
    status: Status
    detail: str
    fix: str = ""

    def line(self) -> str:
        """The printed form: ``ok   database: ...`` with ``; fix: ...`` when there is one."""
        fix = f"; fix: {self.fix}" if self.fix else ""
        return f"{self.status.value:<4} {self.name}: {self.detail}{fix}"


def check_data_dir(settings: Settings) -> Finding:
    """The data folder exists (or can be created) and digestbot can write in it."""
    folder = settings.paths.data_dir
    fix = f"create {folder} and make it writable by this user, or set DIGESTBOT_DATA_DIR"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return Finding("data folder", Status.FAIL, f"{folder} is not writable: {exc.strerror}", fix)
    return Finding("data folder", Status.OK, f"{folder.resolve()} is writable")


def check_articles(settings: Settings) -> Finding:
    """The articles folder is set, present, and holds article files."""
    folder = settings.paths.articles_dir
    if folder is None:
        fix = "set [paths] articles_dir, or load files with digestbot load PATH"
        return Finding("articles", Status.WARN, "no articles folder configured", fix)
    if not folder.is_dir():
        fix = f"create {folder} or point [paths] articles_dir at your article folder"
        return Finding("articles", Status.FAIL, f"{folder} is not a folder", fix)
    count = sum(1 for _ in find_article_files([folder]))
    if count == 0:
        fix = f"put .md, .markdown or .txt article files into {folder}"
        return Finding("articles", Status.WARN, f"{folder} holds no article files", fix)
    return Finding("articles", Status.OK, f"{folder} holds {count} article files")


def check_schedule(settings: Settings) -> Finding:
    """New readers' digest time and time zone, which this installation must know."""
    digest = settings.digest
    try:
        ZoneInfo(digest.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        fix = "install the tzdata package (a digestbot dependency) or the system's zoneinfo"
        return Finding("schedule", Status.FAIL, f"no time zone data for {digest.timezone}", fix)
    detail = f"new readers get their digest at {digest.time:%H:%M} ({digest.timezone})"
    return Finding("schedule", Status.OK, detail)


def check_webhook(settings: Settings) -> Finding:
    """Long polling, or a webhook with an https URL (shown without the token, which webhook
    URLs often hold) and, best, a fixed secret."""
    telegram = settings.telegram
    if not telegram.webhook_url:
        return Finding("webhook", Status.OK, "not set: the bot uses long polling")
    shown = redact(telegram.webhook_url, _token_or_nothing(settings))
    if not telegram.webhook_url.startswith("https://"):
        fix = "use the https:// address of your reverse proxy (Telegram only calls https)"
        return Finding("webhook", Status.FAIL, f"{shown} is not https", fix)
    where = f"{shown} -> {telegram.webhook_listen}:{telegram.webhook_port}"
    if not telegram.webhook_secret:
        fix = (
            "set [telegram] webhook_secret: several processes sharing the webhook need one "
            "secret, and a fixed one lives through restarts"
        )
        detail = f"{where} without a fixed secret (digestbot run makes a random one each start)"
        return Finding("webhook", Status.WARN, detail, fix)
    return Finding("webhook", Status.OK, f"{where} with a secret")


def _token_or_nothing(settings: Settings) -> str:
    """The configured token, or "" when there is none or it cannot be read (the token check
    reports that)."""
    try:
        return settings.resolve_token()
    except DigestbotError:
        return ""


def check_database(settings: Settings) -> Finding:
    """The database opens and its schema is the newest; a SQLite file not made yet is a warning."""
    try:
        url = make_url(settings.database_url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        fix = "use sqlite:///path or postgresql+psycopg://user:password@host/dbname"
        return Finding("database", Status.FAIL, "the database URL is not a URL", fix)
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        fix = "digestbot db upgrade (digestbot run and sandbox create it too)"
        return Finding("database", Status.WARN, f"{url.database} does not exist yet", fix)
    engine = None
    try:
        engine = create_engine_for(settings.database_url)
        current = schema_is_current(engine)
        where = engine.url.render_as_string(hide_password=True)
    except DigestbotError as exc:
        fix = "check DIGESTBOT_DATABASE_URL / [database] url and that the server is running"
        return Finding("database", Status.FAIL, str(exc), fix)
    finally:
        if engine is not None:
            engine.dispose()
    if not current:
        fix = "digestbot db upgrade (digestbot run also does it at start)"
        return Finding("database", Status.WARN, f"{where} opens; its schema is not current", fix)
    return Finding("database", Status.OK, f"{where} opens; schema is current")


def check_catalogs() -> Finding:
    """Both languages' catalogs load and the Chinese one translates the reader's messages."""
    sample = messages.HELP_FOOTER
    chinese = load_translations(Lang.ZH).gettext(sample)
    load_translations(Lang.EN).gettext(sample)
    if chinese == sample:
        fix = "reinstall digestbot (the build compiles the catalogs in src/digestbot/locales)"
        return Finding("catalogs", Status.FAIL, "the Chinese catalog has no translations", fix)
    return Finding("catalogs", Status.OK, "Chinese and English load; Chinese is translated")


def check_token_accepted(settings: Settings, *, ask_server: bool) -> Finding:
    """A token is configured and, unless told not to ask, the Bot API server accepts it."""
    server = settings.telegram.api_url or "Telegram"
    fix = "set DIGESTBOT_TOKEN or [telegram] token_file to the token @BotFather gave you"
    try:
        token = settings.resolve_token()
    except DigestbotError as exc:
        return Finding("token", Status.FAIL, str(exc), fix)
    if not token:
        detail = "none configured: digestbot run cannot start (digestbot sandbox can)"
        return Finding("token", Status.WARN, detail, fix)
    if not ask_server:
        return Finding("token", Status.OK, f"present (not checked with {server}: --quick)")
    try:
        proxy = settings.telegram.proxy_url or None
        username = asyncio.run(check_token(token, settings.telegram.api_url, proxy=proxy))
    except ConfigError as exc:  # the server answered: it does not know this token
        return Finding("token", Status.FAIL, str(exc), fix)
    except DigestbotError as exc:
        fix = "check the network, DIGESTBOT_API_URL / [telegram] api_url and [telegram] proxy_url"
        return Finding("token", Status.FAIL, str(exc), fix)
    return Finding("token", Status.OK, f"{server} accepts it: the bot is @{username}")


def settings_findings(settings: Settings, *, ask_server: bool) -> list[Finding]:
    """Every check that needs the settings, in the order an operator would fix them."""
    return [
        check_data_dir(settings),
        check_articles(settings),
        check_schedule(settings),
        check_webhook(settings),
        check_database(settings),
        check_catalogs(),
        check_token_accepted(settings, ask_server=ask_server),
    ]
