"""Metrics the database already knows, read when Prometheus scrapes: the open outbox by state and
the age of its oldest due message, readers by language and state, articles.

The figures are cached for ``max_age`` seconds so frequent scrapes (or several Prometheus
servers) cost one set of queries; open outbox rows are counted on the claim index.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from digestbot.monitoring.metrics import PREFIX
from digestbot.store.models import Article, OutboxMessage, OutboxState, Subscriber
from digestbot.store.outbox import next_due_at

__all__ = ["STORE_METRIC_NAMES", "StoreCollector", "StoreFigures", "read_figures"]

STORE_METRIC_NAMES = frozenset(
    {
        f"{PREFIX}_outbox_messages",
        f"{PREFIX}_outbox_oldest_due_age_seconds",
        f"{PREFIX}_subscribers",
        f"{PREFIX}_articles",
    }
)
_OPEN = (OutboxState.PENDING, OutboxState.SENDING)


@dataclass(frozen=True, slots=True)
class StoreFigures:
    """One reading of the database."""

    outbox: dict[str, int]  # open states -> rows
    oldest_due_age: float  # seconds the oldest due message has waited (0: none waiting)
    subscribers: dict[tuple[str, str], int]  # (language, state) -> readers
    articles: int


def read_figures(session: Session, now: datetime) -> StoreFigures:
    """The figures as of ``now``."""
    outbox = dict.fromkeys((state.value for state in _OPEN), 0)
    for state, count in session.execute(
        select(OutboxMessage.state, func.count())
        .where(OutboxMessage.state.in_(_OPEN))
        .group_by(OutboxMessage.state)
    ):
        outbox[OutboxState(state).value] = count
    due = next_due_at(session)
    age = max(0.0, (now - due).total_seconds()) if due is not None else 0.0
    readers = session.execute(
        select(Subscriber.language, Subscriber.state, func.count()).group_by(
            Subscriber.language, Subscriber.state
        )
    )
    articles = session.scalar(select(func.count()).select_from(Article)) or 0
    return StoreFigures(
        outbox,
        age,
        {(str(lang), str(state)): count for lang, state, count in readers},
        int(articles),
    )


class StoreCollector(Collector):
    """Reads :class:`StoreFigures` at scrape time (at most every ``max_age`` s)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Callable[[], datetime],
        max_age: float = 10.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._max_age = max_age
        self._monotonic = monotonic
        self._cached: tuple[float, StoreFigures] | None = None

    def figures(self) -> StoreFigures:
        """The figures, read again when the cached ones are older than ``max_age``."""
        now = self._monotonic()
        if self._cached is None or now - self._cached[0] > self._max_age:
            with self._sessions() as session:
                self._cached = (now, read_figures(session, self._clock()))
        return self._cached[1]

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """The families, without asking the database (registering must not query)."""
        return iter(_families(None))

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """The families with the current figures."""
        return iter(_families(self.figures()))


def _families(figures: StoreFigures | None) -> list[GaugeMetricFamily]:
    outbox = GaugeMetricFamily(
        f"{PREFIX}_outbox_messages", "Outbox messages not yet sent, by state.", labels=["state"]
    )
    oldest = GaugeMetricFamily(
        f"{PREFIX}_outbox_oldest_due_age_seconds",
        "How long the oldest due outbox message has waited (0: none is waiting).",
    )
    readers = GaugeMetricFamily(
        f"{PREFIX}_subscribers", "Readers by language and state.", labels=["language", "state"]
    )
    articles = GaugeMetricFamily(f"{PREFIX}_articles", "Articles in the store.")
    if figures is not None:
        for state, count in sorted(figures.outbox.items()):
            outbox.add_metric([state], count)
        oldest.add_metric([], figures.oldest_due_age)
        for (language, state), count in sorted(figures.subscribers.items()):
            readers.add_metric([language, state], count)
        articles.add_metric([], figures.articles)
    return [outbox, oldest, readers, articles]
