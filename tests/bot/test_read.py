"""/read <id>, /read_<id> and the language switch, end to end through the sandbox."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from digestbot.config import ReaderSettings, Settings, TelegramSettings
from digestbot.model import Article, ArticleText, Lang
from digestbot.render import visible_length
from digestbot.store.articles import save_article
from tests.support.bot import ADMIN, ANN, LI, BotHarness, button_data, button_labels
from tests.support.content import LONG_ARTICLE, article_id, remove_article
from tests.support.settings import local_settings

TAG_LABELS = {"world": {Lang.ZH: "国际"}, "tech": {Lang.ZH: "科技", Lang.EN: "Technology"}}


@pytest.fixture
def bot_settings() -> Settings:
    """Settings with localized labels for two tags."""
    return replace(
        local_settings(),
        telegram=TelegramSettings(admin_ids=frozenset({ADMIN})),
        reader=ReaderSettings(tag_labels=TAG_LABELS),
    )


async def test_read_link_sends_a_long_article_in_order_with_the_switch_last(
    bot: BotHarness,
) -> None:
    long_id = article_id(bot, LONG_ARTICLE)
    first = await bot.say(ANN, f"/read_{long_id}")
    rest = await bot.replies(ANN, 3, timeout=20)
    parts = [first, *rest]
    assert parts[0]["text"].startswith("How a grid-scale battery plant actually works")
    assert "Published Sep 12, 2025" in parts[0]["text"]
    assert all(len(part["text"]) <= 4096 for part in parts)
    assert [button_data(part) for part in parts[:-1]] == [[], [], []]
    last = parts[-1]
    with_button = bot.driver.transcript(ANN)[-1]
    if with_button["message_id"] != last["message_id"]:  # a fifth part: the last one has it
        last = await bot.driver.next_bot_message(ANN, 10)
    assert button_data(last) == [f"r:{long_id}:zh"]
    assert button_labels(last) == ["Read in Chinese"]
    ids = [part["message_id"] for part in parts]
    assert ids == sorted(ids)


async def test_switch_button_sends_the_other_language_of_a_long_article(bot: BotHarness) -> None:
    long_id = article_id(bot, LONG_ARTICLE)
    first = await bot.say(LI, f"/read {long_id}")
    assert first["text"].startswith("一座电网级储能电站是如何运转的")
    assert "2025年9月12日" in first["text"]
    parts = [first, *await bot.replies(LI, 1, timeout=20)]
    assert button_data(parts[-1]) == [f"r:{long_id}:en"]
    answer = await bot.press(LI, parts[-1], f"r:{long_id}:en")
    assert answer.get("text") in (None, "")
    english = await bot.replies(LI, 4, timeout=30)
    assert english[0]["text"].startswith("How a grid-scale battery plant actually works")
    assert "2025年9月12日" in english[0]["text"]  # labels stay in the reader's language


async def test_switch_edits_a_short_article_in_place(bot: BotHarness) -> None:
    chips = article_id(bot, "001_chip_export_rules")
    shown = await bot.say(ANN, f"/read_{chips}")
    assert shown["text"].startswith("Tighter chip export rules")
    assert 'href="' in shown["html"]
    assert "<b>Tighter chip export rules" in shown["html"]
    await bot.press(ANN, shown, f"r:{chips}:zh")
    edited = bot.message(ANN, shown["message_id"])
    assert edited["edited"]
    assert edited["text"].startswith("新一轮芯片出口管制收紧")
    assert button_data(edited) == [f"r:{chips}:en"]
    await bot.press(ANN, edited, f"r:{chips}:en")
    assert bot.message(ANN, shown["message_id"])["text"].startswith("Tighter chip export rules")


async def test_an_article_without_the_readers_language_is_marked(bot: BotHarness) -> None:
    english_only = article_id(bot, "launch-cadence-2024")
    shown = await bot.say(LI, f"/read_{english_only}")
    assert shown["text"].startswith("Reusable boosters push launch cadence")
    assert shown["text"].split("\n")[0].endswith("（仅有英文版）")
    assert button_data(shown) == []


async def test_author_and_tags_are_shown_with_localized_labels(bot: BotHarness) -> None:
    chips = article_id(bot, "001_chip_export_rules")
    shown = await bot.say(ANN, f"/read_{chips}@digest_sandbox_bot")
    assert "Tags: world, Technology" in shown["text"]
    assert "By digestbot-demo" in shown["text"]
    chinese = await bot.say(LI, f"/read_{chips}")
    assert "标签：国际, 科技" in chinese["text"]
    assert visible_length(shown["html"]) <= 4096


async def test_unknown_id_and_missing_id(bot: BotHarness) -> None:
    missing = await bot.say(ANN, "/read 99999")
    assert missing["text"] == "Article 99999 was not found. It may have been removed."
    usage = await bot.say(ANN, "/read")
    assert usage["text"].startswith("Send /read followed by an article number")
    chinese = await bot.say(LI, "/read_99999")
    assert "99999" in chinese["text"]
    assert "not found" not in chinese["text"]


async def test_switching_a_deleted_article_is_answered(bot: BotHarness) -> None:
    chips = article_id(bot, "001_chip_export_rules")
    shown = await bot.say(ANN, f"/read_{chips}")
    remove_article(bot, chips)
    answer = await bot.press(ANN, shown, f"r:{chips}:zh")
    assert answer["text"] == "This is no longer available."
    assert bot.message(ANN, shown["message_id"])["text"] == shown["text"]


async def test_a_number_no_article_can_have_is_not_found(bot: BotHarness) -> None:
    for number in ("999999999999999999", str(2**31)):
        missing = await bot.say(ANN, f"/read {number}")
        assert missing["text"] == f"Article {number} was not found. It may have been removed."
        link = await bot.say(ANN, f"/read_{number}")
        assert number in link["text"]
        assert "not found" in link["text"]


async def test_an_article_stored_with_an_absurd_source_url_reads_without_the_link(
    bot: BotHarness,
) -> None:
    """Stored before the loader refused such URLs (SQLite keeps any length): /read still works."""
    with bot.sessions() as session:
        if session.get_bind().dialect.name != "sqlite":
            pytest.skip("PostgreSQL never held a URL over 2,048 characters")
    body = "A body that is short."
    article = Article(
        key="absurd_url",
        url="https://example.com/" + "a" * 100_000,
        date=datetime(2026, 5, 1, tzinfo=UTC),
        tags=(),
        author=None,
        texts={Lang.EN: ArticleText(Lang.EN, "Absurd link", body, body, (), body)},
    )
    with bot.sessions.begin() as session:
        new_id, _ = save_article(session, article, content_hash="x", source_path="absurd.md")
    shown = await bot.say(ANN, f"/read_{new_id}")
    assert shown["text"].startswith("Absurd link")
    assert "href" not in shown["html"]
    assert "Source" not in shown["text"]
