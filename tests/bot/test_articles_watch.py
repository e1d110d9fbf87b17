"""The articles folder is watched: a file dropped into it or edited while the bot runs is
searchable and in the next digest within 2 s, through the sandbox (SQLite and PostgreSQL, under
latency, and with two bot processes watching one folder on one PostgreSQL database)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from digestbot.bot import runtime as runtime_module
from digestbot.config import PathSettings, Settings
from digestbot.sandbox.emulator import Emulator
from digestbot.sandbox_app.host import sandboxed_bot
from digestbot.store.search import search_articles
from tests.support.bot import ANN, BotHarness
from tests.support.processes import (
    article_count,
    digestbot_process,
    stopped_cleanly,
    wait_until,
    watched_folder_config,
)
from tests.support.sandboxed import sandbox_settings

WITHIN = 2.0  # seconds from writing a file to finding it
LATENCY = 0.3


def article(word: str, title: str, url: str) -> str:
    """An English article whose body holds ``word`` (a word no other article has)."""
    return (
        f"---\ntitle: {title}\ndate: 2026-05-24\ntags: [tech]\n---\n# {title}\n\n"
        f"The operator wrote about {word} while the bot ran.\n\n[Source]({url})\n"
    )


def found(sessions: sessionmaker[Session], word: str) -> Callable[[], list[str] | None]:
    """A probe: the titles search finds for ``word``, None while it finds none."""

    def probe() -> list[str] | None:
        with sessions() as session:
            titles = [hit.title for hit in search_articles(session, word)]
        return titles or None

    return probe


async def found_within(
    sessions: sessionmaker[Session], word: str, written: float, within: float = WITHIN
) -> list[str]:
    """What search finds for ``word``, polled until ``within`` s after ``written``."""
    titles = await wait_until(found(sessions, word), timeout=within - (time.monotonic() - written))
    assert time.monotonic() - written < within
    return titles


@pytest.fixture
def bot_settings(bot_settings: Settings, tmp_path: Path) -> Settings:
    """The harness with an empty watched articles folder (timed rescans: every 5 minutes)."""
    folder = tmp_path / "articles"
    folder.mkdir()
    return replace(bot_settings, paths=PathSettings(articles_dir=folder))


async def test_a_dropped_file_is_searchable_within_2_s_then_edited_then_in_the_digest(
    bot: BotHarness, bot_settings: Settings
) -> None:
    folder = bot_settings.paths.articles_dir
    assert folder is not None
    path = folder / "sub" / "dropped.md"
    path.parent.mkdir()
    written = time.monotonic()
    path.write_text(article("zeppelin", "Dropped in", "https://example.com/d"), encoding="utf-8")
    assert await found_within(bot.sessions, "zeppelin", written) == ["Dropped in"]

    reply = await bot.say(ANN, "/search zeppelin")
    assert "Dropped in" in reply["text"]

    edited = time.monotonic()
    path.write_text(article("dirigible", "Edited in", "https://example.com/d"), encoding="utf-8")
    assert await found_within(bot.sessions, "dirigible", edited) == ["Edited in"]
    assert found(bot.sessions, "zeppelin")() is None

    digest = await bot.say(ANN, "/digest")
    assert "Edited in" in digest["text"]


async def test_a_broken_file_beside_a_good_one_stops_nothing(
    bot: BotHarness, bot_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    folder = bot_settings.paths.articles_dir
    assert folder is not None
    caplog.set_level(logging.WARNING, logger="digestbot.bot.runtime")
    written = time.monotonic()
    (folder / "broken.md").write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")
    (folder / "good.md").write_text(article("blimp", "Good one", "https://e.com/g"), "utf-8")
    assert await found_within(bot.sessions, "blimp", written) == ["Good one"]
    await wait_until(
        lambda: True if any("broken.md" in r.getMessage() for r in caplog.records) else None, 5
    )


async def test_the_sandbox_under_latency_finds_a_dropped_file_within_2_s(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    settings = sandbox_settings(tmp_path / "data", folder)
    async with sandboxed_bot(settings, latency=LATENCY) as running:
        runtime = running.application.bot_data.runtime
        await runtime.wait_started(timeout=30)
        written = time.monotonic()
        (folder / "far.md").write_text(article("aerostat", "Far away", "https://e.com/f"), "utf-8")
        assert await found_within(running.deps.sessions, "aerostat", written) == ["Far away"]
        driver = running.emulator.driver
        driver.create_user(ANN, "Ann", None, "en")
        driver.send_text(ANN, "/search aerostat")
        reply = await driver.next_bot_message(ANN, timeout=15)
        assert "Far away" in reply["text"]
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 5  # the watch ends with the bot


async def test_without_a_watch_one_line_says_so_and_timed_rescans_go_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_watching(*_: Any, **__: Any) -> Any:
        raise OSError(28, "OS file watch limit reached")

    monkeypatch.setattr(runtime_module, "awatch", no_watching)  # the OS refuses (a boundary)
    folder = tmp_path / "articles"
    folder.mkdir()
    settings = sandbox_settings(tmp_path / "data", folder)
    settings = replace(settings, digest=replace(settings.digest, rescan_minutes=0.02))
    caplog.set_level(logging.INFO, logger="digestbot.bot.runtime")
    async with sandboxed_bot(settings) as running:
        await running.application.bot_data.runtime.wait_started(timeout=30)
        (folder / "late.md").write_text(article("gondola", "Late", "https://e.com/l"), "utf-8")
        assert await wait_until(found(running.deps.sessions, "gondola"), timeout=15) == ["Late"]
    lines = [r.getMessage() for r in caplog.records if "cannot watch" in r.getMessage()]
    assert len(lines) == 1
    assert "OS file watch limit reached" in lines[0]
    assert "rescanned every 0.02 min" in lines[0]
    assert "\n" not in lines[0]
    assert not [r for r in caplog.records if r.exc_info]


def called(api: Emulator, method: str = "getUpdates") -> Callable[[], bool | None]:
    """A probe: whether a bot has called ``method`` on ``api`` (by default: asked for updates)."""
    return lambda: True if any(e["method"] == method for e in api.recorder.recent) else None


@pytest.mark.postgres
async def test_two_bots_watching_one_folder_on_one_postgresql_load_each_file_once(
    bot_database: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    if not bot_database.startswith("postgresql"):
        pytest.skip("several bot processes share one database on PostgreSQL")
    folder, config = watched_folder_config(tmp_path)
    env = {"DIGESTBOT_DATABASE_URL": bot_database}
    async with Emulator() as first_api, Emulator() as second_api:
        bots = [
            await digestbot_process(api, "run", "--config", str(config), env=env)
            for api in (first_api, second_api)
        ]
        try:
            # one polls (one database, one updates lease); both have started their runtimes
            # right after setting their command menus
            for api in (first_api, second_api):
                await wait_until(called(api, "setMyCommands"), timeout=60)
            await wait_until(lambda: called(first_api)() or called(second_api)(), timeout=60)
            await asyncio.sleep(1)  # the watches are set up with the first round
            written = time.monotonic()
            for n in range(30):
                (folder / f"n{n:02}.md").write_text(
                    article(f"word{n}x", f"Number {n}", f"https://e.com/{n}"), "utf-8"
                )
            await wait_until(lambda: article_count(sessions) == 30 or None, timeout=WITHIN + 3)
            loaded_after = time.monotonic() - written
        finally:
            stopping = time.monotonic()
            apis = (first_api, second_api)
            logs = [await stopped_cleanly(bot, api) for bot, api in zip(bots, apis, strict=True)]
            stopped_after = time.monotonic() - stopping
    assert article_count(sessions) == 30
    assert loaded_after < WITHIN + 1  # 30 files written one by one, two processes loading
    assert stopped_after < 10
    for log in logs:
        assert "rescan failed" not in log
        assert "cannot watch" not in log
