"""The search tokenizer and query builder: examples and properties."""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Iterator

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digestbot.chinese_script import fold_han
from digestbot.errors import QueryError
from digestbot.store.tokenize import (
    MAX_QUERY_GROUPS,
    MAX_QUERY_TOKENS,
    SEP,
    build_query,
    cjk_bigrams,
    has_phrase,
    index_text,
    index_tokens,
    is_cjk,
    tokens_with_spans,
)
from tests.support.databases import PG_DSN

# Text with the characters that matter: CJK of every kind, Latin with accents, punctuation of
# both languages, FTS5 syntax characters, spaces and the separator itself.
SAMPLE = (
    "芯片阿里巴巴新能源汽車體丽豈𠀀かなカナ한국abcAIZéßΣİ0９，。、！？“”《》 \n\t\"'*():-^+_.,;"
)
ALPHABET = st.sampled_from([*SAMPLE, SEP, "\u0301", "\ufeff"])
TEXTS = st.text(alphabet=ALPHABET, max_size=60) | st.text(max_size=60)


def test_every_cjk_character_is_a_token() -> None:
    assert index_tokens("阿里巴巴") == ["阿", "里", "巴", "巴"]
    assert index_tokens("體育") == ["体", "育"]  # Traditional folds to Simplified
    assert index_tokens("かなカナ한국") == list("かなカナ한국")


def test_punctuation_between_cjk_becomes_a_separator() -> None:
    assert index_tokens("新能源，汽车") == ["新", "能", "源", SEP, "汽", "车"]
    assert index_tokens("芯片 芯片") == ["芯", "片", SEP, "芯", "片"]


def test_words_are_folded_and_not_split() -> None:
    assert index_tokens("Alibaba's AI-chips, Déjà vu STRASSE") == [
        "alibaba", "s", "ai", "chips", "deja", "vu", "strasse",
    ]  # fmt: skip
    assert index_tokens("ＡＩ芯片") == ["ai", "芯", "片"]


def test_bigrams_stay_inside_cjk_runs() -> None:
    assert cjk_bigrams(index_tokens("阿里巴巴")) == ["阿里", "里巴", "巴巴"]
    assert cjk_bigrams(index_tokens("新能源，汽车")) == ["新能", "能源", SEP, "汽车"]
    assert cjk_bigrams(index_tokens("芯 AI 片")) == []
    assert cjk_bigrams(index_tokens("no chinese here")) == []


@given(TEXTS)
def test_bigram_phrases_match_where_character_phrases_do(text: str) -> None:
    tokens = index_tokens(text)
    pairs = cjk_bigrams(tokens)
    for i in range(len(tokens) - 1):
        a, b = tokens[i], tokens[i + 1]
        if is_cjk(a[0]) and is_cjk(b[0]):
            assert a + b in pairs


def test_compatibility_ideographs_are_unified() -> None:
    compat = "\uf900"  # 豈 compatibility form
    assert index_tokens(compat) == index_tokens(unicodedata.normalize("NFKC", compat)) == ["岂"]


def test_traditional_and_simplified_fold_to_the_same_tokens() -> None:
    assert index_tokens("台積電") == index_tokens("台积电") == ["台", "积", "电"]
    assert build_query("台積電") == build_query("台积电")
    assert has_phrase("他說台積電很好", " ".join(index_tokens("台积电")))


def test_query_groups_chinese_runs_into_phrases_and_words_into_prefixes() -> None:
    query = build_query("AI芯片 新能源, chip")
    assert query.fts5() == (
        '{title summary body} : "ai" AND {title2 summary2 body2} : "芯片" AND '
        '{title2 summary2 body2} : "新能 能源" AND {title summary body} : "chip"*'
    )
    assert query.tsquery() == "'ai' & ('芯' <-> '片') & ('新' <-> '能' <-> '源') & 'chip':*"


def test_fts_syntax_in_user_text_is_plain_text() -> None:
    query = build_query('"chip* NEAR(a b) AND (x OR -y:z)')
    words = ["chip", "near", "a", "b", "and", "x", "or", "y", "z"]
    expected = [f'{{title summary body}} : "{w}"{"*" if len(w) > 2 else ""}' for w in words]
    assert query.fts5() == " AND ".join(expected)


@pytest.mark.parametrize("text", ["", "   ", "，。！", '"*()', "-:^", SEP])
def test_empty_query_is_a_query_error(text: str) -> None:
    with pytest.raises(QueryError, match="empty query"):
        build_query(text)


def test_huge_query_is_capped() -> None:
    query = build_query("芯片 chip " * 1500)
    assert len(query.groups) <= MAX_QUERY_GROUPS
    assert sum(len(g.tokens) for g in query.groups) <= MAX_QUERY_TOKENS
    long_phrase = build_query("芯" * 10_000)
    assert len(long_phrase.groups[0].tokens) == MAX_QUERY_TOKENS


@given(TEXTS)
def test_tokenization_is_deterministic_and_spans_agree(text: str) -> None:
    tokens = index_tokens(text)
    assert tokens == index_tokens(text)
    assert [t.text for t in tokens_with_spans(text)] == tokens
    assert index_text(text).split() == tokens


@given(TEXTS)
def test_every_cjk_character_of_the_source_is_a_token(text: str) -> None:
    cjk = [fold_han(unicodedata.normalize("NFKC", ch)) for ch in text if is_cjk(ch)]
    assert [t for t in index_tokens(text) if is_cjk(t)] == cjk


@given(TEXTS)
def test_spans_point_at_the_source(text: str) -> None:
    for token in tokens_with_spans(text):
        source = text[token.start : token.end]
        assert source
        if token.cjk:
            assert len(source) == 1


@given(TEXTS)
def test_tokens_have_no_spaces_and_are_lower_case(text: str) -> None:
    for token in index_tokens(text):
        assert token.strip() == token
        assert " " not in token
        assert token == token.lower()


def _fts_with(text: str) -> sqlite3.Connection:
    """An in-memory FTS5 table shaped like the store's, holding ``text`` in every field."""
    connection = sqlite3.connect(":memory:")
    connection.execute(
        "CREATE VIRTUAL TABLE t USING fts5(title, summary, body, title2, summary2, body2, "
        "content='', tokenize='unicode61 remove_diacritics 2')"
    )
    tokens = index_tokens(text)
    words, pairs = " ".join(tokens), " ".join(cjk_bigrams(tokens))
    connection.execute(
        "INSERT INTO t(rowid, title, summary, body, title2, summary2, body2) "
        "VALUES (1, ?, ?, ?, ?, ?, ?)",
        (words, words, words, pairs, pairs, pairs),
    )
    return connection


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    return _fts_with("芯片 chips 新能源")


@settings(max_examples=300)
@given(st.text(max_size=200) | st.text(alphabet=ALPHABET, max_size=200))
def test_every_query_is_valid_fts5(fts: sqlite3.Connection, text: str) -> None:
    try:
        query = build_query(text)
    except QueryError:
        assert index_tokens(text) == [] or set(index_tokens(text)) == {SEP}
        return
    rows = fts.execute("SELECT rowid FROM t WHERE t MATCH ?", (query.fts5(),)).fetchall()
    assert rows in ([], [(1,)])


@given(st.text(alphabet=ALPHABET, min_size=1, max_size=30))
def test_a_text_always_finds_itself(text: str) -> None:
    connection = _fts_with(text)
    try:
        query = build_query(text)
    except QueryError:
        return
    rows = connection.execute("SELECT rowid FROM t WHERE t MATCH ?", (query.fts5(),)).fetchall()
    assert rows == [(1,)]


@pytest.fixture(scope="module")
def pg(postgres_available: bool) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    if not postgres_available:
        pytest.skip("PostgreSQL is not running at 127.0.0.1:5432")
    with psycopg.connect(PG_DSN, autocommit=True) as connection:
        yield connection


@pytest.mark.postgres
@settings(max_examples=200)
@given(st.text(max_size=200) | st.text(alphabet=ALPHABET, max_size=200))
def test_every_query_is_a_valid_tsquery(
    pg: psycopg.Connection[tuple[object, ...]], text: str
) -> None:
    try:
        query = build_query(text)
    except QueryError:
        return
    row = pg.execute("SELECT CAST(%s AS tsquery)::text", (query.tsquery(),)).fetchone()
    assert row is not None
    assert row[0]
