"""One pace per chat for everything the bot sends: replies and digests together never get a 429,
and a 429 that comes all the same is waited out and the reply sent, not dropped."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram.error import NetworkError, RetryAfter, TimedOut

from digestbot.bot.rate_limit import (
    MAX_FLOOD_WAIT,
    NETWORK_RETRIES,
    PacedRateLimiter,
    chat_of,
    sends_message,
)
from digestbot.delivery.pacing import ChatPace
from digestbot.model import Lang
from digestbot.sandbox.faults import FaultKind, FaultRule
from tests.bot.test_digest_command import all_sent, follow, outbox_rows
from tests.support.bot import ANN, LI, BotHarness


def test_what_counts_as_a_message_to_a_chat() -> None:
    assert sends_message("sendMessage")
    assert sends_message("sendDocument")
    assert sends_message("copyMessage")
    assert not sends_message("sendChatAction")
    assert not sends_message("editMessageText")
    assert not sends_message("answerCallbackQuery")


@given(st.integers(min_value=-(2**52), max_value=2**52))
def test_the_chat_of_a_request_is_its_numeric_chat_id(chat_id: int) -> None:
    assert chat_of({"chat_id": chat_id}) == chat_of({"chat_id": str(chat_id)}) == chat_id


def test_a_request_without_a_numeric_chat_has_none() -> None:
    assert chat_of({"chat_id": "@channel"}) is None
    assert chat_of({"text": "hi"}) is None
    assert chat_of({"chat_id": True}) is None


def limited(bot: BotHarness, chat_id: int) -> list[dict[str, Any]]:
    """The requests to ``chat_id`` that the emulator answered with 429."""
    return [
        entry
        for entry in bot.emulator.recorder.entries()
        if entry["status"] == 429 and str(entry["params"].get("chat_id")) == str(chat_id)
    ]


async def test_a_reader_who_searches_and_reads_while_the_digest_goes_out_gets_no_429(
    bot: BotHarness,
) -> None:
    follow(bot, LI, Lang.ZH, ())
    report = await bot.runtime.tick(force=True)  # the digest goes out now...
    assert report is not None
    assert report.messages >= 1
    for text in ("/search 芯片", "/read_1", "/search battery", "/help"):  # ...and so do these
        bot.driver.send_text(LI, text)

    def help_answered() -> bool | None:
        texts = [m["text"] for m in bot.driver.transcript(LI) if m["from_bot"]]
        return True if any("/search" in t and "/read" in t for t in texts[-2:]) else None

    await bot.driver.wait_for(help_answered, timeout=60)
    assert await all_sent(bot, LI)
    shown = {m["message_id"] for m in bot.driver.transcript(LI) if m["from_bot"]}
    assert {row.message_id for row in outbox_rows(bot, LI)} <= shown
    assert limited(bot, LI) == []


async def test_a_reply_that_gets_429_is_sent_after_retry_after(bot: BotHarness) -> None:
    bot.user(ANN)
    rule = FaultRule(FaultKind.RETRY_AFTER, method="sendMessage", chat_id=ANN, count=1)
    rule.retry_after = 1
    bot.emulator.faults.add(rule)
    loop = asyncio.get_running_loop()
    started = loop.time()
    reply = await bot.say(ANN, "/help", timeout=20)
    assert "/search" in reply["text"]
    assert loop.time() - started >= 1.0
    assert len(limited(bot, ANN)) == 1


async def test_closing_the_limiter_ends_a_replys_wait_for_its_turn() -> None:
    pace = ChatPace.for_rate(30.0, 1.0)
    limiter = PacedRateLimiter(pace)
    loop = asyncio.get_running_loop()
    for _ in range(30):  # the chat's turns are booked 30 s ahead
        pace.book_turn(ANN, loop.time())
    sent: list[str] = []

    async def send(text: str) -> bool:
        sent.append(text)
        return True

    reply = asyncio.create_task(
        limiter.process_request(send, ("hi",), {}, "sendMessage", {"chat_id": ANN}, None)
    )
    await asyncio.sleep(0.3)
    assert sent == []
    limiter.close()  # the bot is stopping
    assert await asyncio.wait_for(reply, timeout=1.0) is True
    assert sent == ["hi"]


async def test_a_flood_wait_past_the_limit_is_raised_not_waited() -> None:
    limiter = PacedRateLimiter(ChatPace.for_rate(30.0, 1.0))
    calls = 0

    async def flooded() -> bool:
        nonlocal calls
        calls += 1
        raise RetryAfter(int(MAX_FLOOD_WAIT) + 1)

    with pytest.raises(RetryAfter):
        await asyncio.wait_for(
            limiter.process_request(flooded, (), {}, "sendMessage", {"chat_id": ANN}, None), 2.0
        )
    assert calls == 1


async def test_a_reply_whose_connection_breaks_is_sent_again(bot: BotHarness) -> None:
    """The sandbox drops the connection of the first try unanswered: the reader is answered
    all the same, and no handler failed (before: a NetworkError and the generic apology)."""
    bot.user(ANN)
    rule = FaultRule(FaultKind.DROP, method="sendMessage", chat_id=ANN, count=1)
    bot.emulator.faults.add(rule)
    reply = await bot.say(ANN, "/help", timeout=20)
    assert "/search" in reply["text"]
    tries = [e for e in bot.requests() if e["method"] == "sendMessage"]
    assert [e["status"] for e in tries] == [0, 200]  # dropped, then sent
    errors = bot.app.bot_data.metrics.handler_errors
    assert (
        sum(s.value for m in errors.collect() for s in m.samples if s.name.endswith("_total")) == 0
    )


@pytest.mark.parametrize("breaks", [1, len(NETWORK_RETRIES), len(NETWORK_RETRIES) + 1])
async def test_broken_connections_are_tried_again_a_bounded_number_of_times(breaks: int) -> None:
    limiter = PacedRateLimiter(ChatPace.for_rate(1000.0, 0.0))
    calls = 0

    async def flaky() -> bool:
        nonlocal calls
        calls += 1
        if calls <= breaks:
            raise NetworkError("httpx.ReadError: ")
        return True

    request = limiter.process_request(flaky, (), {}, "editMessageText", {"chat_id": ANN}, None)
    if breaks > len(NETWORK_RETRIES):
        with pytest.raises(NetworkError):
            await asyncio.wait_for(request, 10.0)
        assert calls == len(NETWORK_RETRIES) + 1
    else:
        assert await asyncio.wait_for(request, 10.0) is True
        assert calls == breaks + 1


async def test_a_request_whose_connection_timed_out_is_sent_again() -> None:
    """A connect timeout means the request never left (make fuzz met it under load)."""
    limiter = PacedRateLimiter(ChatPace.for_rate(1000.0, 0.0))
    calls = 0

    async def connecting() -> bool:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise TimedOut() from httpx.ConnectTimeout("timed out")
        return True

    request = limiter.process_request(connecting, (), {}, "sendMessage", {"chat_id": ANN}, None)
    assert await asyncio.wait_for(request, 10.0) is True
    assert calls == 2


async def test_a_timeout_is_not_sent_again() -> None:
    """It may still reach Telegram: a second try could show the reader the reply twice."""
    limiter = PacedRateLimiter(ChatPace.for_rate(1000.0, 0.0))
    calls = 0

    async def slow() -> bool:
        nonlocal calls
        calls += 1
        raise TimedOut() from httpx.ReadTimeout("timed out")

    with pytest.raises(TimedOut):
        await limiter.process_request(slow, (), {}, "sendMessage", {"chat_id": ANN}, None)
    assert calls == 1
