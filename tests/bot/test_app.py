"""The application as a whole: command menus per language, start-up errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from digestbot.bot.app import build_application
from digestbot.bot.deps import BotDeps
from digestbot.bot.run import check_token
from digestbot.bot.serve import serving, webhook
from digestbot.config import TelegramSettings
from digestbot.errors import ConfigError, DigestbotError
from digestbot.sandbox.emulator import Emulator
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema
from tests.support.bot import ANN, LI, BotHarness
from tests.support.sandbox import free_port
from tests.support.settings import local_settings


async def test_command_menu_is_registered_in_both_languages(bot: BotHarness) -> None:
    bot.user(ANN)
    bot.user(LI)
    english = {c["command"]: c["description"] for c in bot.driver.commands_for(ANN)}
    chinese = {c["command"]: c["description"] for c in bot.driver.commands_for(LI)}
    assert set(english) == set(chinese) >= {"start", "help", "search", "read", "settings"}
    assert english["language"] == "Choose Chinese or English"
    assert chinese["language"] != english["language"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese["language"])


async def test_check_token_names_the_bot_or_says_what_is_wrong(emulator: Emulator) -> None:
    assert await check_token(emulator.token, emulator.base_url) == "digest_sandbox_bot"
    with pytest.raises(ConfigError, match="rejected the bot token"):
        await check_token("123:wrong-token-wrong-token-wrong", emulator.base_url)
    with pytest.raises(DigestbotError, match="cannot reach"):
        await check_token(emulator.token, "http://127.0.0.1:9")


async def test_the_bot_also_works_behind_a_webhook(emulator: Emulator, tmp_path: Path) -> None:
    engine = create_engine_for(f"sqlite:///{tmp_path}/bot.sqlite3")
    upgrade_schema(engine)
    deps = BotDeps(settings=local_settings(), sessions=session_factory(engine))
    application = build_application(deps, emulator.token, api_url=emulator.base_url)
    port = free_port()
    telegram = TelegramSettings(
        webhook_url=f"http://127.0.0.1:{port}/hook", webhook_port=port, webhook_secret="s3cret"
    )
    async with serving(application, webhook(telegram)):
        emulator.driver.create_user(ANN, "Ann", None, "en")
        emulator.driver.send_text(ANN, "/help")
        reply = await emulator.driver.next_bot_message(ANN, timeout=10)
    engine.dispose()
    assert "/search" in reply["text"]
