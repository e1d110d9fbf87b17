"""The readiness rules (pure), the metric names, and the bounded label for handler errors."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st
from telegram import Chat, Message, Update, User

from digestbot.bot.errors import handler_label
from digestbot.monitoring.metrics import Metrics
from digestbot.monitoring.readiness import (
    STALLED_AFTER,
    TICK_LATE_AFTER,
    Facts,
    evaluate,
    readiness_body,
)
from digestbot.monitoring.store_metrics import STORE_METRIC_NAMES

WELL = Facts(
    now=1_000_000.0,
    database_error=None,
    runtime_started=True,
    sender="sending",
    oldest_due_age=None,
    last_tick=999_990.0,
    api_answered=True,
)


def test_all_well_is_ready() -> None:
    ready, body = readiness_body(evaluate(WELL))
    assert ready
    assert body["ready"] is True
    assert all(check["ok"] for check in body["checks"].values())


@given(
    st.one_of(st.none(), st.text(min_size=1, max_size=20)),
    st.booleans(),
    st.sampled_from(["starting", "sending", "waiting", "stopped"]),
    st.one_of(st.none(), st.floats(0.0, 10_000.0)),
    st.one_of(st.none(), st.floats(0.0, 10_000.0)),
    st.booleans(),
)
def test_ready_exactly_when_every_rule_holds(
    database_error: str | None,
    started: bool,
    sender: str,
    oldest: float | None,
    tick_ago: float | None,
    answered: bool,
) -> None:
    facts = replace(
        WELL,
        database_error=database_error,
        runtime_started=started,
        sender=sender,
        oldest_due_age=oldest,
        last_tick=None if tick_ago is None else WELL.now - tick_ago,
        api_answered=answered,
    )
    checks = evaluate(facts)
    expected = (
        database_error is None
        and started
        and sender in ("sending", "waiting")
        and (oldest is None or oldest <= STALLED_AFTER)
        and tick_ago is not None
        and tick_ago <= TICK_LATE_AFTER
        and answered
    )
    assert readiness_body(checks)[0] == expected
    assert checks["database"].ok == (database_error is None)
    if database_error is not None:
        assert database_error in checks["database"].detail


def test_every_metric_is_prefixed_and_counters_end_in_total() -> None:
    names = Metrics().names() | STORE_METRIC_NAMES
    assert all(name.startswith("digestbot_") for name in names)
    assert "digestbot_messages_sent_total" in names
    assert "digestbot_bot_api_request_duration_seconds_bucket" in names
    assert "digestbot_outbox_oldest_due_age_seconds" in names


def _update(text: str) -> Update:
    user = User(1, "Ann", is_bot=False)
    message = Message(1, None, Chat(1, "private"), from_user=user, text=text)  # type: ignore[arg-type]
    return Update(1, message=message)


@given(st.text(max_size=30))
def test_the_handler_label_is_one_of_a_few(text: str) -> None:
    label = handler_label(_update(text))
    known = {"help", "start", "search", "read", "digest", "settings", "tags", "language"}
    assert label in {"command", "message"} | known | {"subscribe", "unsubscribe", "stats", "alerts"}


def test_the_handler_label_names_known_commands_only() -> None:
    assert handler_label(_update("/search 芯片")) == "search"
    assert handler_label(_update("/read_12")) == "command"
    assert handler_label(_update("hello")) == "message"
    assert handler_label(None) == "job"
