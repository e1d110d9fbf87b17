"""Search behaviour on SQLite and PostgreSQL: Chinese substrings, English words, hostile input."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from digestbot.errors import QueryError
from digestbot.model import Article, Lang
from digestbot.store import search
from digestbot.store.search import count_matches, search_articles
from digestbot.store.tokenize import (
    MAX_QUERY_CHARS,
    MAX_QUERY_GROUPS,
    MAX_QUERY_TOKENS,
    build_query,
    fit_query,
)
from tests.store.factory import article, corpus_fixture, loaded_session, text

ALIBABA_ZH = (
    "阿里巴巴集团，这家中国电子商务巨头，用云计算积分投资初创企业。"
    "通过提供庞大的 AI 芯片资源，阿里巴巴支持中国 AI 生态系统。"
)
ALIBABA_EN = (
    "Alibaba Group offers start-ups cloud computing credits. "
    "By offering its vast AI chip resources, Alibaba supports the ecosystem."
)
ROCKETS_EN = (
    "Reusable rockets cut launch costs. Said differently: boosters are chips off the old block."
)
CORPUS: tuple[Article, ...] = (
    article(
        "alibaba",
        text(Lang.ZH, "阿里巴巴借助云业务成为中国领先的 AI 投资者", ALIBABA_ZH, "阿里巴巴投资"),
        text(Lang.EN, "Alibaba becomes a leading AI investor", ALIBABA_EN, "Alibaba invests"),
        tags=("world", "tech"),
        day=12,
    ),
    article(
        "ev",
        text(Lang.ZH, "新能源汽车销量创新高", "今年新能源汽车的销量大幅增长，电池成本下降。"),
        text(
            Lang.EN, "EV sales hit a record", "Electric vehicle sales grew as battery costs fell."
        ),
        tags=("auto",),
        day=10,
    ),
    article(
        "punctuation",
        text(Lang.ZH, "能源政策", "发展新能源，汽车工业也随之转型。", "能源政策与汽车"),
        text(Lang.EN, "Energy policy", "He said the quality of the policy was fine.", "A policy"),
        tags=("policy",),
        day=8,
    ),
    article(
        "taiwan",
        text(Lang.ZH, "台灣半導體產業", "台灣的半導體產業領先全球，晶片出口持續成長。"),
        tags=("tech",),
        day=6,
    ),
    article(
        "rare",
        text(Lang.ZH, "罕见字测试", "这里有扩展字㐀和𠀀，还有一个芯字。", "罕见字"),
        tags=("misc",),
        day=4,
    ),
    article(
        "rockets",
        text(Lang.EN, "Rocket boosters land again", ROCKETS_EN, "Reusable rockets"),
        text(Lang.ZH, "火箭助推器再次着陆", "可重复使用的火箭降低了发射成本。", "可重复使用火箭"),
        tags=("space",),
        day=2,
    ),
)

# query -> the (key, lang) pairs it must find, on every database
BATTERY: dict[str, set[tuple[str, str]]] = {
    "芯": {("alibaba", "zh"), ("rare", "zh")},
    "芯片": {("alibaba", "zh")},
    "巴巴": {("alibaba", "zh")},
    "里巴": {("alibaba", "zh")},
    "阿里巴巴集团": {("alibaba", "zh")},
    "新能源汽车": {("ev", "zh")},
    "新能源": {("ev", "zh"), ("punctuation", "zh")},
    "导体": {("taiwan", "zh")},  # the scripts fold: Simplified finds Traditional
    "導體": {("taiwan", "zh")},
    "台湾半导体产业": {("taiwan", "zh")},
    "發展新能源": {("punctuation", "zh")},  # and Traditional finds Simplified
    "半導體產業": {("taiwan", "zh")},
    "㐀": {("rare", "zh")},
    "𠀀": {("rare", "zh")},
    "ai": {("alibaba", "zh"), ("alibaba", "en")},
    "AI": {("alibaba", "zh"), ("alibaba", "en")},
    "chip": {("alibaba", "en"), ("rockets", "en")},
    "CHIPS": {("rockets", "en")},
    "said": {("punctuation", "en"), ("rockets", "en")},
    "ali": {("alibaba", "en")},
    "quality": {("punctuation", "en")},
    "AI 芯片": {("alibaba", "zh")},
    "AI芯片": {("alibaba", "zh")},
    "rocket 火箭": set(),
    "火箭": {("rockets", "zh")},
    "电池 成本": {("ev", "zh")},
    "电池成本": {("ev", "zh")},
    "成本电池": set(),
}
HOSTILE = [
    '"芯片',
    "chip*",
    '"ai',
    "NEAR(ai chip)",
    "ai AND (",
    "OR ai",
    "-ai",
    "title:ai",
    "^ai",
    "ai + chip",
    "'; DROP TABLE articles; --",
    "a\\b",
    "\x00ai",
    "ai " * 4000,
    "芯片，" * 3000,
]


loaded = corpus_fixture(CORPUS, "search")


def _found(session: Session, query: str, **kwargs: object) -> set[tuple[str, str]]:
    return {
        (hit.key, hit.lang.value) for hit in search_articles(session, query, limit=50, **kwargs)
    }  # type: ignore[arg-type]


@pytest.mark.parametrize(("query", "expected"), BATTERY.items())
def test_battery(loaded: Session, query: str, expected: set[tuple[str, str]]) -> None:
    assert _found(loaded, query) == expected
    assert count_matches(loaded, query) == len(expected)


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_input_never_errors(loaded: Session, query: str) -> None:
    hits = search_articles(loaded, query)
    assert isinstance(hits, list)
    assert count_matches(loaded, query) >= len(hits)


@pytest.mark.parametrize("query", ["", "  ", "，。", '"*"', "()", "-"])
def test_empty_query_is_a_clear_error(loaded: Session, query: str) -> None:
    with pytest.raises(QueryError, match="empty query"):
        search_articles(loaded, query)


def test_language_filter(loaded: Session) -> None:
    assert _found(loaded, "ai", lang=Lang.ZH) == {("alibaba", "zh")}
    assert _found(loaded, "ai", lang=Lang.EN) == {("alibaba", "en")}
    assert _found(loaded, "芯", lang=Lang.EN) == set()
    assert count_matches(loaded, "ai", lang=Lang.EN) == 1


def test_title_outranks_body(loaded: Session) -> None:
    keys = [hit.key for hit in search_articles(loaded, "boosters")]
    assert keys == ["rockets"]
    ranked = [hit.key for hit in search_articles(loaded, "新能源")]
    assert ranked == ["ev", "punctuation"]  # in the title of "ev", only the body of the other


def test_pagination(loaded: Session) -> None:
    everything = search_articles(loaded, "芯", limit=10)
    assert len(everything) == 2
    first = search_articles(loaded, "芯", limit=1)
    second = search_articles(loaded, "芯", limit=1, offset=1)
    assert [h.key for h in first + second] == [h.key for h in everything]
    assert search_articles(loaded, "芯", limit=0) == []


def test_hit_carries_article_fields(loaded: Session) -> None:
    (hit,) = search_articles(loaded, "quality")
    assert (hit.key, hit.lang, hit.title, hit.url) == (
        "punctuation", Lang.EN, "Energy policy", "https://example.com/punctuation",
    )  # fmt: skip
    assert hit.tags == ("policy",)
    assert hit.date.year == 2024
    assert hit.date.tzinfo is not None


def test_snippets_mark_hits_in_the_original_text(loaded: Session) -> None:
    (zh,) = search_articles(loaded, "巴巴", lang=Lang.ZH)
    assert "阿里[巴巴]集团" in zh.snippet.marked("[", "]")
    assert zh.snippet.text.strip("…") in ALIBABA_ZH  # the original text: no inserted spaces
    (en,) = search_articles(loaded, "CHIPS")
    assert "[chips]" in en.snippet.marked("[", "]")
    assert en.snippet.marked("<b>", "</b>").count("<b>") == 1
    (mixed,) = search_articles(loaded, "AI 芯片", lang=Lang.ZH)
    marked = mixed.snippet.marked("[", "]")
    assert "[AI] [芯片]" in marked
    assert all(part in mixed.snippet.text for part in ("AI", "芯片"))


def test_snippet_of_a_title_only_hit(loaded: Session) -> None:
    (hit,) = search_articles(loaded, "产业", lang=Lang.ZH)
    assert hit.key == "taiwan"  # Simplified 产业 finds Traditional 產業, marked as written
    assert "[產業]" in hit.snippet.marked("[", "]")
    (hit,) = search_articles(loaded, "能源政策")
    assert "[能源政策]" in hit.snippet.marked("[", "]")


@pytest.mark.parametrize(
    ("simplified", "traditional"),
    [("半导体", "半導體"), ("新能源", "新能源"), ("发展新能源", "發展新能源"), ("芯", "芯")],
)
def test_either_script_finds_the_same_hits_in_the_same_order(
    loaded: Session, simplified: str, traditional: str
) -> None:
    def ranked(query: str) -> list[tuple[str, float, str]]:
        hits = search_articles(loaded, query)
        return [(hit.key, hit.score, hit.snippet.marked("[", "]")) for hit in hits]

    assert ranked(simplified) == ranked(traditional) != []


@pytest.fixture
def both(tmp_path: Path) -> Iterator[tuple[Session, Session]]:
    """The corpus on SQLite and on PostgreSQL, side by side."""
    with (
        loaded_session("sqlite", tmp_path, CORPUS) as lite,
        loaded_session("postgres", tmp_path, CORPUS) as pg,
    ):
        yield lite, pg


@pytest.mark.postgres
def test_sqlite_and_postgresql_find_the_same(both: tuple[Session, Session]) -> None:
    lite, pg = both
    queries = [*BATTERY, *HOSTILE, "the", "s", "a", "ecosystem", "起", "中国", "能源", "offers"]
    for query in queries:
        assert _found(lite, query) == _found(pg, query), query
        for lang in Lang:
            assert _found(lite, query, lang=lang) == _found(pg, query, lang=lang), (query, lang)


def test_broad_queries_rank_only_the_newest_candidates(
    loaded: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = {hit.key for hit in search_articles(loaded, "ai", limit=50)}
    assert len(everything) == 1  # one article, two languages
    monkeypatch.setattr(search, "CANDIDATES", 1)
    assert count_matches(loaded, "ai") == 1
    (hit,) = search_articles(loaded, "ai", limit=50)
    assert (hit.key, hit.lang) == ("alibaba", Lang.EN)  # the newer of the two texts


QUERY_TEXT = st.lists(
    st.sampled_from([*"芯片电池新能源 ,，。-", "chip", "batteries", "a", "x" * 70, "é", "\u3000"]),
    max_size=300,
).map("".join)


@given(QUERY_TEXT)
def test_the_fitted_query_searches_what_the_whole_would(query: str) -> None:
    fitted, shortened = fit_query(query)
    assert len(fitted) <= MAX_QUERY_CHARS
    assert query.strip().startswith(fitted)
    assert shortened == (fitted != query.strip())
    try:
        whole = build_query(query.strip()[:MAX_QUERY_CHARS])
    except QueryError:
        with pytest.raises(QueryError):
            build_query(fitted)
        return
    assert build_query(fitted) == whole


def test_a_pasted_essay_is_cut_to_the_words_a_search_reads() -> None:
    cjk, shortened = fit_query("".join(chr(0x4E00 + i) for i in range(4096)))
    assert (len(cjk), shortened) == (MAX_QUERY_TOKENS, True)
    words, shortened = fit_query(" ".join(f"w{i}" for i in range(100)))
    assert words.split() == [f"w{i}" for i in range(MAX_QUERY_GROUPS)]
    assert shortened
    assert fit_query("  chip  batteries ") == ("chip  batteries", False)
