"""Alerts to the admins: the hourly gate (property tests), the text, and Alerts.flush on a real
database (SQLite, and PostgreSQL where it runs)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import time
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from digestbot.bot.deps import BotDeps
from digestbot.config import Settings, TelegramSettings
from digestbot.i18n import translator
from digestbot.model import Lang
from digestbot.monitoring.alerts import (
    ALERT_INTERVAL,
    DETAIL_CHARS,
    MAX_DETAILS,
    Alert,
    AlertGate,
    AlertKind,
    Alerts,
    Pending,
    render_alert,
)
from digestbot.sandbox.validate import check_message_text
from digestbot.store.alert_mutes import is_muted, set_muted
from digestbot.store.models import OutboxMessage
from digestbot.store.subscribers import ensure_subscriber
from tests.support.bot import Clock

# NEW_ADMIN never wrote to the bot (no profile): Telegram would refuse a message to them
EN_ADMIN, ZH_ADMIN, MUTED_ADMIN, NEW_ADMIN = 2001, 2002, 2003, 2004

kinds = st.sampled_from(list(AlertKind))
details = st.text(max_size=300)
counts = st.integers(min_value=-1, max_value=50)


# -- the gate (pure) --------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    kind: AlertKind
    detail: str
    count: int


@dataclass(frozen=True)
class Flush:
    pass


steps = st.lists(
    st.tuples(
        st.floats(min_value=0, max_value=2 * ALERT_INTERVAL),  # seconds since the last step
        st.one_of(st.builds(Report, kinds, details, counts), st.just(Flush())),
    ),
    max_size=60,
)


def run(
    script: list[tuple[float, Report | Flush]],
) -> tuple[AlertGate, list[tuple[float, Alert]], float]:
    """Play ``script`` on a fresh gate: the gate after it, the alerts taken (with their time), and
    the time of the last step."""
    gate, taken, now = AlertGate(), [], 0.0
    for delay, step in script:
        now += delay
        if isinstance(step, Report):
            gate = gate.report(step.kind, step.detail, step.count, now)
        else:
            gate, due = gate.take_due(now)
            taken += [(now, alert) for alert in due]
    return gate, taken, now


@given(steps)
def test_alerts_of_one_kind_are_at_least_an_interval_apart(
    script: list[tuple[float, Report | Flush]],
) -> None:
    _, taken, _ = run(script)
    for kind in AlertKind:
        times = [at for at, alert in taken if alert.kind is kind]
        assert all(b - a >= ALERT_INTERVAL for a, b in pairwise(times))


@given(steps)
def test_every_event_is_in_exactly_one_alert_in_the_end(
    script: list[tuple[float, Report | Flush]],
) -> None:
    gate, taken, now = run(script)
    gate, last = gate.take_due(now + ALERT_INTERVAL)
    for kind in AlertKind:
        reported = sum(
            s.count for _, s in script if isinstance(s, Report) and s.kind is kind and s.count > 0
        )
        alerted = sum(a.pending.events for _, a in taken if a.kind is kind)
        alerted += sum(a.pending.events for a in last if a.kind is kind)
        assert alerted == reported
        assert gate.state(kind).pending == Pending()


@given(steps, kinds, details, st.integers(min_value=1, max_value=5))
def test_a_report_makes_an_alert_due_unless_one_went_out_within_the_hour(
    script: list[tuple[float, Report | Flush]], kind: AlertKind, detail: str, count: int
) -> None:
    gate, taken, now = run(script)
    gate, before = gate.take_due(now)  # whatever was due already
    taken += [(now, alert) for alert in before]
    gate, due = gate.report(kind, detail, count, now).take_due(now)
    last = gate.state(kind).last_alert
    recent = [at for at, alert in taken if alert.kind is kind and now - at < ALERT_INTERVAL]
    assert [a.kind for a in due].count(kind) == (0 if recent else 1)
    if not recent:
        assert last == now


@given(steps, st.floats(min_value=0, max_value=3 * ALERT_INTERVAL))
def test_putting_taken_alerts_back_restores_the_gate(
    script: list[tuple[float, Report | Flush]], later: float
) -> None:
    gate, _, now = run(script)
    after, due = gate.take_due(now + later)
    assert after.put_back(due).states == gate.states


@given(steps, st.lists(st.builds(Report, kinds, details, counts), max_size=10))
def test_reports_during_a_failed_flush_are_kept_after_the_put_back_ones(
    script: list[tuple[float, Report | Flush]], meanwhile: list[Report]
) -> None:
    gate, _, now = run(script)
    after, due = gate.take_due(now)
    for report in meanwhile:
        after = after.report(report.kind, report.detail, report.count, now)
    restored = after.put_back(due)
    for kind in AlertKind:
        extra = sum(r.count for r in meanwhile if r.kind is kind and r.count > 0)
        assert restored.state(kind).pending.events == gate.state(kind).pending.events + extra
        assert restored.state(kind).last_alert == gate.state(kind).last_alert


def test_reports_in_the_hour_after_an_alert_make_one_follow_up_with_their_count() -> None:
    gate, first = AlertGate().report(AlertKind.FLOOD_WAIT, "retry after 90 s", 1, 0.0).take_due(0)
    assert [(a.kind, a.follow_up, a.pending.events) for a in first] == [
        (AlertKind.FLOOD_WAIT, False, 1)
    ]
    gate = gate.report(AlertKind.FLOOD_WAIT, "retry after 120 s", 1, 600.0)
    gate, quiet = gate.report(AlertKind.FLOOD_WAIT, "", 2, 1200.0).take_due(1800.0)
    assert quiet == ()
    gate, follow = gate.take_due(ALERT_INTERVAL)
    assert [(a.follow_up, a.pending.events) for a in follow] == [(True, 3)]
    assert follow[0].pending.details == ("retry after 120 s",)
    # long after that alert, a report opens a fresh one
    gate, fresh = gate.report(AlertKind.FLOOD_WAIT, "", 1, 3 * ALERT_INTERVAL).take_due(
        3 * ALERT_INTERVAL
    )
    assert [(a.follow_up, a.pending.events) for a in fresh] == [(False, 1)]


@given(st.lists(st.tuples(details, counts), max_size=40))
def test_pending_details_are_few_short_and_distinct(reports: list[tuple[str, int]]) -> None:
    pending = Pending()
    for detail, count in reports:
        pending = pending.add(detail, count)
    assert len(pending.details) <= MAX_DETAILS
    assert len(set(pending.details)) == len(pending.details)
    assert all(0 < len(d) <= DETAIL_CHARS and "\n" not in d for d in pending.details)
    assert pending.events == sum(count for _, count in reports if count > 0)


# -- the text -------------------------------------------------------------------------------


@settings(max_examples=200)
@given(
    kinds,
    st.lists(st.tuples(details, st.integers(min_value=1, max_value=10**6)), min_size=1),
    st.booleans(),
    st.sampled_from(list(Lang)),
)
def test_an_alert_is_valid_telegram_html_well_below_the_limit(
    kind: AlertKind, reports: list[tuple[str, int]], follow_up: bool, lang: Lang
) -> None:
    pending = Pending()
    for detail, count in reports:
        pending = pending.add(detail, count)
    message = render_alert(
        translator(lang), Alert(kind, pending, follow_up, AlertGate().state(kind))
    )
    shown = check_message_text(message, "HTML", None).text  # what Telegram would show
    assert len(shown) <= 1200
    assert len(message) <= 4096
    for detail in pending.details:
        assert f"• {detail}" in shown


def alert(kind: AlertKind, *details: str, events: int = 1, follow_up: bool = False) -> Alert:
    pending = Pending()
    for detail in details:
        pending = pending.add(detail)
    pending = replace(pending, events=events)
    return Alert(kind, pending, follow_up, AlertGate().state(kind))


def test_alert_text_in_english_and_chinese() -> None:
    first = alert(AlertKind.REJECTED_FILES, "a.md: no title", "b<1>.md: bad date", events=2)
    assert render_alert(translator(Lang.EN), first) == (
        "⚠️ <b>A rescan rejected article files.</b>\n"
        "• a.md: no title\n"
        "• b&lt;1&gt;.md: bad date\n"
        "2 times in all.\n"
        "\n"
        "Send <code>/alerts off</code> to turn alerts off."
    )
    follow = alert(AlertKind.DATABASE_ERROR, events=7, follow_up=True)
    assert render_alert(translator(Lang.ZH), follow) == (
        "⚠️ <b>数据库出错。</b>\n"
        "自上次提醒以来又发生了7次。\n"
        "\n"
        "发送 <code>/alerts off</code> 可关闭提醒。"
    )
    many = alert(AlertKind.MESSAGES_FAILED, *(f"chat {n}: blocked" for n in range(8)), events=8)
    lines = render_alert(translator(Lang.ZH), many).splitlines()
    assert lines[0] == "⚠️ <b>有消息发送失败，不会再重试。</b>"
    assert lines[MAX_DETAILS + 1 : MAX_DETAILS + 3] == ["……还有3项", "共8次。"]


# -- Alerts.flush on a real database ---------------------------------------------------------


@dataclass
class Monotonic:
    """A monotonic clock the test moves by hand."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def deps(sessions: sessionmaker[Session]) -> BotDeps:
    admins = frozenset({EN_ADMIN, ZH_ADMIN, MUTED_ADMIN, NEW_ADMIN})
    with sessions.begin() as session:
        for chat_id, lang in ((EN_ADMIN, Lang.EN), (ZH_ADMIN, Lang.ZH), (MUTED_ADMIN, Lang.ZH)):
            ensure_subscriber(
                session,
                chat_id,
                user_id=chat_id,
                language=lang,
                timezone="UTC",
                digest_time=time(8, 0),
            )
        set_muted(session, MUTED_ADMIN, True, now=Clock()())
    settings = replace(Settings(), telegram=TelegramSettings(admin_ids=admins))
    return BotDeps(settings=settings, sessions=sessions, clock=Clock())


def outbox(sessions: sessionmaker[Session]) -> list[tuple[int, str]]:
    with sessions() as session:
        rows = session.execute(
            select(OutboxMessage.chat_id, OutboxMessage.text).order_by(OutboxMessage.id)
        )
        return [(chat_id, body) for chat_id, body in rows]


async def test_flush_queues_one_message_per_admin_and_kind_in_their_language(
    deps: BotDeps,
) -> None:
    woken: list[None] = []
    alerts = Alerts(deps, lambda: woken.append(None), monotonic=Monotonic())
    alerts.report(AlertKind.REJECTED_FILES, "seeds/broken.md: no title")
    alerts.report(AlertKind.DATABASE_ERROR, "OperationalError: database is locked")
    assert await alerts.flush() == 4  # two kinds, two admins (one muted, one never wrote)
    assert len(woken) == 1
    rows = outbox(deps.sessions)
    by_chat = {chat: [body for c, body in rows if c == chat] for chat in {c for c, _ in rows}}
    assert set(by_chat) == {EN_ADMIN, ZH_ADMIN}
    assert by_chat[EN_ADMIN][0].startswith("⚠️ <b>A rescan rejected article files.</b>")
    assert "• seeds/broken.md: no title" in by_chat[EN_ADMIN][0]
    assert by_chat[EN_ADMIN][1].startswith("⚠️ <b>The database reported an error.</b>")
    assert by_chat[ZH_ADMIN][0].startswith("⚠️ <b>重新扫描时有文章文件被拒绝。</b>")
    assert by_chat[ZH_ADMIN][1].startswith("⚠️ <b>数据库出错。</b>")
    assert await alerts.flush() == 0  # nothing new


async def test_a_second_report_within_the_hour_waits_and_is_counted(deps: BotDeps) -> None:
    clock = Monotonic()
    alerts = Alerts(deps, lambda: None, monotonic=clock)
    alerts.report(AlertKind.FLOOD_WAIT, "retry after 90 s")
    assert await alerts.flush() == 2
    clock.now += 60
    alerts.report(AlertKind.FLOOD_WAIT, "retry after 120 s")
    alerts.report(AlertKind.FLOOD_WAIT, "retry after 90 s")
    assert await alerts.flush() == 0
    clock.now += ALERT_INTERVAL - 61
    assert await alerts.flush() == 0
    clock.now += 1
    assert await alerts.flush() == 2
    en = [body for chat, body in outbox(deps.sessions) if chat == EN_ADMIN]
    zh = [body for chat, body in outbox(deps.sessions) if chat == ZH_ADMIN]
    assert len(en) == 2
    assert "2 more since the last alert." in en[1]
    assert "自上次提醒以来又发生了2次。" in zh[1]


async def test_muting_and_unmuting_an_admin(deps: BotDeps) -> None:
    clock = Monotonic()
    alerts = Alerts(deps, lambda: None, monotonic=clock)
    with deps.sessions.begin() as session:
        assert set_muted(session, EN_ADMIN, True, now=deps.clock())
        assert not set_muted(session, EN_ADMIN, True, now=deps.clock())
        assert set_muted(session, MUTED_ADMIN, False, now=deps.clock())
    alerts.report(AlertKind.SENDER_STALLED, "12 messages due, the oldest 7 minutes ago")
    assert await alerts.flush() == 2
    assert {chat for chat, _ in outbox(deps.sessions)} == {ZH_ADMIN, MUTED_ADMIN}
    with deps.sessions() as session:
        assert is_muted(session, EN_ADMIN)
        assert not is_muted(session, MUTED_ADMIN)


async def test_flush_survives_a_broken_database_and_keeps_the_reports(
    deps: BotDeps, caplog: pytest.LogCaptureFixture
) -> None:
    woken: list[None] = []
    alerts = Alerts(deps, lambda: woken.append(None), monotonic=Monotonic())
    alerts.report(AlertKind.MESSAGES_FAILED, "chat 7: message is too long", count=3)
    with deps.sessions.begin() as session:
        session.execute(text("ALTER TABLE outbox RENAME TO outbox_away"))
    with caplog.at_level(logging.DEBUG, logger="digestbot.monitoring.alerts"):
        assert await alerts.flush() == 0
    # The table gone is an outage (one warning elsewhere): one debug line here, not an error.
    kept = [r for r in caplog.records if "kept for the next try" in r.getMessage()]
    assert [r.levelno for r in kept] == [logging.DEBUG]
    assert woken == []
    alerts.report(AlertKind.MESSAGES_FAILED, "chat 8: chat not found")
    with deps.sessions.begin() as session:
        session.execute(text("ALTER TABLE outbox_away RENAME TO outbox"))
    assert await alerts.flush() == 2
    assert len(woken) == 1
    en = [body for chat, body in outbox(deps.sessions) if chat == EN_ADMIN]
    assert len(en) == 1
    assert "• chat 7: message is too long\n• chat 8: chat not found\n4 times in all." in en[0]


async def test_no_admins_means_no_messages(sessions: sessionmaker[Session]) -> None:
    alerts = Alerts(BotDeps(Settings(), sessions, Clock()), lambda: None, monotonic=Monotonic())
    alerts.report(AlertKind.DATABASE_ERROR)
    assert await alerts.flush() == 0
    assert outbox(sessions) == []


def test_a_report_that_cannot_be_recorded_is_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken_clock() -> float:
        raise RuntimeError("no clock")

    alerts = Alerts(BotDeps(Settings(), sessionmaker()), lambda: None, monotonic=broken_clock)
    alerts.report(AlertKind.FLOOD_WAIT, "retry after 300 s")
    assert "could not be recorded" in caplog.text
