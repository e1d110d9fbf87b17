"""/digest and the digest language switch, end to end through the sandbox."""

from __future__ import annotations

import asyncio
from datetime import time

from sqlalchemy import select

from digestbot import messages
from digestbot.i18n import translator
from digestbot.model import Lang
from digestbot.store import models as m
from digestbot.store.articles import get_articles, list_articles
from digestbot.store.subscribers import ensure_subscriber, set_tags
from tests.support.bot import ANN, LI, BotHarness, button_data, button_labels
from tests.support.content import remove_article
from tests.support.shown import shown_article_ids

ZH = translator(Lang.ZH)


def follow(bot: BotHarness, chat_id: int, lang: Lang, tags: tuple[str, ...]) -> None:
    """The reader as /start and /tags would leave them."""
    bot.user(chat_id)
    with bot.sessions.begin() as session:
        ensure_subscriber(
            session,
            chat_id,
            user_id=chat_id,
            language=lang,
            timezone="Asia/Shanghai",
            digest_time=time(8),
        )
        set_tags(session, chat_id, tags)


def outbox_rows(bot: BotHarness, chat_id: int) -> list[m.OutboxMessage]:
    with bot.sessions() as session:
        query = select(m.OutboxMessage).where(m.OutboxMessage.chat_id == chat_id)
        return list(session.scalars(query.order_by(m.OutboxMessage.id)))


async def all_sent(bot: BotHarness, chat_id: int) -> bool:
    """Whether every outbox row of the chat is marked sent (the bot records it just after)."""
    for _ in range(50):
        if all(row.state is m.OutboxState.SENT for row in outbox_rows(bot, chat_id)):
            return True
        await asyncio.sleep(0.05)
    return False


def science_count(bot: BotHarness) -> int:
    with bot.sessions() as session:
        return len(list_articles(session, tag="science"))


def delivered_tags(bot: BotHarness, chat_id: int) -> list[tuple[str, ...]]:
    with bot.sessions() as session:
        ids = shown_article_ids(session, chat_id=chat_id)
        return [article.tags for article in get_articles(session, ids)]


async def test_digest_delivers_the_readers_tags_in_chinese_then_nothing_new(
    bot: BotHarness,
) -> None:
    follow(bot, LI, Lang.ZH, ("science",))
    first = await bot.say(LI, "/digest")
    rows = outbox_rows(bot, LI)
    rest = await bot.replies(LI, len(rows) - 1)
    texts = [first["text"], *(reply["text"] for reply in rest)]
    assert "2026年5月25日" in texts[0].split("\n")[0]
    assert await all_sent(bot, LI)
    tags = delivered_tags(bot, LI)
    assert len(tags) == science_count(bot)
    assert all("science" in article_tags for article_tags in tags)
    assert "新一轮芯片出口管制收紧" not in "".join(texts)  # a tech/world article
    assert button_labels(first) == [ZH.gettext(messages.BUTTON_READ_IN_ENGLISH)]

    again = await bot.say(LI, "/digest")
    assert again["text"] == ZH.gettext(messages.DIGEST_NOTHING_SINCE_LAST)


async def test_switch_button_edits_the_articles_to_english_and_back_labels_stay_chinese(
    bot: BotHarness,
) -> None:
    follow(bot, LI, Lang.ZH, ("science",))
    shown = await bot.say(LI, "/digest")
    [data] = button_data(shown)
    assert data.startswith("d:")
    assert data.endswith(":en")
    answer = await bot.press(LI, shown, data)
    assert answer.get("text") in (None, "")
    edited = bot.message(LI, shown["message_id"])
    assert edited["edited"]
    count = science_count(bot)
    assert edited["text"].startswith(f"2026年5月25日的文章摘要：{count}篇新文章")  # as /read
    assert "Far-side lunar samples return to Earth" in edited["text"]
    assert "阅读全文：/read_" in edited["text"]
    assert button_labels(edited) == [ZH.gettext(messages.BUTTON_READ_IN_CHINESE)]
    await bot.press(LI, edited, button_data(edited)[0])
    assert bot.message(LI, shown["message_id"])["text"] == shown["text"]


async def test_a_digest_whose_articles_are_gone_answers_no_longer_available(
    bot: BotHarness,
) -> None:
    follow(bot, ANN, Lang.EN, ("science",))
    shown = await bot.say(ANN, "/digest")
    with bot.sessions() as session:
        ids = shown_article_ids(session, chat_id=ANN)
    for article_id in ids:
        remove_article(bot, article_id)
    answer = await bot.press(ANN, shown, button_data(shown)[0])
    assert answer["text"] == "This is no longer available."
    assert not bot.message(ANN, shown["message_id"]).get("edited")
