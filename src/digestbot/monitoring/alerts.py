"""Alerts to the bot's administrators (``[telegram] admin_ids``), through the outbox like every
message, in each admin's language, at most one per kind an hour.

Where something goes wrong, the runtime and the sender call :meth:`Alerts.report` (cheap, sync);
:meth:`Alerts.flush` turns the reports that are due into outbox messages for every admin who has
not turned alerts off (``/alerts off``, :mod:`digestbot.store.alert_mutes`). The hourly limit is
the pure :class:`AlertGate`: per kind, the first report makes an alert due at once; reports in
the hour after an alert are counted, and the next alert, once the hour is over, says how many
more there were since the last one.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from html import escape
from typing import Protocol

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from digestbot import messages
from digestbot.config import Settings
from digestbot.i18n import Translator, translator
from digestbot.model import Lang
from digestbot.store.alert_mutes import claim_alert_kinds, muted_among
from digestbot.store.health import is_outage
from digestbot.store.models import SubscriberState, utc_now
from digestbot.store.outbox import enqueue
from digestbot.store.subscribers import get_profile

__all__ = [
    "ALERT_INTERVAL",
    "DETAIL_CHARS",
    "MAX_DETAILS",
    "Alert",
    "AlertGate",
    "AlertKind",
    "AlertStore",
    "Alerts",
    "Pending",
    "queue_alerts",
    "render_alert",
]

ALERT_INTERVAL = 3600.0  # seconds between two alerts of one kind
MAX_DETAILS = 5  # details an alert lists; the rest are counted
DETAIL_CHARS = 120  # a detail longer than this is cut (an alert stays far below 4096 chars)
_log = logging.getLogger(__name__)


class AlertKind(enum.Enum):
    """What went wrong; each kind has its own hourly limit."""

    REJECTED_FILES = "rejected_files"  # article files rejected by a rescan
    SENDER_STALLED = "sender_stalled"  # due messages waiting more than 5 minutes
    FLOOD_WAIT = "flood_wait"  # Telegram asked to wait more than 60 s
    MESSAGES_FAILED = "messages_failed"  # messages failed for good
    DATABASE_ERROR = "database_error"


_TITLES: Mapping[AlertKind, str] = {
    AlertKind.REJECTED_FILES: messages.ALERT_REJECTED_FILES,
    AlertKind.SENDER_STALLED: messages.ALERT_SENDER_STALLED,
    AlertKind.FLOOD_WAIT: messages.ALERT_FLOOD_WAIT,
    AlertKind.MESSAGES_FAILED: messages.ALERT_MESSAGES_FAILED,
    AlertKind.DATABASE_ERROR: messages.ALERT_DATABASE_ERROR,
}


def _clean_detail(detail: str) -> str:
    """``detail`` on one line of printable characters, at most :data:`DETAIL_CHARS` of them."""
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in detail).split())
    return text if len(text) <= DETAIL_CHARS else text[: DETAIL_CHARS - 1] + "…"


@dataclass(frozen=True, slots=True)
class Pending:
    """Reports of one kind not yet in an alert: how many events, and a few distinct details."""

    events: int = 0
    details: tuple[str, ...] = ()  # distinct, at most MAX_DETAILS, in the order reported
    omitted: int = 0  # details left out once MAX_DETAILS were kept

    def add(self, detail: str, count: int = 1) -> Pending:
        """These reports plus ``count`` events with ``detail`` (``count`` < 1: nothing happened)."""
        if count < 1:
            return self
        return replace(self, events=self.events + count)._with_details((_clean_detail(detail),))

    def then(self, later: Pending) -> Pending:
        """These reports followed by ``later``'s."""
        merged = replace(self, events=self.events + later.events)._with_details(later.details)
        return replace(merged, omitted=merged.omitted + later.omitted)

    def _with_details(self, details: Iterable[str]) -> Pending:
        kept, omitted = list(self.details), self.omitted
        for detail in details:
            if not detail or detail in kept:
                continue
            if len(kept) < MAX_DETAILS:
                kept.append(detail)
            else:
                omitted += 1
        return replace(self, details=tuple(kept), omitted=omitted)


@dataclass(frozen=True, slots=True)
class KindState:
    """One kind in the gate: its pending reports, when the first came, when it last alerted."""

    pending: Pending = Pending()
    since: float | None = None  # when the first pending report came
    last_alert: float | None = None


@dataclass(frozen=True, slots=True)
class Alert:
    """An alert that is due: its reports, and whether it follows an alert of the hour before."""

    kind: AlertKind
    pending: Pending
    follow_up: bool  # the events happened in the hour after the last alert: "N more since"
    before: KindState  # the kind's state before the alert was taken, to put it back


@dataclass(frozen=True, slots=True)
class AlertGate:
    """The hourly limit per kind, as a value: every method returns a new gate (no I/O, no clock:
    the caller passes ``now``, a monotonic time in seconds)."""

    states: Mapping[AlertKind, KindState] = field(default_factory=dict)
    interval: float = ALERT_INTERVAL

    def state(self, kind: AlertKind) -> KindState:
        """Where ``kind`` stands."""
        return self.states.get(kind, KindState())

    def report(self, kind: AlertKind, detail: str, count: int, now: float) -> AlertGate:
        """Remember ``count`` events of ``kind`` with ``detail``, reported at ``now``."""
        state = self.state(kind)
        pending = state.pending.add(detail, count)
        if pending is state.pending:
            return self
        since = state.since if state.since is not None else now
        return self._with(kind, replace(state, pending=pending, since=since))

    def take_due(self, now: float) -> tuple[AlertGate, tuple[Alert, ...]]:
        """The alerts due at ``now`` (kinds with reports and no alert in the last interval), in
        :class:`AlertKind` order, and the gate with them taken out."""
        gate, due = self, []
        for kind in AlertKind:
            state = self.state(kind)
            last = state.last_alert
            if not state.pending.events or (last is not None and now - last < self.interval):
                continue
            since = state.since if state.since is not None else now
            follow_up = last is not None and since < last + self.interval
            due.append(Alert(kind, state.pending, follow_up, state))
            gate = gate._with(kind, KindState(last_alert=now))
        return gate, tuple(due)

    def put_back(self, alerts: Iterable[Alert]) -> AlertGate:
        """Undo :meth:`take_due` for ``alerts`` (they could not be queued): their reports are
        pending again, before any that came since, and the last alert is the one before."""
        gate = self
        for alert in alerts:
            current, before = gate.state(alert.kind), alert.before
            since = before.since if before.since is not None else current.since
            restored = KindState(before.pending.then(current.pending), since, before.last_alert)
            gate = gate._with(alert.kind, restored)
        return gate

    def _with(self, kind: AlertKind, state: KindState) -> AlertGate:
        return replace(self, states={**self.states, kind: state})


def render_alert(tr: Translator, alert: Alert) -> str:
    """The alert as one Telegram HTML message: what happened, a few details, how often."""
    pending = alert.pending
    lines = [f"⚠️ <b>{tr.gettext(_TITLES[alert.kind])}</b>"]
    lines += [f"• {escape(detail, quote=False)}" for detail in pending.details]
    if pending.omitted:
        lines.append(tr.plural(messages.ALERT_MORE_DETAILS, pending.omitted))
    if alert.follow_up:
        lines.append(tr.plural(messages.ALERT_MORE_SINCE_LAST, pending.events))
    elif pending.events > 1:
        lines.append(tr.plural(messages.ALERT_TOTAL, pending.events))
    lines += ["", tr.gettext(messages.ALERT_FOOTER)]
    return "\n".join(lines)


def queue_alerts(
    session: Session,
    alerts: Iterable[Alert],
    admin_ids: Iterable[int],
    *,
    now: datetime,
    default_language: Lang,
    sent_at: datetime | None = None,
) -> int:
    """Enqueue ``alerts`` for each admin who has started a chat with the bot (Telegram lets a
    bot write only to those: they have a reader profile) and has not turned alerts off, in the
    admin's language; returns the messages queued. ``default_language`` is kept for callers.
    ``sent_at`` (default: the wall clock; ``now`` may be a sandbox's fast clock) is when the
    alerts count as sent, for other bot processes that would send the same kinds."""
    sent_at = sent_at if sent_at is not None else utc_now()
    admins = sorted(set(admin_ids))
    due = list(alerts)
    if not admins or not due:
        return 0
    # another bot process on this database may have sent the same kinds a moment ago
    interval = timedelta(seconds=ALERT_INTERVAL)
    fresh = claim_alert_kinds(session, (a.kind.value for a in due), now=sent_at, interval=interval)
    due = [a for a in due if a.kind.value in fresh]
    if not due:
        return 0
    muted = muted_among(session, admins)
    queued = 0
    for admin in admins:
        if admin in muted:
            continue
        profile = get_profile(session, admin)
        if profile is None or profile.state is SubscriberState.BLOCKED:
            continue  # never wrote to the bot, or blocked it: a message would be refused
        tr = translator(profile.language, profile.script)
        queued += len(enqueue(session, admin, [render_alert(tr, a) for a in due], now=now))
    return queued


class AlertStore(Protocol):
    """What alerts need of the bot: its settings, its database and its clock (``BotDeps`` fits)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def sessions(self) -> sessionmaker[Session]: ...

    @property
    def clock(self) -> Callable[[], datetime]: ...


class Alerts:
    """Reports from anywhere in the bot's event loop, flushed to the admins as outbox messages.

    One per bot process; :meth:`report` from the event loop's thread only (it is not locked).
    """

    def __init__(
        self,
        deps: AlertStore,
        wake: Callable[[], None],
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """``wake`` tells the sender there are new messages; ``monotonic`` times the hourly
        limit (not ``deps.clock``, which may run fast in the sandbox)."""
        self._deps = deps
        self._wake = wake
        self._monotonic = monotonic
        # the wall clock as the monotonic one moves (tests move it by hand): when alerts count
        # as sent, across processes; taken at the first flush
        self._epoch: tuple[datetime, float] | None = None
        self._gate = AlertGate()
        self._flushing = asyncio.Lock()

    def report(self, kind: AlertKind, detail: str = "", count: int = 1) -> None:
        """Cheap, sync, never raises: remember it; flush() turns due reports into messages."""
        try:
            self._gate = self._gate.report(kind, detail, count, self._monotonic())
        except Exception:  # a report must never break the code that reports
            _log.exception("alerts: a report of %s could not be recorded", kind)

    async def flush(self) -> int:
        """Queue the alerts that are due for every admin who has not muted them (in the
        admin's language, one transaction), call wake(); returns messages queued. Never raises
        on a database error (logs it, at debug level when the database is away: the outage has
        its own line; the reports stay for the next flush)."""
        async with self._flushing:
            self._gate, due = self._gate.take_due(self._monotonic())
            if not due:
                return 0
            deps = self._deps
            admins = deps.settings.telegram.admin_ids
            if not admins:
                return 0  # nobody to tell: the hour starts all the same
            now, default = deps.clock(), deps.settings.reader.default_language
            moment = self._monotonic()
            if self._epoch is None:
                self._epoch = (utc_now(), moment)
            wall, mono = self._epoch
            sent_at = wall + timedelta(seconds=moment - mono)

            def work() -> int:
                with deps.sessions.begin() as session:
                    return queue_alerts(
                        session, due, admins, now=now, default_language=default, sent_at=sent_at
                    )

            try:
                queued = await asyncio.to_thread(work)
            except SQLAlchemyError as exc:
                self._gate = self._gate.put_back(due)
                first_line = (str(exc).splitlines() or [""])[0]
                # An outage is logged once by whoever first hears of it: here, a debug line.
                _log.log(
                    logging.DEBUG if is_outage(exc) else logging.ERROR,
                    "alerts: could not queue %d alert(s) for the admins, kept for the next try: "
                    "%s: %s",
                    len(due),
                    type(exc).__name__,
                    first_line,
                )
                return 0
        if queued:
            _log.info("alerts: queued %d message(s) for the admins", queued)
            self._wake()
        return queued
