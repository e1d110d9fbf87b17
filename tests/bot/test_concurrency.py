"""One reader never holds up another: updates of different chats are handled at once, one chat's
in order."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update, User

from digestbot.bot.updates import PerChatUpdateProcessor, turn_key
from tests.support.bot import ANN, LI, BotHarness
from tests.support.content import LONG_ARTICLE, article_id


def _update(update_id: int, chat_id: int) -> Update:
    user = User(chat_id, "Reader", is_bot=False)
    message = Message(update_id, None, Chat(chat_id, "private"), from_user=user, text="hi")  # type: ignore[arg-type]
    return Update(update_id, message=message)


async def test_one_chats_updates_in_order_other_chats_meanwhile() -> None:
    processor = PerChatUpdateProcessor(max_running=4)
    order: list[tuple[int, int]] = []
    release = asyncio.Event()

    async def handle(chat_id: int, n: int, wait: bool) -> None:
        if wait:
            await release.wait()
        order.append((chat_id, n))

    slow = [
        asyncio.create_task(processor.process_update(_update(n, 1), handle(1, n, n == 0)))
        for n in range(50)  # chat 1 floods; its first update is stuck
    ]
    await asyncio.sleep(0.05)
    other = asyncio.create_task(processor.process_update(_update(99, 2), handle(2, 0, False)))
    await asyncio.wait_for(other, 1.0)  # not held up by chat 1's fifty
    assert order == [(2, 0)]
    release.set()
    await asyncio.gather(*slow)
    assert [n for chat, n in order if chat == 1] == list(range(50))
    assert processor.chats_waiting == 0


def test_the_turn_is_the_chat_else_the_user() -> None:
    assert turn_key(_update(1, 7)) == ("chat", 7)
    assert turn_key(object()) is None


async def test_a_long_read_does_not_hold_up_another_reader(bot: BotHarness) -> None:
    long_id = article_id(bot, LONG_ARTICLE)
    bot.user(ANN)
    bot.user(LI)
    bot.driver.send_text(ANN, f"/read_{long_id}")  # several parts, one a second
    await bot.driver.next_bot_message(ANN, timeout=10)
    bot.driver.send_text(LI, "/help")
    await bot.driver.next_bot_message(LI, timeout=10)
    parts_meanwhile = len([m for m in bot.driver.transcript(ANN) if m["from_bot"]])
    await asyncio.sleep(4)
    parts_in_all = len([m for m in bot.driver.transcript(ANN) if m["from_bot"]])
    assert parts_meanwhile < parts_in_all  # /help was answered while the article went out


async def test_a_readers_burst_is_answered_in_order(bot: BotHarness) -> None:
    bot.user(ANN)
    for text in ("/help", "/search battery", "/language"):
        bot.driver.send_text(ANN, text)
    replies = await bot.replies(ANN, 3, timeout=20)
    assert "/search" in replies[0]["text"]
    assert "battery" in replies[1]["text"].lower()
    assert "English" in str(replies[2].get("reply_markup"))
