"""The SQLite data folder deleted under a running bot, with Telegram 0.2 s away.

Before, the bot went on writing into the deleted file without a word, and every reader's state
was gone at the next start. Now the file gone is an outage like PostgreSQL down: readers are
asked in their language to try again shortly, the tick and the sender wait, ``/readyz`` says 503,
the log holds one line going down and one coming back; a folder created again empty gets no new
empty database; once the operator puts the file back, the bot goes on without a restart and plans
the digest that fell due meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from pathlib import Path

import httpx
import pytest
from sqlalchemy.exc import OperationalError

from digestbot import messages
from digestbot.bot.runtime import DATABASE_PROBE_SECONDS
from digestbot.i18n import translator
from digestbot.model import Lang
from tests.support.bot import ANN, LI, BotHarness
from tests.support.databases import sqlite_copy
from tests.support.processes import add_due_reader, delivered

DUE_LATER = 801  # digest time 23:59 UTC: falls due while the file is gone


@pytest.fixture
def bot_database(tmp_path: Path) -> str:
    """SQLite only: the file is what goes away."""
    return f"sqlite:///{tmp_path}/data/bot.sqlite3"


@pytest.fixture
def bot_latency() -> float:
    return 0.2


async def readyz(bot: BotHarness, client: httpx.AsyncClient, status: int) -> None:
    """Wait (up to 15 s) until ``/readyz`` answers ``status``."""
    server = bot.app.bot_data.monitoring
    assert server is not None
    loop = asyncio.get_running_loop()
    started = loop.time()
    while (await client.get(f"http://127.0.0.1:{server.port}/readyz")).status_code != status:
        assert loop.time() - started < 15, f"/readyz is not {status} after 15 s"
        await asyncio.sleep(0.2)


async def test_the_data_folder_deleted_and_restored_under_a_running_bot(
    bot: BotHarness, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "data" / "bot.sqlite3"
    await asyncio.to_thread(add_due_reader, bot.emulator, bot.sessions, DUE_LATER, due=False)
    await bot.driver.next_bot_message(DUE_LATER, 20)  # its /start, answered
    bot.user(LI)
    bot.user(ANN)
    await bot.say(LI, "/start")
    known = (await bot.say(LI, "/start"))["text"]  # how the bot greets a reader it knows
    sqlite_copy(database, tmp_path / "backup.sqlite3")
    caplog.set_level(logging.INFO)
    caplog.clear()

    async with httpx.AsyncClient(timeout=10) as client:
        await readyz(bot, client, 200)
        shutil.rmtree(database.parent)
        zh_apology = (await bot.say(LI, "/start", timeout=20))["text"]
        en_apology = (await bot.say(ANN, "阿里巴巴", timeout=20))["text"]
        await readyz(bot, client, 503)
        bot.clock.now = bot.clock.now.replace(hour=23, minute=59, second=30)
        with pytest.raises(OperationalError):
            await bot.runtime.tick()  # the minute's tick cannot plan

        database.parent.mkdir()  # the folder back, empty: no new empty database in it
        await asyncio.sleep(DATABASE_PROBE_SECONDS * 2)
        still_away = (await bot.say(LI, "/help", timeout=20))["text"]
        assert not database.exists()

        shutil.copy(tmp_path / "backup.sqlite3", database)  # the operator restores the file
        await delivered(bot.emulator, bot.sessions, DUE_LATER)
        after = (await bot.say(LI, "/start", timeout=20))["text"]
        await readyz(bot, client, 200)

    apology = translator(Lang.ZH).gettext(messages.ERROR_STORE_AWAY)
    assert zh_apology == still_away == apology
    assert en_apology == translator(Lang.EN).gettext(messages.ERROR_STORE_AWAY)
    assert after == known  # LI's state survived
    ours = [r for r in caplog.records if r.name.startswith("digestbot")]
    assert [r for r in ours if r.exc_info or r.levelno >= logging.ERROR] == []
    lines = [r.getMessage() for r in ours if r.levelno >= logging.WARNING]
    assert sum("database unreachable" in line for line in lines) == 1, lines
    assert sum("is gone" in line for line in lines) == 1, lines
    assert sum("database reachable again" in line for line in lines) == 1, lines
