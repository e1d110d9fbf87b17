"""The content views (pure): callback data round trips; every message is valid Telegram HTML."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from digestbot.bot.views.article import read_data, render_article
from digestbot.bot.views.inline import inline_message, inline_result
from digestbot.bot.views.search import (
    PAGE_SIZE,
    clip,
    parse_search_data,
    render_no_results,
    render_results,
    search_data,
)
from digestbot.i18n import translator
from digestbot.model import ArticleText, Lang, StoredArticle
from digestbot.sandbox.validate import check_message_text
from digestbot.store.search import SearchHit, Snippet

TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
tokens = st.text(TOKEN_CHARS, min_size=1, max_size=32)
# Article text as people and attackers write it: markup characters, CJK, emoji, blank lines.
PIECES = [*"ab <>&\"'*_`[]()#-\n。，！？", "芯片", "😀", "&amp;", "<b>", "\n\n"]
words = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)
long_text = st.lists(words, max_size=200).map(" ".join)
langs = st.sampled_from(list(Lang))
DATE = datetime(2024, 5, 12, 4, 0, tzinfo=UTC)


def valid(html: str) -> str:
    """The visible text of ``html``, after the checks Telegram makes on a message."""
    return check_message_text(html, "HTML", None).text


def article(
    texts: dict[Lang, tuple[str, str]], url: str | None = "https://e.com/?a=1&b=<2>"
) -> StoredArticle:
    return StoredArticle(
        id=7,
        key="k",
        url=url,
        date=DATE,
        tags=("world", "<tag>&"),
        author="a & <b>",
        texts={
            lang: ArticleText(lang, title, body[:300], body, (), body)
            for lang, (title, body) in texts.items()
        },
    )


def label(tag: str, lang: Lang) -> str:
    return tag.upper()


@given(tokens, st.integers(0, 9999))
def test_search_data_round_trips_within_64_bytes(token: str, page: int) -> None:
    data = search_data(token, page)
    assert len(data.encode()) <= 64
    assert parse_search_data(data) == (token, page)


@given(st.text(max_size=80))
def test_parse_search_data_accepts_only_its_own_format(data: str) -> None:
    parsed = parse_search_data(data)
    if parsed is not None:
        assert data.startswith("s:")
        assert parse_search_data(search_data(*parsed)) == parsed
    for garbage in ("", "s:", "s::1", "r:1:zh", f"s:{data}:x", "s:a:1:2"):
        assert parse_search_data(garbage) is None


def test_read_data_is_short_and_prefixed() -> None:
    assert read_data(123456789012, Lang.ZH) == "r:123456789012:zh"


@given(
    st.text(min_size=1, max_size=300),
    st.lists(
        st.tuples(words, st.lists(st.tuples(words, st.booleans()), max_size=8), langs),
        max_size=PAGE_SIZE,
    ),
    st.integers(0, 60),
    st.integers(0, 9),
    langs,
)
@settings(max_examples=60, deadline=None)
def test_every_results_page_is_valid_html(
    query: str,
    raw_hits: list[tuple[str, list[tuple[str, bool]], Lang]],
    total: int,
    page: int,
    reader: Lang,
) -> None:
    hits = [
        SearchHit(i, "k", lang, title or "t", Snippet(tuple(segments)), None, DATE, (), 1.0)
        for i, (title, segments, lang) in enumerate(raw_hits)
    ]
    total = max(total, page * PAGE_SIZE + len(hits))
    view = render_results(
        query, hits, total, page, token="tok", tr=translator(reader), tz="Asia/Shanghai"
    )
    text = valid(view.text)
    assert len(text) <= 4096
    for row in view.keyboard.inline_keyboard if view.keyboard else ():
        for button in row:
            assert button.callback_data is not None
            assert parse_search_data(str(button.callback_data)) is not None
    assert valid(render_no_results(query, translator(reader)).text)


def test_a_capped_count_says_there_are_more() -> None:
    hit = SearchHit(1, "k", Lang.EN, "T", Snippet((("x", True),)), None, DATE, (), 1.0)
    view = render_results("x", [hit], 50, 0, token="t", tr=translator(Lang.EN), tz="UTC", more=True)
    assert valid(view.text).startswith("Results for x: 50+ articles")


def test_a_huge_query_is_cut_in_the_reply() -> None:
    query = "<script>" * 2000
    text = valid(render_no_results(query, translator(Lang.EN)).text)
    assert len(text) < 200
    assert text.startswith("Nothing found for <script><script>")
    assert "…" in text


@given(
    st.dictionaries(langs, st.tuples(words.filter(str.strip), long_text), min_size=1),
    langs,
    langs,
)
@settings(max_examples=40, deadline=None)
def test_every_article_message_is_valid_html(
    texts: dict[Lang, tuple[str, str]], wanted: Lang, reader: Lang
) -> None:
    stored = article(texts)
    view = render_article(stored, wanted, translator(reader), "Asia/Shanghai", label)
    assert view.messages
    for html in view.messages:
        assert len(valid(html)) <= 4096
    assert valid(view.messages[0]).startswith(" ".join(stored.text(view.lang).title.split())[:1])
    assert (view.keyboard is not None) == (len(texts) == 2)


def test_article_view_marks_a_missing_language_and_localizes_labels() -> None:
    stored = article({Lang.EN: ("Title <1>", "Body & more.")})
    view = render_article(stored, Lang.ZH, translator(Lang.ZH), "Asia/Shanghai", label)
    first = valid(view.messages[0])
    assert first.startswith("Title <1> （仅有英文版）")
    assert "2024年5月12日" in first
    assert "WORLD, <TAG>&" in first
    assert view.lang is Lang.EN
    assert view.keyboard is None


def test_a_long_article_is_split_with_the_header_first() -> None:
    body = "\n\n".join(f"Paragraph {i}. " + "Sentence one is here. " * 30 for i in range(40))
    view = render_article(
        article({Lang.EN: ("Long", body), Lang.ZH: ("长", "短。")}),
        Lang.EN,
        translator(Lang.EN),
        "UTC",
        label,
    )
    assert len(view.messages) >= 6
    assert valid(view.messages[0]).startswith("Long\nPublished May 12, 2024")
    assert all(valid(m).endswith(".") for m in view.messages)


@given(st.dictionaries(langs, st.tuples(words.filter(str.strip), long_text), min_size=1), langs)
@settings(max_examples=40, deadline=None)
def test_every_inline_message_is_valid_html(
    texts: dict[Lang, tuple[str, str]], reader: Lang
) -> None:
    stored = article(texts, url=None)
    result = inline_result(stored, reader, translator(reader), "digest_bot")
    assert len(valid(inline_message(stored, reader, translator(reader), "digest_bot"))) <= 4096
    assert result.title
    assert result.id.startswith("7-")


def test_clip_keeps_short_text_and_cuts_long_text() -> None:
    assert clip(" a \n b ", 10) == "a b"
    assert clip("x" * 20, 10) == "x" * 9 + "…"
