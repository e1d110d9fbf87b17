"""Saving, updating, reading and listing articles, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from digestbot.model import Lang
from digestbot.store.articles import (
    ArticleToSave,
    count_articles,
    find_article_state,
    find_key_by_url,
    get_article,
    get_articles,
    known_hashes,
    list_articles,
    list_tags,
    rebuild_search_index,
    save_article,
    save_articles,
)
from digestbot.store.db import session_factory
from digestbot.store.search import search_articles
from tests.store.factory import article, text

ZH = text(
    Lang.ZH,
    "阿里巴巴投资 AI",
    "**阿里巴巴集团**正在投资芯片。",
    "阿里巴巴的投资",
    ("阿里巴巴集团",),
)
EN = text(
    Lang.EN, "Alibaba invests in AI", "**Alibaba** buys chips.", "Alibaba's bets", ("Alibaba",)
)


def test_save_then_get_round_trips_every_field(session: Session) -> None:
    original = article("ft/alibaba", ZH, EN, tags=("world", "tech"))
    article_id, created = save_article(session, original, content_hash="h1", source_path="a.md")
    assert created
    stored = get_article(session, article_id)
    assert stored is not None
    assert stored == get_article(session, "ft/alibaba")
    assert (stored.key, stored.url, stored.date, stored.author) == (
        original.key, original.url, original.date, original.author,
    )  # fmt: skip
    assert stored.date.tzinfo is not None
    assert stored.date == datetime(2024, 5, 1, 8, 30, tzinfo=UTC)
    assert stored.tags == ("world", "tech")
    assert dict(stored.texts) == dict(original.texts)
    assert stored.langs == (Lang.ZH, Lang.EN)
    assert stored.text(Lang.EN).title == "Alibaba invests in AI"


def test_missing_language_falls_back(session: Session) -> None:
    article_id, _ = save_article(session, article("zh-only", ZH), content_hash="h", source_path="p")
    stored = get_article(session, article_id)
    assert stored is not None
    assert stored.text(Lang.EN).lang is Lang.ZH


def test_numeric_key_string_falls_back_to_id(session: Session) -> None:
    article_id, _ = save_article(session, article("a", EN), content_hash="h", source_path="p")
    found = get_article(session, str(article_id))
    assert found is not None
    assert found.id == article_id
    assert get_article(session, "no-such-key") is None
    assert get_article(session, 999_999) is None


def test_update_by_key_replaces_texts_tags_and_search_rows(session: Session) -> None:
    first_id, _ = save_article(
        session, article("k", ZH, EN, tags=("a", "b")), content_hash="h1", source_path="p"
    )
    new_en = text(Lang.EN, "Rockets land again", "Reusable boosters landed.", "Boosters")
    second_id, created = save_article(
        session, article("k", new_en, tags=("b", "c")), content_hash="h2", source_path="q"
    )
    assert (second_id, created) == (first_id, False)
    stored = get_article(session, "k")
    assert stored is not None
    assert stored.langs == (Lang.EN,)
    assert stored.tags == ("b", "c")
    assert find_article_state(session, "k") == (first_id, "h2")
    assert search_articles(session, "阿里巴巴") == []
    assert search_articles(session, "alibaba") == []
    assert [hit.article_id for hit in search_articles(session, "booster")] == [first_id]
    assert count_articles(session) == 1


def test_lookups_for_the_loader(session: Session) -> None:
    a_id, _ = save_article(
        session, article("a", EN, url="https://x/a"), content_hash="ha", source_path="p"
    )
    b_id, _ = save_article(session, article("b", ZH, url=None), content_hash="hb", source_path="p")
    assert known_hashes(session) == {"a": (a_id, "ha"), "b": (b_id, "hb")}
    assert find_key_by_url(session, "https://x/a") == "a"
    assert find_key_by_url(session, "https://x/none") is None
    assert find_article_state(session, "none") is None


def test_list_articles_newest_first_and_by_tag(session: Session) -> None:
    for day, key, tags in (
        (3, "mid", ("tech",)),
        (9, "new", ("world",)),
        (1, "old", ("tech", "x")),
    ):
        save_article(
            session, article(key, EN, tags=tags, day=day), content_hash=key, source_path="p"
        )
    assert [a.key for a in list_articles(session)] == ["new", "mid", "old"]
    assert [a.key for a in list_articles(session, limit=2)] == ["new", "mid"]
    assert [a.key for a in list_articles(session, tag="TECH")] == ["mid", "old"]
    assert list_articles(session, tag="none") == []
    assert list_tags(session) == [("tech", 2), ("world", 1), ("x", 1)]
    ids = [a.id for a in list_articles(session)]
    assert [a.id for a in get_articles(session, ids[::-1])] == ids[::-1]


def test_same_url_twice_is_refused(session: Session) -> None:
    save_article(session, article("a", EN, url="https://x/same"), content_hash="h", source_path="p")
    with pytest.raises(IntegrityError):
        save_article(
            session, article("b", EN, url="https://x/same"), content_hash="h", source_path="p"
        )


def test_data_functions_never_commit(engine: Engine) -> None:
    sessions = session_factory(engine)
    with sessions() as session:
        save_article(session, article("a", EN), content_hash="h", source_path="p")
        session.rollback()
    with sessions() as session:
        assert count_articles(session) == 0
        assert search_articles(session, "alibaba") == []


def test_rebuild_search_index_keeps_results(session: Session) -> None:
    save_article(session, article("a", ZH, EN), content_hash="h", source_path="p")
    before = search_articles(session, "巴巴")
    assert rebuild_search_index(session) == 2
    assert search_articles(session, "巴巴") == before
    assert len(before) == 1


def test_save_articles_in_one_batch(session: Session) -> None:
    save_article(session, article("old", EN, tags=("a",)), content_hash="h0", source_path="p")
    items = [
        ArticleToSave(article("old", ZH, tags=("b",)), "h1", "p1"),
        ArticleToSave(article("new1", EN, url="https://x/1", tags=("a", "c")), "h2", "p2"),
        ArticleToSave(article("new2", ZH, url="https://x/2"), "h3", "p3"),
    ]
    results = save_articles(session, items)
    assert [created for _, created in results] == [False, True, True]
    assert len({article_id for article_id, _ in results}) == 3
    old = get_article(session, "old")
    assert old is not None
    assert (old.langs, old.tags) == ((Lang.ZH,), ("b",))
    assert {hit.key for hit in search_articles(session, "巴巴")} == {"old", "new2"}
    assert save_articles(session, []) == []


def test_same_key_twice_in_a_batch_keeps_the_later(session: Session) -> None:
    first, second = article("k", EN), article("k", ZH)
    results = save_articles(
        session, [ArticleToSave(first, "h1", "p"), ArticleToSave(second, "h2", "p")]
    )
    assert [created for _, created in results] == [True, False]
    stored = get_article(session, "k")
    assert stored is not None
    assert stored.langs == (Lang.ZH,)
    assert find_article_state(session, "k") == (results[0][0], "h2")
