"""The "more" button under a digest's "…and N more": the rest of that digest, page by page, end
to end through the sandbox (after a restart too, and under latency)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from digestbot import messages
from digestbot.bot.app import build_application
from digestbot.bot.deps import BotDeps
from digestbot.bot.serve import long_polling, serving
from digestbot.config import Settings
from digestbot.i18n import translator
from digestbot.ingest import load_paths
from digestbot.model import Lang
from digestbot.sandbox.emulator import Emulator
from digestbot.store.articles import list_articles
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema
from tests.bot.test_digest_command import follow, outbox_rows
from tests.support.bot import ANN, LI, SEEDS, BotHarness, button_data, button_labels
from tests.support.settings import local_settings

ZH = translator(Lang.ZH)
PAGE = 3  # max_articles: a digest shows 3, the seeds hold more
READ = re.compile(r"/read_(\d+)")


@pytest.fixture
def bot_settings(bot_settings: Settings) -> Settings:
    """Digests of at most ``PAGE`` articles."""
    return replace(bot_settings, digest=replace(bot_settings.digest, max_articles=PAGE))


def read_ids(message: dict[str, Any]) -> list[int]:
    return [int(found) for found in READ.findall(message["text"])]


def rest_button(message: dict[str, Any]) -> str | None:
    found = [data for data in button_data(message) if data.startswith("m:")]
    return found[0] if found else None


async def digest_messages(bot: BotHarness, chat_id: int) -> list[dict[str, Any]]:
    first = await bot.say(chat_id, "/digest")
    return [first, *await bot.replies(chat_id, len(outbox_rows(bot, chat_id)) - 1)]


async def pages_until_done(
    bot: BotHarness, chat_id: int, last: dict[str, Any]
) -> list[dict[str, Any]]:
    """Press "more" under ``last`` and under each page until the last page (no button); a page
    of ``PAGE`` articles is one message."""
    pages = []
    while (data := rest_button(last)) is not None:
        answer = await bot.press(chat_id, last, data)
        assert answer.get("text") in (None, "")
        last = await bot.driver.next_bot_message(chat_id, timeout=10)
        pages.append(last)
    return pages


async def test_more_sends_the_rest_page_by_page_in_chinese_then_nothing_new(
    bot: BotHarness,
) -> None:
    follow(bot, LI, Lang.ZH, ())
    digest = await digest_messages(bot, LI)
    last = digest[-1]
    counted = re.search(r"……还有(\d+)篇文章$", last["text"])
    assert counted is not None
    rest = int(counted[1])
    assert rest > PAGE  # more than one page of rest
    assert button_labels(last) == [
        ZH.gettext(messages.BUTTON_READ_IN_ENGLISH),
        ZH.gettext(messages.BUTTON_MORE_ARTICLES),
    ]

    pages = await pages_until_done(bot, LI, last)

    shown = [i for message in digest for i in read_ids(message)]
    paged = [i for page in pages for i in read_ids(page)]
    assert len(pages) == -(-rest // PAGE)
    assert all(len(read_ids(page)) <= PAGE for page in pages)
    assert len(shown) == PAGE
    assert len(set(shown + paged)) == len(shown + paged) == PAGE + rest  # each once
    with bot.sessions() as session:
        assert len(list_articles(session)) == PAGE + rest
    assert all(page["text"].startswith("2026年5月25日的文章摘要（续）") for page in pages)
    assert all("阅读全文" in page["text"] for page in pages)
    assert f"……还有{rest - PAGE}篇文章" in pages[0]["text"]
    assert "……还有" not in pages[-1]["text"]
    assert button_labels(pages[0]) == [ZH.gettext(messages.BUTTON_MORE_ARTICLES)]

    again = await bot.say(LI, "/digest")
    assert again["text"] == ZH.gettext(messages.DIGEST_NOTHING_SINCE_LAST)


async def test_switching_the_last_message_keeps_the_more_button(bot: BotHarness) -> None:
    follow(bot, ANN, Lang.EN, ())
    last = (await digest_messages(bot, ANN))[-1]
    switch = [data for data in button_data(last) if data.startswith("d:")]
    await bot.press(ANN, last, switch[0])
    edited = bot.message(ANN, last["message_id"])
    assert button_labels(edited) == ["Read in English", "Show more articles"]
    assert re.search(r"…and \d+ more articles", edited["text"])
    pages = await pages_until_done(bot, ANN, edited)
    assert pages[0]["text"].startswith("More from your digest for May 25, 2026")


async def test_forged_and_foreign_more_buttons_are_answered_expired(bot: BotHarness) -> None:
    follow(bot, LI, Lang.ZH, ())
    data = rest_button((await digest_messages(bot, LI))[-1])
    assert data is not None
    digest_id = int(data.split(":")[1])
    await bot.say(ANN, "/help")  # ANN has written to the bot
    forged = [
        f"m:{digest_id}:0",  # LI's digest, pressed by ANN
        f"m:{digest_id}:999",  # past the end
        f"m:{2**63}:0",
        f"m:{'9' * 27}:0",
        f"m:{digest_id}:{'9' * 27}",
        f"m:{digest_id}:-1",
        "m:abc:0",
        "m:",
        f"m:{digest_id}:0:zh",
    ]
    rows = [[InlineKeyboardButton("forged", callback_data=d)] for d in forged]
    sent = await bot.app.bot.send_message(ANN, "forged", reply_markup=InlineKeyboardMarkup(rows))
    message = bot.message(ANN, sent.message_id)
    for data in forged:
        answer = await bot.press(ANN, message, data)
        assert answer.get("text") == "This button has expired.", data
    assert [m["text"] for m in bot.driver.transcript(ANN) if m["from_bot"]][-1] == "forged"


@pytest.mark.parametrize("latency", [0.3])
async def test_more_works_after_a_restart_under_latency(
    bot_database: str, tmp_path: Path, latency: float
) -> None:
    """The button pressed on a new process (new engine, new application) finds its page."""
    defaults = local_settings()
    settings = replace(defaults, digest=replace(defaults.digest, max_articles=PAGE))
    engine = create_engine_for(bot_database)
    upgrade_schema(engine)
    sessions = session_factory(engine)
    load_paths(sessions, [SEEDS])
    async with Emulator(latency=latency, record_path=tmp_path / "requests.jsonl") as emulator:
        driver = emulator.driver
        driver.create_user(ANN, "Ann", None, "en")
        first = build_application(
            BotDeps(settings, sessions), emulator.token, api_url=emulator.base_url
        )
        async with serving(first, long_polling(timeout=1)) as runtime:
            await runtime.wait_started(timeout=30)
            driver.send_text(ANN, "/start")
            await driver.next_bot_message(ANN, timeout=15)
            driver.send_text(ANN, "/digest")

            def last_with_more() -> dict[str, Any] | None:
                mine = [m for m in driver.transcript(ANN) if m["from_bot"]]
                return mine[-1] if mine and rest_button(mine[-1]) else None

            last = await driver.wait_for(last_with_more, timeout=30)
        engine.dispose()

        engine = create_engine_for(bot_database)  # another process: nothing shared but the DB
        again = build_application(
            BotDeps(settings, session_factory(engine)), emulator.token, api_url=emulator.base_url
        )
        async with serving(again, long_polling(timeout=1)) as runtime:
            await runtime.wait_started(timeout=30)
            seen = len(driver.transcript(ANN))
            data = rest_button(last)
            assert data is not None
            update = driver.press_button(ANN, last["message_id"], data)
            answer = await driver.callback_answer(update["callback_query"]["id"], timeout=15)
            assert answer.get("text") in (None, "")

            def page() -> dict[str, Any] | None:
                new = driver.transcript(ANN)[seen:]
                return new[0] if new else None

            first_page = await driver.wait_for(page, timeout=15)
        assert first_page["text"].startswith("More from your digest for")
        assert read_ids(first_page)
    engine.dispose()
    rejected = [
        e for e in emulator.recorder.recent if e["status"] == 400 and e["method"] != "getUpdates"
    ]
    assert rejected == []
