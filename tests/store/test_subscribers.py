"""Readers' subscriptions and preferences on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time as time_module
from concurrent.futures import ThreadPoolExecutor
from datetime import time

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from digestbot.model import Lang
from digestbot.store.articles import save_article
from digestbot.store.db import session_factory
from digestbot.store.models import SubscriberState
from digestbot.store.subscribers import (
    ensure_subscriber,
    get_profile,
    set_language,
    set_other_language,
    set_schedule,
    set_state,
    set_tags,
    subscriber_counts,
    tag_catalog,
    toggle_tag,
    toggle_tag_id,
)
from tests.store.factory import article, text

BIG_CHAT = -1001234567890123  # group and channel ids exceed 32 bits


def _new(session: Session, chat_id: int, language: Lang = Lang.ZH) -> None:
    ensure_subscriber(
        session,
        chat_id,
        user_id=abs(chat_id),
        language=language,
        timezone="Asia/Shanghai",
        digest_time=time(8, 0),
    )


def test_ensure_creates_once_and_keeps_the_choice(session: Session) -> None:
    profile, created = ensure_subscriber(
        session,
        BIG_CHAT,
        user_id=7,
        language=Lang.ZH,
        timezone="Asia/Shanghai",
        digest_time=time(8, 0),
    )
    assert created
    assert profile.state is SubscriberState.ACTIVE
    assert profile.tags == ()
    set_language(session, BIG_CHAT, Lang.EN)
    again, created = ensure_subscriber(
        session, BIG_CHAT, user_id=7, language=Lang.ZH, timezone="UTC", digest_time=time(9, 0)
    )
    assert not created
    assert again.language is Lang.EN
    assert again.timezone == "Asia/Shanghai"
    assert get_profile(session, 42) is None


def _save_tagged(session: Session, *tag_sets: tuple[str, ...]) -> None:
    for index, tags in enumerate(tag_sets):
        save_article(
            session,
            article(f"a{index}", text(Lang.EN, "Title", "Body."), tags=tags),
            content_hash="h",
            source_path="p",
        )


def test_tags_toggle_and_unknown_tags_are_ignored(session: Session) -> None:
    _save_tagged(session, ("world",), ("tech", "climate"))
    _new(session, 1)
    assert toggle_tag(session, 1, "Tech").tags == ("tech",)
    assert toggle_tag(session, 1, "world").tags == ("tech", "world")
    assert toggle_tag(session, 1, "tech").tags == ("world",)
    assert set_tags(session, 1, ["climate", "nonexistent"]).tags == ("climate",)
    assert set_tags(session, 1, []).tags == ()


def test_schedule_state_and_counts(session: Session) -> None:
    _new(session, 1, Lang.ZH)
    _new(session, 2, Lang.EN)
    _new(session, 3, Lang.EN)
    profile = set_schedule(session, 1, timezone="Europe/London", digest_time=time(7, 30))
    assert (profile.timezone, profile.digest_time) == ("Europe/London", time(7, 30))
    set_state(session, 2, SubscriberState.BLOCKED)
    set_state(session, 3, SubscriberState.UNSUBSCRIBED)
    counts = subscriber_counts(session)
    assert counts.by_state == {
        SubscriberState.ACTIVE: 1,
        SubscriberState.UNSUBSCRIBED: 1,
        SubscriberState.BLOCKED: 1,
    }
    assert counts.active_by_language == {Lang.ZH: 1, Lang.EN: 0}


def test_changing_an_unknown_chat_is_a_bug_not_a_silent_noop(session: Session) -> None:
    with pytest.raises(LookupError):
        set_language(session, 99, Lang.EN)


def test_tag_catalog_has_ids_and_counts_and_toggles_by_id(session: Session) -> None:
    _save_tagged(session, ("world", "tech"), ("tech",))
    _new(session, 1)
    catalog = tag_catalog(session)
    assert [(tag.name, tag.articles) for tag in catalog] == [("tech", 2), ("world", 1)]
    world = next(tag for tag in catalog if tag.name == "world")
    toggled = toggle_tag_id(session, 1, world.id)
    assert toggled is not None
    assert toggled[0].tags == ("world",)
    assert toggled[1] == "world"
    assert toggle_tag_id(session, 1, max(tag.id for tag in catalog) + 100) is None
    assert get_profile(session, 1).tags == ("world",)  # type: ignore[union-attr]


def test_other_language_is_on_for_new_readers_and_can_be_turned_off(session: Session) -> None:
    _new(session, 5)
    profile = get_profile(session, 5)
    assert profile is not None
    assert profile.other_language
    assert not set_other_language(session, 5, False).other_language
    session.commit()
    stored = get_profile(session, 5)
    assert stored is not None
    assert not stored.other_language
    assert set_other_language(session, 5, True).other_language
    with pytest.raises(LookupError):
        set_other_language(session, 404, False)


def test_two_processes_racing_a_start_make_one_reader(engine: Engine) -> None:
    """The second /start's INSERT waits for the first one's commit, then finds the reader: one
    row, one "created", no error (each process checked first and saw no reader)."""
    sessions = session_factory(engine)

    def start(language: Lang) -> tuple[bool, Lang]:
        with sessions.begin() as session:
            profile, created = ensure_subscriber(
                session, 77, user_id=77, language=language, timezone="UTC", digest_time=time(8)
            )
            if language is Lang.ZH:
                first_inserted.set()
                second_waiting.wait(2)  # the other one is at its INSERT now, or soon
            return created, profile.language

    first_inserted, second_waiting = threading.Event(), threading.Event()
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(start, Lang.ZH)
        assert first_inserted.wait(10)
        second = pool.submit(start, Lang.EN)
        time_module.sleep(0.3)
        second_waiting.set()
        results = [first.result(20), second.result(20)]
    assert results == [(True, Lang.ZH), (False, Lang.ZH)]
    with sessions() as session:
        assert sum(subscriber_counts(session).by_state.values()) == 1
