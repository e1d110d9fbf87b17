"""Conversation state in the store: values per chat and key that expire (SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from digestbot.store.conversation import (
    delete_state,
    get_state,
    keep_newest_states,
    prune_states,
    put_state,
)
from digestbot.store.db import session_factory

NOW = datetime(2026, 5, 25, 8, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
CHAT = -1001234567890123  # a supergroup's id: beyond 32 bits, negative


def test_a_value_is_read_back_until_it_expires(session: Session) -> None:
    put_state(session, CHAT, "await:7", "set:time", now=NOW, lifetime=10 * MINUTE)
    assert get_state(session, CHAT, "await:7", now=NOW) == "set:time"
    assert get_state(session, CHAT, "await:7", now=NOW + 9 * MINUTE) == "set:time"
    assert get_state(session, CHAT, "await:7", now=NOW + 10 * MINUTE) is None
    assert get_state(session, CHAT, "await:8", now=NOW) is None
    assert get_state(session, CHAT + 1, "await:7", now=NOW) is None


def test_putting_again_replaces_the_value_and_its_lifetime(session: Session) -> None:
    put_state(session, CHAT, "greeting", 5, now=NOW, lifetime=MINUTE)
    put_state(session, CHAT, "greeting", 9, now=NOW + MINUTE / 2, lifetime=MINUTE)
    assert get_state(session, CHAT, "greeting", now=NOW + MINUTE) == 9
    session.commit()
    put_state(session, CHAT, "greeting", [1, 2], now=NOW, lifetime=MINUTE)
    session.commit()
    assert get_state(session, CHAT, "greeting", now=NOW) == [1, 2]


def test_delete_says_whether_there_was_a_value(session: Session) -> None:
    put_state(session, CHAT, "admins", [1, 2], now=NOW, lifetime=MINUTE)
    assert delete_state(session, CHAT, "admins")
    assert not delete_state(session, CHAT, "admins")
    assert get_state(session, CHAT, "admins", now=NOW) is None


def test_keep_newest_keeps_the_latest_of_a_prefix_only(session: Session) -> None:
    for n in range(5):
        put_state(session, CHAT, f"search:t{n}", f"q{n}", now=NOW + n * MINUTE, lifetime=MINUTE)
    put_state(session, CHAT, "greeting", 1, now=NOW, lifetime=MINUTE)
    put_state(session, CHAT + 1, "search:x", "other chat", now=NOW, lifetime=MINUTE)
    assert keep_newest_states(session, CHAT, "search:", 2) == 3
    kept = [get_state(session, CHAT, f"search:t{n}", now=NOW) for n in range(5)]
    assert kept == [None, None, None, "q3", "q4"]
    assert get_state(session, CHAT, "greeting", now=NOW) == 1
    assert get_state(session, CHAT + 1, "search:x", now=NOW) == "other chat"


def test_a_prefix_with_like_wildcards_is_plain_text(session: Session) -> None:
    put_state(session, CHAT, "a_b", 1, now=NOW, lifetime=MINUTE)
    put_state(session, CHAT, "axb", 2, now=NOW, lifetime=MINUTE)
    assert keep_newest_states(session, CHAT, "a_", 0) == 1
    assert get_state(session, CHAT, "axb", now=NOW) == 2


def test_prune_deletes_only_what_expired(session: Session) -> None:
    put_state(session, CHAT, "admins", [1], now=NOW, lifetime=MINUTE)
    put_state(session, CHAT, "greeting", 3, now=NOW, lifetime=timedelta(days=1))
    assert prune_states(session, now=NOW + 2 * MINUTE) == 1
    assert prune_states(session, now=NOW + 2 * MINUTE) == 0
    assert get_state(session, CHAT, "greeting", now=NOW + 2 * MINUTE) == 3


def test_a_key_longer_than_the_column_is_refused(session: Session) -> None:
    with pytest.raises(ValueError, match="at most 64"):
        put_state(session, CHAT, "k" * 65, 1, now=NOW, lifetime=MINUTE)


any_character = st.characters(exclude_categories=())  # surrogates and NUL too
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**62), 2**62) | st.text(any_character),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=json_values)
def test_any_json_value_round_trips_nul_and_all(engine: Engine, value: Any) -> None:
    """Text with NUL or lone surrogates, and every JSON shape, comes back as it went in
    (PostgreSQL text cannot hold NUL and UTF-8 no surrogate: the JSON escapes both)."""
    with session_factory(engine).begin() as session:
        put_state(session, CHAT, "value", value, now=NOW, lifetime=MINUTE)
    with session_factory(engine)() as session:
        assert get_state(session, CHAT, "value", now=NOW) == value


def test_the_json_of_a_nul_is_escaped(session: Session) -> None:
    put_state(session, CHAT, "q", "a\x00b", now=NOW, lifetime=MINUTE)
    assert get_state(session, CHAT, "q", now=NOW) == "a\x00b"
