"""Composer properties: messages Telegram accepts, every article exactly once, either language."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from digestbot.digest.compose import (
    BlockCache,
    DigestContent,
    compose_digest,
    compose_rest_page,
    parse_rest_data,
    render_message,
    rest_data,
)
from digestbot.model import ArticleText, Lang, StoredArticle
from digestbot.render import MAX_LENGTH, visible_length
from digestbot.sandbox.validate import check_message_text

HOSTILE = st.sampled_from(["<", ">", "&", "&amp;", '"', "</b>", "<i>", "\n", "😀", "é"])
TEXT = st.lists(
    st.one_of(st.text(min_size=1, max_size=40), HOSTILE, st.just("芯片" * 30)), max_size=60
).map("".join)
TAG = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=60)
URL = st.one_of(
    st.none(),
    st.just("https://example.com/x?a=1&b=<2>"),
    st.text(max_size=3000).map(lambda s: "https://example.com/" + s),
)


@st.composite
def articles(draw: st.DrawFn) -> list[StoredArticle]:
    count = draw(st.integers(0, 14))
    found = []
    for article_id in range(1, count + 1):
        langs = draw(st.sampled_from([(Lang.EN,), (Lang.ZH,), (Lang.EN, Lang.ZH)]))
        texts = {
            lang: ArticleText(lang, draw(TEXT) or "t", draw(TEXT), "", (), "") for lang in langs
        }
        when = draw(
            st.datetimes(min_value=datetime(2000, 1, 1), timezones=st.just(UTC)).filter(
                lambda d: d.year < 9999
            )
        )
        tags = tuple(draw(st.lists(TAG, max_size=12)))
        found.append(StoredArticle(article_id, str(article_id), draw(URL), when, tags, None, texts))
    return found


@settings(max_examples=80, deadline=None)
@given(
    shown=articles(),
    extra=st.integers(0, 1000),
    lang=st.sampled_from(list(Lang)),
    zone=st.sampled_from(["Asia/Shanghai", "Europe/London", "Pacific/Kiritimati"]),
)
def test_every_message_is_valid_and_every_article_appears_once(
    shown: list[StoredArticle], extra: int, lang: Lang, zone: str
) -> None:
    cache = BlockCache()
    content = DigestContent(lang, zone, date(2024, 5, 12), shown, len(shown) + extra)
    composed = compose_digest(cache, content, send_empty=True)
    assert composed
    assert [message.seq for message in composed] == list(range(len(composed)))
    ids = [i for message in composed for i in message.article_ids]
    assert ids == [article.id for article in shown]  # each once, in order
    assert [message.more for message in composed] == [0] * (len(composed) - 1) + [
        extra if shown else 0
    ]
    commands = re.findall(r"/read_(\d+)", "".join(message.text for message in composed))
    assert sorted(map(int, commands)) == sorted(ids)
    for message in composed:
        check_message_text(message.text, "HTML", None)
        assert visible_length(message.text) <= MAX_LENGTH
        if not message.switchable:
            continue
        # The same articles fit one message in the other language too: the switch can edit it.
        part = DigestContent(
            lang.other,
            zone,
            content.local_date,
            [a for a in shown if a.id in message.article_ids],
            content.total,
            labels=lang,  # the labels stay in the reader's language
        )
        last = message is composed[-1]
        other = render_message(cache, part, with_header=message.seq == 0, more=extra if last else 0)
        check_message_text(other, "HTML", None)
        assert visible_length(other) <= MAX_LENGTH


@settings(max_examples=60, deadline=None)
@given(shown=articles(), left=st.integers(0, 1000), lang=st.sampled_from(list(Lang)))
def test_a_page_of_the_rest_is_valid_messages_with_every_article_once(
    shown: list[StoredArticle], left: int, lang: Lang
) -> None:
    content = DigestContent(lang, "Asia/Shanghai", date(2024, 5, 12), shown, left)
    texts = compose_rest_page(BlockCache(), content, more=left)
    assert texts
    commands = re.findall(r"/read_(\d+)", "".join(texts))
    assert sorted(map(int, commands)) == [article.id for article in shown]
    for text in texts:
        check_message_text(text, "HTML", None)
        assert visible_length(text) <= MAX_LENGTH
    assert (left > 0) == bool(re.search(r"(more articles?|还有[\d,]+篇文章)$", texts[-1]))


@given(digest_id=st.integers(0, 2**63 - 1), offset=st.integers(0, 10**9 - 1))
def test_more_button_data_round_trips_within_64_bytes(digest_id: int, offset: int) -> None:
    data = rest_data(digest_id, offset)
    assert len(data.encode()) <= 64
    assert parse_rest_data(data) == (digest_id, offset)


@given(data=st.text(max_size=80) | st.from_regex(r"m:-?[0-9٠-٩]{0,30}:-?[0-9]{0,30}(:.*)?"))
def test_forged_more_button_data_parses_or_is_refused_never_raises(data: str) -> None:
    parsed = parse_rest_data(data)
    if parsed is not None:  # two ASCII numbers, nothing else
        _, digest_id, offset = data.split(":")
        assert (digest_id + offset).isascii()
        assert parsed == (int(digest_id), int(offset))
