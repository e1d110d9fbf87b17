"""One conversation, several bot processes: its state is in the database, not in a process.

Two bots (each its own application, engine and webhook server, as two processes behind a load
balancer would be) share one PostgreSQL database; the sandbox's balancer hands the updates of one
chat to them in turn, under simulated Bot API latency. Each step that needs what the previous
step left (the awaited time, the search query behind a page button, the greeting whose language
choice brings the tags, the group's admins) is taken by the other bot; once more with two real
``digestbot run`` processes in webhook mode. On SQLite the same conversation goes on across a
restart.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from telegram import Update
from telegram.ext import TypeHandler

from digestbot.bot.app import build_application
from digestbot.bot.context import BotApplication
from digestbot.bot.conversation import greeting_message
from digestbot.bot.deps import BotDeps
from digestbot.bot.serve import serving, webhook
from digestbot.config import TelegramSettings
from digestbot.ingest import load_paths
from digestbot.sandbox.driver import Driver
from digestbot.sandbox.emulator import Emulator
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema
from digestbot.store.subscribers import Profile, get_profile
from tests.support.bot import ANN, LI, SEEDS, button_data
from tests.support.databases import postgres_schema
from tests.support.processes import digestbot_process, stopped_cleanly
from tests.support.sandbox import free_port
from tests.support.settings import local_settings

LATENCY = 0.15  # seconds every Bot API call takes, plus up to JITTER
JITTER = 0.1
GROUP = -900
SECRET = "balanced-secret"


@dataclass
class Bots:
    """The emulator and the bots serving its webhook; ``handled`` says which bot took each
    update (by its index), in the order they came."""

    emulator: Emulator
    engine: Engine
    urls: list[str] = field(default_factory=list)
    handled: list[int] = field(default_factory=list)

    @property
    def driver(self) -> Driver:
        return self.emulator.driver

    def profile(self, chat_id: int) -> Profile:
        with session_factory(self.engine)() as session:
            profile = get_profile(session, chat_id)
        assert profile is not None
        return profile

    async def say(self, user: int, text: str, chat_id: int | None = None) -> dict[str, Any]:
        self.driver.send_text(user, text, chat_id=chat_id)
        return await self.driver.next_bot_message(chat_id or user, 20)

    async def press(
        self, user: int, message: dict[str, Any], data: str, chat_id: int | None = None
    ) -> dict[str, Any]:
        update = self.driver.press_button(user, message["message_id"], data, chat_id=chat_id)
        answer: dict[str, Any] = await self.driver.callback_answer(
            update["callback_query"]["id"], 20
        )
        return answer

    async def greeting_kept(self, chat_id: int) -> None:
        """Wait until the bot that greeted has noted its greeting (after sendMessage answered)."""
        deps = BotDeps(settings=local_settings(), sessions=session_factory(self.engine))
        for _ in range(100):
            if await greeting_message(deps, chat_id) is not None:
                return
            await asyncio.sleep(0.05)
        raise TimeoutError("the greeting was not noted")

    def calls(self, method: str) -> int:
        return sum(1 for entry in self.emulator.recorder.entries() if entry["method"] == method)


@asynccontextmanager
async def webhook_bot(bots: Bots, index: int) -> AsyncIterator[BotApplication]:
    """Bot ``index``: its own engine and application, serving its own webhook port."""
    engine = create_engine_for(bots.engine.url.render_as_string(hide_password=False))
    deps = BotDeps(settings=local_settings(), sessions=session_factory(engine))
    app = build_application(deps, bots.emulator.token, api_url=bots.emulator.base_url)

    async def note(update: object, context: object) -> None:
        bots.handled.append(index)

    app.add_handler(TypeHandler(Update, note), group=-100)
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    telegram = TelegramSettings(webhook_url=url, webhook_port=port, webhook_secret=SECRET)
    try:
        async with serving(app, webhook(telegram)) as runtime:
            await runtime.wait_started()
            bots.urls.append(url)
            yield app
    finally:
        engine.dispose()


@asynccontextmanager
async def bots_on(url: str, tmp_path: Path) -> AsyncIterator[Bots]:
    """A migrated database with the seed articles, and an emulator with simulated latency."""
    engine = create_engine_for(url)
    upgrade_schema(engine)
    report = load_paths(session_factory(engine), [SEEDS])
    assert not report.rejected
    try:
        async with Emulator(
            record_path=tmp_path / "requests.jsonl", latency=LATENCY, jitter=JITTER, seed=13
        ) as emulator:
            bots = Bots(emulator, engine)
            for user, name, code in ((ANN, "Ann", "en"), (LI, "李雷", "zh-hans")):
                emulator.driver.create_user(user, name, None, code)
            yield bots
    finally:
        engine.dispose()


@pytest.fixture
async def balanced(tmp_path: Path) -> AsyncIterator[Bots]:
    """Two bots on one PostgreSQL database behind the sandbox's round-robin balancer."""
    with postgres_schema() as url:
        async with bots_on(url, tmp_path) as bots, AsyncExitStack() as stack:
            for index in (0, 1):
                await stack.enter_async_context(webhook_bot(bots, index))
            bots.driver.balance_webhook(bots.urls)
            yield bots


def alternating(handled: list[int]) -> bool:
    return all(a != b for a, b in itertools.pairwise(handled))


@pytest.mark.postgres
async def test_one_conversation_alternating_between_two_webhook_processes(balanced: Bots) -> None:
    bots = balanced
    greeting = await bots.say(ANN, "/start")
    assert "lang:en" in button_data(greeting)
    await bots.greeting_kept(ANN)  # as a person's press would, after the bot is done with /start
    await bots.press(ANN, greeting, "lang:en")  # the other bot: is this the greeting? yes
    tags = await bots.driver.next_bot_message(ANN, 20)
    assert tags["text"].startswith("Pick the tags you want to follow.")

    settings = await bots.say(ANN, "/settings")
    await bots.press(ANN, settings, "set:time")
    question = await bots.driver.next_bot_message(ANN, 20)
    assert question["text"].startswith("Choose the time of your digest")
    done = await bots.say(ANN, "7:30")  # typed, to the bot that did not ask
    assert done["text"].startswith("Your digest now arrives every day at 07:30")
    assert bots.profile(ANN).digest_time == time(7, 30)

    await bots.press(ANN, settings, "set:tz")
    zones = await bots.driver.next_bot_message(ANN, 20)
    await bots.press(ANN, zones, "tz:other")  # "type it", then the typing on the other bot
    done = await bots.say(ANN, "europe/london")
    assert "(United Kingdom Time)" in done["text"]
    assert bots.profile(ANN).timezone == "Europe/London"

    results = await bots.say(ANN, "/search the")
    assert "Page 1 of" in results["text"]
    next_page = next(data for data in button_data(results) if data.startswith("s:"))
    answer = await bots.press(ANN, results, next_page)
    assert answer["text"] is None  # not "These results have expired"
    paged = await bots.driver.wait_for(
        lambda: next(
            (m for m in bots.driver.transcript(ANN) if m["message_id"] == results["message_id"]
             and "Page 2 of" in m["text"]),
            None,
        ),
        timeout=20,
    )  # fmt: skip
    assert paged["edited"]

    assert bots.handled == [0, 1] * 5  # ten updates, each bot taking every other one
    assert bots.driver.webhook_balance()["delivered"] == [5, 5]


@pytest.mark.postgres
async def test_a_group_admin_list_is_asked_once_for_both_processes(balanced: Bots) -> None:
    bots = balanced
    bots.driver.create_group(GROUP, "readers", owner=LI)
    started = await bots.say(LI, "/start", chat_id=GROUP)
    assert "lang:zh" in button_data(started)
    settings = await bots.say(LI, "/settings", chat_id=GROUP)  # the other bot, from the cache
    assert settings["text"].startswith("你的设置")
    refused = await bots.say(ANN, "/tags", chat_id=GROUP)
    assert refused["text"] == "只有本群管理员才能更改本群的摘要设置。"
    assert bots.calls("getChatAdministrators") == 1
    assert alternating(bots.handled)


async def test_a_conversation_goes_on_after_a_restart(tmp_path: Path) -> None:
    """SQLite: the first bot asks and pages, stops; a new one takes the answer and the page."""
    async with bots_on(f"sqlite:///{tmp_path}/bot.sqlite3", tmp_path) as bots:
        async with webhook_bot(bots, 0):
            greeting = await bots.say(LI, "/start")
            results = await bots.say(LI, "/search 的")
            settings = await bots.say(LI, "/settings")  # a command: it comes before the question
            await bots.press(LI, settings, "set:time")
            await bots.driver.next_bot_message(LI, 20)
        async with webhook_bot(bots, 1):
            done = await bots.say(LI, "21:15")
            assert done["text"].startswith("设置成功：每天21:15")
            page = next(data for data in button_data(results) if data.startswith("s:"))
            assert (await bots.press(LI, results, page))["text"] is None
            await bots.press(LI, greeting, "lang:en")
            tags = await bots.driver.next_bot_message(LI, 20)
            assert tags["text"].startswith("Pick the tags you want to follow.")
        assert bots.profile(LI).digest_time == time(21, 15)
        assert bots.handled == [0, 0, 0, 0, 1, 1, 1]


@pytest.mark.postgres
async def test_two_digestbot_run_processes_behind_the_balancer(tmp_path: Path) -> None:
    """The same with real ``digestbot run`` processes in webhook mode: the typed time and the
    search's next page each land on the process that did not ask."""
    with postgres_schema() as url:
        async with bots_on(url, tmp_path) as bots:
            processes = []
            for index in (0, 1):
                port = free_port()
                config = tmp_path / f"bot{index}.toml"
                config.write_text(
                    f'[paths]\ndata_dir = "{tmp_path / f"data{index}"}"\n'
                    f'[telegram]\nwebhook_url = "http://127.0.0.1:{port}/hook"\n'
                    f'webhook_port = {port}\nwebhook_secret = "{SECRET}"\n'
                )
                env = {"DIGESTBOT_DATABASE_URL": url}
                processes.append(
                    await digestbot_process(bots.emulator, "run", "--config", str(config), env=env)
                )
                bots.urls.append(f"http://127.0.0.1:{port}/hook")
            try:
                await bots.driver.wait_for(lambda: bots.calls("setWebhook") >= 2 or None, 90)
                bots.driver.balance_webhook(bots.urls)
                settings = await bots.say(ANN, "/settings")
                await bots.press(ANN, settings, "set:time")
                await bots.driver.next_bot_message(ANN, 20)
                done = await bots.say(ANN, "6:45")
                assert done["text"].startswith("Your digest now arrives every day at 06:45")
                results = await bots.say(ANN, "/search the")
                page = next(data for data in button_data(results) if data.startswith("s:"))
                assert (await bots.press(ANN, results, page))["text"] is None
                assert bots.driver.webhook_balance()["delivered"] == [3, 2]
            finally:
                for process in processes:
                    await stopped_cleanly(process, bots.emulator)
            assert bots.profile(ANN).digest_time == time(6, 45)
