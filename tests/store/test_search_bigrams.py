"""Phrases through the bigram index (no positions on SQLite): its false positives are removed.

A phrase of three or more characters is looked up as the AND of its bigrams, which also finds
texts holding those bigrams apart, out of order or in different fields; those must not match,
on SQLite as on PostgreSQL (where a phrase is a ``<->`` tsquery).
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from digestbot.model import Article, Lang
from digestbot.store.search import count_matches, search_articles
from digestbot.store.search_schema import has_phrases, phrase_score
from digestbot.store.tokenize import build_query, cjk_bigrams, has_phrase, index_tokens, is_cjk
from tests.store.factory import article, corpus_fixture, text
from tests.store.test_tokenize import TEXTS

CORPUS: tuple[Article, ...] = (
    article("apart", text(Lang.ZH, "芯和片", "芯片之外"), day=1),
    # every bigram of 新能源汽车 (新能 能源 源汽 汽车), never the phrase
    article("scattered", text(Lang.ZH, "新能手", "能源来源汽车"), day=2),
    article("gap", text(Lang.ZH, "发展新能源，汽车工业", "新能源，汽车"), day=3),
    # 新能源 in the title, 源汽车 in the body: the bigrams span two fields
    article("fields", text(Lang.ZH, "新能源", "两个字源汽车"), day=4),
    article("exact", text(Lang.ZH, "阿里巴巴", "买新能源汽车"), day=5),
    article("repeat", text(Lang.ZH, "巴巴", "只有两个巴"), day=6),
    article("compat", text(Lang.ZH, "\uf900字测试", "兼容字"), day=7),  # 豈 compatibility form
    # the newest text: all four bigrams of 新能源汽车 again, in another order
    article("order", text(Lang.ZH, "源新能", "源汽车新能源"), day=8),
)

BATTERY: dict[str, set[str]] = {
    "芯片": {"apart"},  # only the body's 芯片, not 芯和片
    "新能源汽车": {"exact"},
    "新能源": {"gap", "fields", "exact", "order"},
    "源汽车": {"fields", "scattered", "exact", "order"},
    "巴巴": {"exact", "repeat"},
    "阿里巴巴": {"exact"},
    "巴巴巴": set(),
    "里巴巴": {"exact"},
    "豈字测": {"compat"},  # the query in the unified form finds the compatibility form
    "源新能": {"order"},
    "能源新": set(),
    "新能源 汽车": {"gap", "fields", "exact", "order"},
    "芯和片 芯片": {"apart"},
    "新能源汽车 阿里": {"exact"},
}


loaded = corpus_fixture(CORPUS, "bigrams")


@pytest.mark.parametrize(("query", "expected"), BATTERY.items())
def test_bigram_false_positives_do_not_match(
    loaded: Session, query: str, expected: set[str]
) -> None:
    assert {hit.key for hit in search_articles(loaded, query, limit=50)} == expected
    assert count_matches(loaded, query) == len(expected)


def test_false_positives_do_not_use_up_the_candidates(
    loaded: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from digestbot.store import search

    monkeypatch.setattr(search, "CANDIDATES", 1)
    # "order", inserted last, holds every bigram of the phrase: the newest true match still wins
    (hit,) = search_articles(loaded, "新能源汽车")
    assert hit.key == "exact"


def test_a_phrase_in_the_title_outranks_one_in_the_body(loaded: Session) -> None:
    if loaded.get_bind().dialect.name != "sqlite":
        pytest.skip("PostgreSQL ranks with ts_rank (length-normalized), not by field weights")
    keys = [hit.key for hit in search_articles(loaded, "新能源")]
    assert keys.index("fields") < keys.index("order")  # its title; only summary and body


def test_has_phrase_follows_the_tokenizer() -> None:
    assert has_phrase("阿里巴巴集团", "巴 巴")
    assert not has_phrase("芯和片", "芯 片")
    assert not has_phrase("新能源，汽车", "新 能 源 汽 车")
    assert not has_phrase("新能源 汽车", "新 能 源 汽 车")
    assert has_phrase("\uf900字测", "岂 字 测")  # 豈's compatibility form, folded to Simplified
    assert has_phrase("台積電的新廠", "台 积 电 的 新")  # Traditional text, Simplified tokens
    assert not has_phrase("源新能", "新 能 源")


def test_has_phrases_needs_every_phrase_within_one_field() -> None:
    assert has_phrases("新能源", "", "新能源\n\n两个字源汽车", None, "新 能 源")
    assert not has_phrases("新能源", "", "新能源\n\n两个字源汽车", None, "新 能 源 汽 车")
    assert has_phrases("新能源", "汽车销量", "新能源\n\n正文", None, "新 能 源\n汽 车 销")
    assert not has_phrases("新能源", "汽车销量", "新能源\n\n正文", None, "新 能 源\n汽 车 X")


def test_phrase_score_weighs_title_over_body() -> None:
    in_title = phrase_score("新能源汽车", "", "新能源汽车\n\n正文", None, "新 能 源")
    in_body = phrase_score("标题", "", "标题\n\n新能源汽车", None, "新 能 源")
    assert in_title < in_body < 0


def test_query_parts_for_the_two_tables() -> None:
    query = build_query("AI芯片 新能源, chip")
    assert query.fts5_tokens() == '"ai" AND "chip"*'
    assert query.fts5_bigrams() == '"芯片" AND "新能" AND "能源"'
    assert query.phrases() == ("芯 片", "新 能 源")
    assert query.phrases(3) == ("新 能 源",)
    assert build_query("芯").fts5_bigrams() is None
    assert build_query("芯片").fts5_tokens() is None


def _reference(text: str, phrase: str) -> bool:
    """The definition: the phrase's bigrams, in order, among the text's (no shortcuts)."""
    pairs = [a + b for a, b in itertools.pairwise(phrase.split(" "))]
    found = cjk_bigrams(index_tokens(text))
    return any(found[i : i + len(pairs)] == pairs for i in range(len(found)))


def _cjk_runs(text: str) -> list[str]:
    """Each run of 2+ adjacent CJK tokens of ``text`` as a phrase (tokens joined by spaces)."""
    runs: list[list[str]] = [[]]
    for token in index_tokens(text):
        if is_cjk(token[0]):
            runs[-1].append(token)
        elif runs[-1]:
            runs.append([])
    return [" ".join(run) for run in runs if len(run) > 1]


@settings(max_examples=300)
@given(TEXTS, TEXTS, st.data())
def test_has_phrase_agrees_with_the_tokenizer(text: str, other: str, data: st.DataObject) -> None:
    for source in (text, other):
        for run in _cjk_runs(source):
            tokens = run.split(" ")
            start = data.draw(st.integers(0, len(tokens) - 2))
            end = data.draw(st.integers(start + 2, len(tokens)))
            phrase = " ".join(tokens[start:end])
            assert has_phrase(text, phrase) == _reference(text, phrase), (text, phrase)
