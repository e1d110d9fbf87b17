"""Settings: read once at start from a TOML file plus environment overrides, then passed in.

Nothing here runs at import time. ``load_settings`` is the only entry point; every other module
receives a :class:`Settings` (or the part of it it needs).

Environment overrides (they win over the file):

- ``DIGESTBOT_CONFIG``        the TOML file, when ``--config`` is not given
- ``DIGESTBOT_DATABASE_URL``  ``[database] url``
- ``DIGESTBOT_DATA_DIR``      ``[paths] data_dir``
- ``DIGESTBOT_TOKEN``         ``[telegram] token``
- ``DIGESTBOT_TOKEN_FILE``    ``[telegram] token_file``
- ``DIGESTBOT_API_URL``       ``[telegram] api_url``
- ``DIGESTBOT_PROXY_URL``     ``[telegram] proxy_url``
- ``DIGESTBOT_MONITORING_ADDRESS`` ``[monitoring] address``
- ``DIGESTBOT_LOG_LEVEL``     ``[logging] level``
- ``DIGESTBOT_LOG_FORMAT``    ``[logging] format``
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from digestbot import demo
from digestbot.articles.files import MAX_ARTICLE_BYTES
from digestbot.errors import ConfigError
from digestbot.model import Lang
from digestbot.proxies import bot_api_proxy, check_proxy_url

__all__ = [
    "LOG_FORMATS",
    "LOG_LEVELS",
    "DatabaseSettings",
    "DeliverySettings",
    "DigestSettings",
    "LoggingSettings",
    "MonitoringSettings",
    "PathSettings",
    "ReaderSettings",
    "Settings",
    "TelegramSettings",
    "load_settings",
    "parse_address",
]

ENV_PREFIX = "DIGESTBOT_"
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


@dataclass(frozen=True, slots=True)
class PathSettings:
    """Where digestbot keeps its data and finds articles."""

    data_dir: Path = Path("data")
    articles_dir: Path | None = None
    max_article_bytes: int = MAX_ARTICLE_BYTES  # larger article files are refused unread


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    """The database URL; empty means SQLite under the data folder."""

    url: str = field(default="", repr=False)  # may hold user:password@
    echo: bool = False


@dataclass(frozen=True, slots=True)
class TelegramSettings:
    """How to reach the Bot API and who administers the bot."""

    token: str = field(default="", repr=False)
    token_file: Path | None = None
    api_url: str = ""
    proxy_url: str = field(default="", repr=False)  # may hold user:password@
    webhook_url: str = ""
    webhook_secret: str = field(default="", repr=False)
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    admin_ids: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class ReaderSettings:
    """Defaults for new readers and tag labels shown to them."""

    default_language: Lang = Lang.EN
    # not set: the demo articles' labels (the ones config/digestbot.toml lists)
    tag_labels: Mapping[str, Mapping[Lang, str]] = field(default_factory=lambda: demo.TAG_LABELS)

    def tag_label(self, tag: str, lang: Lang) -> str:
        """The label of ``tag`` in ``lang``, falling back to the tag itself."""
        return self.tag_labels.get(tag, {}).get(lang, tag)


@dataclass(frozen=True, slots=True)
class DigestSettings:
    """When digests go out and what they hold."""

    time: time = time(8, 0)
    timezone: str = "Asia/Shanghai"
    max_articles: int = 10
    max_age_days: int = 0  # 0: no limit
    send_empty: bool = False
    rescan_minutes: float = 5.0


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    """How fast and how persistently the sender delivers."""

    rate_per_second: float = 30.0
    per_chat_interval: float = 1.0
    max_attempts: int = 5
    paid_broadcast: bool = False
    keep_days: int = 30  # sent, failed and dropped messages are deleted after this many days


LOG_LEVELS = ("debug", "info", "warning", "error")
LOG_FORMATS = ("text", "json")


@dataclass(frozen=True, slots=True)
class MonitoringSettings:
    """Where a bot process answers health checks and Prometheus (``address`` empty: nowhere)."""

    address: str = "127.0.0.1:9464"

    @property
    def host_port(self) -> tuple[str, int] | None:
        """``(host, port)`` to listen on, or None when monitoring is off."""
        return parse_address(self.address, "[monitoring] address") if self.address else None


@dataclass(frozen=True, slots=True)
class LoggingSettings:
    """How much the bot logs and in which form (``text`` for people, ``json`` for collectors)."""

    level: str = "info"
    format: str = "text"


@dataclass(frozen=True, slots=True)
class Settings:
    """All of digestbot's configuration."""

    paths: PathSettings = PathSettings()
    database: DatabaseSettings = DatabaseSettings()
    telegram: TelegramSettings = TelegramSettings()
    reader: ReaderSettings = ReaderSettings()
    digest: DigestSettings = DigestSettings()
    delivery: DeliverySettings = DeliverySettings()
    monitoring: MonitoringSettings = MonitoringSettings()
    logging: LoggingSettings = LoggingSettings()
    source: Path | None = None  # the file the settings came from, if any

    @property
    def database_url(self) -> str:
        """The effective database URL (SQLite under the data folder by default)."""
        if self.database.url:
            return self.database.url
        return f"sqlite:///{(self.paths.data_dir / 'digestbot.sqlite3').as_posix()}"

    def resolve_token(self) -> str:
        """The bot token from the settings or the token file; empty when none is configured."""
        if self.telegram.token:
            return self.telegram.token.strip()
        if self.telegram.token_file is not None:
            try:
                return self.telegram.token_file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(
                    f"cannot read the token file {self.telegram.token_file}: {exc.strerror}"
                ) from exc
        return ""


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read ``path`` (or ``$DIGESTBOT_CONFIG``; none at all means defaults) and apply overrides."""
    env = os.environ if environ is None else environ
    if path is None and env.get(f"{ENV_PREFIX}CONFIG"):
        path = Path(env[f"{ENV_PREFIX}CONFIG"])
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"config file not found: {path}") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read config file {path}: {exc}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    return _build(raw, env, path)


def _build(raw: dict[str, Any], env: Mapping[str, str], source: Path | None) -> Settings:
    base = Settings()  # every default is the dataclasses': a missing key takes it
    sections = _Reader(raw, source)
    paths = sections.section("paths")
    database = sections.section("database")
    telegram = sections.section("telegram")
    reader = sections.section("reader")
    digest = sections.section("digest")
    delivery = sections.section("delivery")
    monitoring = sections.section("monitoring")
    logs = sections.section("logging")
    sections.check_no_extra()

    def override(name: str, file_value: str) -> str:
        return env.get(f"{ENV_PREFIX}{name}") or file_value

    api_url = override("API_URL", telegram.text("api_url", base.telegram.api_url)).rstrip("/")
    monitoring_address = monitoring.text("address", base.monitoring.address)

    articles_dir = paths.text("articles_dir", "")  # default: none (the packaged demo)
    token_file = override("TOKEN_FILE", telegram.text("token_file", ""))  # default: none
    settings = Settings(
        paths=PathSettings(
            data_dir=Path(override("DATA_DIR", paths.text("data_dir", str(base.paths.data_dir)))),
            articles_dir=Path(articles_dir) if articles_dir else None,
            max_article_bytes=paths.whole(
                "max_article_bytes", base.paths.max_article_bytes, minimum=1
            ),
        ),
        database=DatabaseSettings(
            url=override("DATABASE_URL", database.text("url", base.database.url)),
            echo=database.flag("echo", base.database.echo),
        ),
        telegram=TelegramSettings(
            token=override("TOKEN", telegram.text("token", base.telegram.token)),
            token_file=Path(token_file) if token_file else None,
            api_url=api_url,
            # the proxy in effect: the setting, else HTTPS_PROXY/ALL_PROXY... (digestbot.proxies)
            proxy_url=bot_api_proxy(
                override("PROXY_URL", telegram.text("proxy_url", base.telegram.proxy_url)).strip(),
                api_url,
                env,
            )
            or "",
            webhook_url=telegram.text("webhook_url", base.telegram.webhook_url),
            webhook_secret=telegram.text("webhook_secret", base.telegram.webhook_secret),
            webhook_listen=telegram.text("webhook_listen", base.telegram.webhook_listen),
            webhook_port=telegram.whole(
                "webhook_port", base.telegram.webhook_port, minimum=1, maximum=65535
            ),
            admin_ids=frozenset(telegram.int_list("admin_ids")),
        ),
        reader=ReaderSettings(
            default_language=reader.lang("default_language", base.reader.default_language),
            tag_labels=reader.tag_labels("tag_labels", base.reader.tag_labels),
        ),
        digest=DigestSettings(
            time=digest.clock("time", base.digest.time),
            timezone=digest.zone("timezone", base.digest.timezone),
            max_articles=digest.whole(
                "max_articles", base.digest.max_articles, minimum=1, maximum=100
            ),
            max_age_days=digest.whole("max_age_days", base.digest.max_age_days, minimum=0),
            send_empty=digest.flag("send_empty", base.digest.send_empty),
            rescan_minutes=digest.number("rescan_minutes", base.digest.rescan_minutes, minimum=0.0),
        ),
        delivery=DeliverySettings(
            rate_per_second=delivery.number(
                "rate_per_second", base.delivery.rate_per_second, minimum=0.1, maximum=1000.0
            ),
            per_chat_interval=delivery.number(
                "per_chat_interval", base.delivery.per_chat_interval, minimum=0.0
            ),
            max_attempts=delivery.whole("max_attempts", base.delivery.max_attempts, minimum=1),
            paid_broadcast=delivery.flag("paid_broadcast", base.delivery.paid_broadcast),
            keep_days=delivery.whole("keep_days", base.delivery.keep_days, minimum=1),
        ),
        monitoring=MonitoringSettings(
            # set but empty means off here (an image may set it; the operator turns it off)
            address=env.get(f"{ENV_PREFIX}MONITORING_ADDRESS", monitoring_address)
        ),
        logging=LoggingSettings(
            level=_one_of(
                override("LOG_LEVEL", logs.text("level", base.logging.level)), LOG_LEVELS, "level"
            ),
            format=_one_of(
                override("LOG_FORMAT", logs.text("format", base.logging.format)),
                LOG_FORMATS,
                "format",
            ),
        ),
        source=source,
    )
    for sec in (paths, database, telegram, reader, digest, delivery, monitoring, logs):
        sec.check_no_extra()
    if settings.monitoring.address:  # a bad address is an error at load, not at start
        parse_address(settings.monitoring.address, "[monitoring] address")
    secret = settings.telegram.webhook_secret
    if secret and not _SECRET_RE.match(secret):
        raise ConfigError(
            "[telegram] webhook_secret must be 1-256 characters of A-Z, a-z, 0-9, _ and -"
        )
    if settings.telegram.proxy_url:
        check_proxy_url(settings.telegram.proxy_url, "[telegram] proxy_url")
    return settings


def parse_address(text: str, setting: str) -> tuple[str, int]:
    """``host:port`` (``[::1]:port`` for IPv6; port 0: any free port) as a pair, else a one-line
    ConfigError naming ``setting``."""
    host, sep, port = text.strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise ConfigError(
            f'{setting} must be "host:port" such as "127.0.0.1:9464" (empty: off), not {text!r}'
        )
    return host, int(port)


def _one_of(value: str, allowed: tuple[str, ...], key: str) -> str:
    """``value`` (any case) if one of ``allowed``, else a ConfigError for ``[logging] key``."""
    if value.lower() not in allowed:
        raise ConfigError(f"[logging] {key} must be one of {', '.join(allowed)}, not {value!r}")
    return value.lower()


class _Reader:
    """Typed access to one TOML table, remembering which keys were used to reject unknown ones."""

    def __init__(self, table: dict[str, Any], source: Path | None, name: str = "") -> None:
        self._table = table
        self._source = source
        self._name = name
        self._used: set[str] = set()

    def _where(self, key: str) -> str:
        where = f"[{self._name}] {key}" if self._name else key
        return f"{self._source}: {where}" if self._source else where

    def _get(self, key: str) -> Any:
        self._used.add(key)
        return self._table.get(key)

    def section(self, name: str) -> _Reader:
        value = self._get(name)
        if value is None:
            value = {}
        if not isinstance(value, dict):
            raise ConfigError(f"{self._where(name)} must be a table")
        return _Reader(value, self._source, name)

    def check_no_extra(self) -> None:
        extra = sorted(set(self._table) - self._used)
        if extra:
            raise ConfigError(f"{self._where(extra[0])}: unknown setting")

    def text(self, key: str, default: str) -> str:
        value = self._get(key)
        if value is None:
            return default
        if not isinstance(value, str):
            raise ConfigError(f"{self._where(key)} must be a string")
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self._get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise ConfigError(f"{self._where(key)} must be true or false")
        return value

    def whole(
        self, key: str, default: int, *, minimum: int | None = None, maximum: int | None = None
    ) -> int:
        value = self._get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{self._where(key)} must be a whole number")
        self._check_range(key, value, minimum, maximum)
        return value

    def number(
        self,
        key: str,
        default: float,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
    ) -> float:
        value = self._get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{self._where(key)} must be a number")
        self._check_range(key, value, minimum, maximum)
        return float(value)

    def _check_range(
        self, key: str, value: float, minimum: float | None, maximum: float | None
    ) -> None:
        if minimum is not None and value < minimum:
            raise ConfigError(f"{self._where(key)} must be at least {minimum}")
        if maximum is not None and value > maximum:
            raise ConfigError(f"{self._where(key)} must be at most {maximum}")

    def int_list(self, key: str) -> list[int]:
        value = self._get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            raise ConfigError(f"{self._where(key)} must be a list of whole numbers")
        return list(value)

    def lang(self, key: str, default: Lang) -> Lang:
        value = self.text(key, default.value)
        try:
            return Lang(value)
        except ValueError:
            raise ConfigError(f'{self._where(key)} must be "zh" or "en"') from None

    def clock(self, key: str, default: time) -> time:
        value = self.text(key, default.strftime("%H:%M"))
        try:
            return time.fromisoformat(value)
        except ValueError:
            raise ConfigError(f'{self._where(key)} must be a time like "08:00"') from None

    def zone(self, key: str, default: str) -> str:
        value = self.text(key, default)
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"{self._where(key)}: unknown time zone {value!r} (use an IANA name such as "
                '"Asia/Shanghai")'
            ) from None
        return value

    def tag_labels(
        self, key: str, default: Mapping[str, Mapping[Lang, str]]
    ) -> dict[str, dict[Lang, str]]:
        value = self._get(key)
        if value is None:
            return {tag: dict(labels) for tag, labels in default.items()}
        if not isinstance(value, dict):
            raise ConfigError(
                f"{self._where(key)} must be a table of tag = {{ zh = ..., en = ... }}"
            )
        labels: dict[str, dict[Lang, str]] = {}
        for tag, per_lang in value.items():
            if not isinstance(per_lang, dict) or not all(
                k in {"zh", "en"} and isinstance(v, str) for k, v in per_lang.items()
            ):
                raise ConfigError(f'{self._where(key)}.{tag} must be {{ zh = "...", en = "..." }}')
            labels[tag.lower()] = {Lang(k): v for k, v in per_lang.items()}
        return labels
