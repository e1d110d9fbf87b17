"""The digest composer on examples: header, blocks, escaping, markers, "and N more", buttons."""

from __future__ import annotations

from datetime import UTC, date, datetime

from digestbot.digest.compose import (
    BlockCache,
    DigestContent,
    compose_digest,
    compose_rest_page,
    digest_markup,
    parse_switch_data,
    render_message,
    switch_markup,
)
from digestbot.model import ArticleText, Lang, StoredArticle
from digestbot.sandbox.validate import check_message_text

DAY = date(2024, 5, 12)


def stored(
    article_id: int,
    *,
    langs: tuple[Lang, ...] = (Lang.EN, Lang.ZH),
    title: str = "",
    summary: str = "A summary.",
    tags: tuple[str, ...] = ("tech",),
    url: str | None = "https://example.com/a?x=1&y=2",
) -> StoredArticle:
    texts = {
        lang: ArticleText(
            lang=lang,
            title=title or f"{lang.value} title {article_id}",
            summary=summary,
            body="Body.",
            key_terms=(),
            plain="Body.",
        )
        for lang in langs
    }
    when = datetime(2024, 5, 11, 20, 0, tzinfo=UTC)  # May 12 in Shanghai
    return StoredArticle(article_id, f"k{article_id}", url, when, tags, "ft", texts)


def content(
    articles: list[StoredArticle], lang: Lang = Lang.EN, total: int | None = None
) -> DigestContent:
    count = len(articles) if total is None else total
    return DigestContent(lang, "Asia/Shanghai", DAY, articles, count)


def test_a_digest_has_a_header_and_one_block_per_article() -> None:
    [message] = compose_digest(BlockCache(), content([stored(1), stored(2)]))
    lines = message.text.split("\n")
    assert lines[0] == "<b>Your digest for May 12, 2024</b>: 2 new articles"
    assert "<b>en title 1</b>" in message.text
    assert "May 12, 2024 · Tags: tech" in message.text  # the reader's local day
    assert '<a href="https://example.com/a?x=1&amp;y=2">Source</a>' in message.text
    assert "Full text: /read_1" in message.text
    assert message.article_ids == (1, 2)
    check_message_text(message.text, "HTML", None)


def test_chinese_digest_uses_chinese_labels_and_dates() -> None:
    [message] = compose_digest(BlockCache(), content([stored(7)], Lang.ZH))
    assert "2024年5月12日" in message.text.split("\n")[0]
    assert "<b>zh title 7</b>" in message.text
    assert "/read_7" in message.text


def test_chinese_header_and_summary_read_without_stray_spaces() -> None:
    article = stored(7, summary="两国同步推进。\n新一代芯片\n\n量产。")
    [message] = compose_digest(BlockCache(), content([article, stored(8)], Lang.ZH))
    assert message.text.split("\n")[0] == "<b>2024年5月12日的文章摘要</b>：2篇新文章"
    assert "两国同步推进。新一代芯片量产。" in message.text


def test_one_new_article_is_singular() -> None:
    [message] = compose_digest(BlockCache(), content([stored(1)]))
    assert message.text.startswith("<b>Your digest for May 12, 2024</b>: 1 new article\n")


def test_hostile_text_is_escaped() -> None:
    hostile = stored(3, title="<b>x</b> & <script>", summary="1 < 2 > 0 &amp; </i>")
    [message] = compose_digest(BlockCache(), content([hostile]))
    formatted = check_message_text(message.text, "HTML", None)
    assert "<b>x</b> & <script>" in formatted.text
    assert "1 < 2 > 0 &amp; </i>" in formatted.text


def test_an_article_missing_the_readers_language_is_shown_marked() -> None:
    [message] = compose_digest(BlockCache(), content([stored(4, langs=(Lang.ZH,))]))
    assert "<b>zh title 4</b> (Chinese only)" in message.text


def test_more_than_the_maximum_ends_with_and_n_more() -> None:
    composed = compose_digest(BlockCache(), content([stored(1), stored(2)], total=5))
    assert composed[-1].text.endswith("…and 3 more articles")
    assert composed[0].text.startswith("<b>Your digest for May 12, 2024</b>: 5 new articles")


def test_nothing_new_is_no_message_unless_asked() -> None:
    assert compose_digest(BlockCache(), content([])) == []
    [message] = compose_digest(BlockCache(), content([], Lang.ZH), send_empty=True)
    assert not message.switchable
    check_message_text(message.text, "HTML", None)


def test_blocks_are_rendered_once_per_article_language_and_zone() -> None:
    cache = BlockCache()
    article = stored(1)
    first = cache.block(article, Lang.EN, "Asia/Shanghai")
    compose_digest(cache, content([article]))
    assert cache.block(article, Lang.EN, "Asia/Shanghai") is first
    assert cache.block(article, Lang.EN, "America/New_York") is not first


def test_tag_labels_come_from_the_settings() -> None:
    labels = {"tech": {Lang.ZH: "科技", Lang.EN: "Technology"}}
    cache = BlockCache(lambda tag, lang: labels.get(tag, {}).get(lang, tag))
    [message] = compose_digest(cache, content([stored(1, tags=("tech", "world"))], Lang.ZH))
    assert "科技、world" in message.text


def test_a_source_that_is_not_a_web_link_is_left_out() -> None:
    for url in ("javascript:alert(1)", "https://example.com/\x00", "https://a b", None):
        [message] = compose_digest(BlockCache(), content([stored(1, url=url)]))
        assert "href" not in message.text
        assert "/read_1" in message.text


def test_a_message_renders_again_in_the_other_language() -> None:
    cache = BlockCache()
    articles = [stored(1), stored(2)]
    [message] = compose_digest(cache, content(articles))
    again = render_message(cache, content(articles, Lang.ZH), with_header=True, more=0)
    assert "<b>zh title 1</b>" in again
    assert render_message(cache, content(articles), with_header=True, more=0) == message.text


def test_the_switch_changes_the_articles_language_not_the_labels() -> None:
    cache = BlockCache()
    articles = [stored(1), stored(2)]
    part = DigestContent(Lang.EN, "Asia/Shanghai", DAY, articles, 5, labels=Lang.ZH)
    text = render_message(cache, part, with_header=True, more=3)
    assert text.startswith("<b>2024年5月12日的文章摘要</b>：5篇新文章")
    assert "<b>en title 1</b>" in text
    assert "阅读全文：/read_1" in text
    assert text.endswith("……还有3篇文章")
    [[button]] = switch_markup(1, 0, Lang.EN, Lang.ZH)["inline_keyboard"]
    assert button["text"] == "阅读中文版"


def test_the_last_message_of_a_digest_with_more_gets_the_more_button() -> None:
    composed = compose_digest(BlockCache(), content([stored(1), stored(2)], total=5))
    assert [message.more for message in composed] == [0] * (len(composed) - 1) + [3]
    markup = digest_markup(9, composed[-1].seq, Lang.EN, more=True)
    assert markup["inline_keyboard"][1] == [
        {"text": "Show more articles", "callback_data": "m:9:0"}
    ]
    assert len(digest_markup(9, 0, Lang.EN)["inline_keyboard"]) == 1


def test_a_page_of_the_rest_has_its_own_heading_and_counts_what_is_left() -> None:
    page = DigestContent(Lang.ZH, "Asia/Shanghai", DAY, [stored(3), stored(4)], 0)
    [text] = compose_rest_page(BlockCache(), page, more=7)
    assert text.startswith("<b>2024年5月12日的文章摘要（续）</b>\n\n<b>zh title 3</b>")
    assert text.endswith("……还有7篇文章")
    [last] = compose_rest_page(BlockCache(), page, more=0)
    assert "还有" not in last


def test_switch_data_round_trips_and_fits() -> None:
    markup = switch_markup(2**62, 3, Lang.ZH)
    [[button]] = markup["inline_keyboard"]
    assert len(button["callback_data"].encode()) <= 64
    assert parse_switch_data(button["callback_data"]) == (2**62, 3, Lang.EN)
    assert button["text"] != "Read in English"  # labelled in the language shown (Chinese)
    for junk in ("d:1:2", "d:x:0:en", "d:1:0:fr", "r:1:0:en", "d:1:0:en:extra"):
        assert parse_switch_data(junk) is None
