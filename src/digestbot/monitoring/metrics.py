"""The bot's Prometheus metrics: one :class:`Metrics` per process, on its own registry.

Events are counted where they happen (the sender, the runtime, the HTTP clients, the handlers);
what the database already knows (the outbox by state, readers by language and state) is read when
Prometheus scrapes (:class:`~digestbot.monitoring.store_metrics.StoreCollector`). Every label
takes a small, known set of values: never a chat id, a query or a file name.
"""

from __future__ import annotations

import enum

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest

__all__ = [
    "PREFIX",
    "Client",
    "FailReason",
    "Metrics",
    "RetryReason",
]

PREFIX = "digestbot"
_FAST = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_SLOW = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)


class Client(enum.Enum):
    """Which of the bot's HTTP clients made a Bot API call."""

    BOT = "bot"  # python-telegram-bot's: replies, getUpdates, menus
    SENDER = "sender"  # the outbox sender's: digests


class RetryReason(enum.Enum):
    """Why a message goes back to the outbox for another try."""

    FLOOD_WAIT = "flood_wait"  # 429
    NETWORK = "network"  # connection failed, timed out, 5xx


class FailReason(enum.Enum):
    """Why a message failed for good."""

    REJECTED = "rejected"  # 400: Telegram will never take it
    ATTEMPTS = "attempts"  # network errors max_attempts times
    BLOCKED = "blocked"  # 403: the reader blocked the bot (their messages are dropped)


class Metrics:
    """Every counter, gauge and histogram the bot exports, registered on ``registry``."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.messages_sent = Counter(
            f"{PREFIX}_messages_sent", "Outbox messages Telegram accepted.", registry=r
        )
        self.messages_failed = Counter(
            f"{PREFIX}_messages_failed",
            "Outbox messages that failed for good, by reason.",
            ["reason"],
            registry=r,
        )
        self.messages_retried = Counter(
            f"{PREFIX}_messages_retried",
            "Outbox messages put back for another try, by reason.",
            ["reason"],
            registry=r,
        )
        self.flood_waits = Counter(
            f"{PREFIX}_flood_waits",
            "429 Too Many Requests answers, by client.",
            ["client"],
            registry=r,
        )
        self.flood_wait_seconds = Counter(
            f"{PREFIX}_flood_wait_seconds",
            "Seconds Telegram asked to wait (retry_after), by client.",
            ["client"],
            registry=r,
        )
        self.api_request_seconds = Histogram(
            f"{PREFIX}_bot_api_request_duration_seconds",
            "Bot API calls by client and method, from request to answer (long polls included).",
            ["client", "method"],
            buckets=(*_FAST, 30.0, 60.0),
            registry=r,
        )
        self.api_request_errors = Counter(
            f"{PREFIX}_bot_api_request_errors",
            "Bot API calls that got no answer (network error, timeout), by client.",
            ["client"],
            registry=r,
        )
        self.last_api_answer = Gauge(
            f"{PREFIX}_bot_api_last_answer_timestamp_seconds",
            "When the Bot API last answered a call (Unix time).",
            registry=r,
        )
        self.digests_planned = Counter(
            f"{PREFIX}_digests_planned", "Digests planned by ticks and /digest.", registry=r
        )
        self.tick_seconds = Histogram(
            f"{PREFIX}_tick_duration_seconds",
            "How long one tick (planning due digests) took.",
            buckets=_SLOW,
            registry=r,
        )
        self.last_tick = Gauge(
            f"{PREFIX}_last_tick_timestamp_seconds",
            "When a tick last finished (Unix time).",
            registry=r,
        )
        self.articles_loaded = Counter(
            f"{PREFIX}_articles_loaded",
            "Article files loaded by the bot's rescans, new or updated.",
            registry=r,
        )
        self.articles_rejected = Counter(
            f"{PREFIX}_articles_rejected",
            "Article files the bot's rescans rejected (each file once per reason).",
            registry=r,
        )
        self.search_seconds = Histogram(
            f"{PREFIX}_search_duration_seconds",
            "Keyword searches, from query to results.",
            buckets=_FAST,
            registry=r,
        )
        self.handler_errors = Counter(
            f"{PREFIX}_handler_errors",
            "Updates whose handling raised, by kind of update.",
            ["handler"],
            registry=r,
        )
        self.alerts_sent = Counter(
            f"{PREFIX}_alerts",
            "Events reported to the admins' alerts, by kind (at most one alert an hour a kind).",
            ["kind"],
            registry=r,
        )

    def exposition(self) -> bytes:
        """Everything in Prometheus' text format."""
        return generate_latest(self.registry)

    def names(self) -> frozenset[str]:
        """The names of every series the bot may export, as PromQL sees them."""
        names: set[str] = set()
        for family in self.registry.collect():
            names.update(sample_names(family.name, family.type))
        return frozenset(names)


def sample_names(name: str, kind: str) -> tuple[str, ...]:
    """The series a metric family of ``kind`` exports under ``name``."""
    if kind == "counter":
        return (f"{name}_total", f"{name}_created")
    if kind == "histogram":
        return tuple(f"{name}{suffix}" for suffix in ("_bucket", "_sum", "_count", "_created"))
    return (name,)
