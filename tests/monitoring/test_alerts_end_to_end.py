"""An admin hears of broken article files dropped into the folder: within a minute, in their
language, one alert for several files; in the sandbox with Telegram far away, and from two bot
processes on one PostgreSQL database (one alert between them)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram.ext import Updater

from digestbot.bot.app import build_application
from digestbot.bot.deps import BotDeps
from digestbot.bot.serve import long_polling, serving
from digestbot.config import DatabaseSettings, PathSettings, TelegramSettings
from digestbot.model import Lang
from digestbot.sandbox.emulator import Emulator
from digestbot.sandbox_app.host import sandboxed_bot
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema
from digestbot.store.subscribers import ensure_subscriber
from tests.support.databases import postgres_schema
from tests.support.sandboxed import sandbox_settings
from tests.support.settings import local_settings

ADMIN = 4242
BROKEN = ["one.md", "two.md", "three.md"]


def alerts_in(transcript: list[dict[str, Any]]) -> list[str]:
    return [m["text"] for m in transcript if m["from_bot"] and "重新扫描" in m["text"]]


async def test_one_alert_in_chinese_for_several_broken_files(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "good.md").write_text("---\ntitle: Good\n---\n# Good\n\nA good one.\n", "utf-8")
    settings = replace(
        sandbox_settings(tmp_path / "data", folder),
        telegram=TelegramSettings(admin_ids=frozenset({ADMIN})),
    )
    async with sandboxed_bot(settings, latency=0.5) as running:
        driver = running.emulator.driver
        await running.application.bot_data.runtime.wait_started()
        driver.create_user(ADMIN, "管理员", None, "zh-hans")
        driver.send_text(ADMIN, "/start")
        await driver.next_bot_message(ADMIN, timeout=20)
        for name in BROKEN:
            (folder / name).write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")

        [alert] = await driver.wait_for(
            lambda: alerts_in(driver.transcript(ADMIN)) or None, timeout=60
        )
        await asyncio.sleep(3)  # a moment for a second alert to show up, if one would
        assert alerts_in(driver.transcript(ADMIN)) == [alert]
        server = running.application.bot_data.monitoring
        assert server is not None
        async with httpx.AsyncClient() as client:
            scraped = (await client.get(f"http://127.0.0.1:{server.port}/metrics")).text
        rejected = "digestbot_articles_rejected_total " + str(float(len(BROKEN)))
        assert rejected in scraped.splitlines()
    assert all(name in alert for name in BROKEN)
    assert "/alerts off" in alert


async def _no_updates(updater: Updater) -> None:
    """A process that sends but takes no updates (as a worker behind a webhook's balancer)."""


@pytest.mark.postgres
async def test_two_bot_processes_on_one_postgresql_send_one_alert(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "good.md").write_text("---\ntitle: Good\n---\n# Good\n\nA good one.\n", "utf-8")
    with postgres_schema() as url:
        engines = [create_engine_for(url) for _ in range(2)]  # a pool each, as two processes
        upgrade_schema(engines[0])
        settings = local_settings(
            database=DatabaseSettings(url=url),
            paths=PathSettings(data_dir=tmp_path, articles_dir=folder),
            telegram=TelegramSettings(admin_ids=frozenset({ADMIN})),
        )
        with session_factory(engines[0]).begin() as session:  # the admin has started the bot
            ensure_subscriber(session, ADMIN, user_id=ADMIN, language=Lang.ZH,
                              timezone="Asia/Shanghai", digest_time=time(8))  # fmt: skip
        async with Emulator(latency=0.2) as emulator:
            driver = emulator.driver
            driver.create_user(ADMIN, "管理员", None, "zh-hans")
            driver.send_text(ADMIN, "/start")
            first, second = (
                build_application(
                    BotDeps(settings, session_factory(engine)),
                    emulator.token,
                    api_url=emulator.base_url,
                )
                for engine in engines
            )
            async with (
                serving(first, long_polling(timeout=1)) as one,
                serving(second, _no_updates) as other,
            ):
                await one.wait_started()
                await other.wait_started()
                for name in BROKEN:
                    (folder / name).write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
                [alert] = await driver.wait_for(
                    lambda: alerts_in(driver.transcript(ADMIN)) or None, timeout=60
                )
                await asyncio.sleep(3)
                assert alerts_in(driver.transcript(ADMIN)) == [alert]
        for engine in engines:
            engine.dispose()
