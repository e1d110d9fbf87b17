"""A button press that waits longer than Telegram keeps the query open (behind the chat's paced
replies, on a loaded machine): the press is still carried out, only its toast is lost."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from digestbot.bot.app import build_application
from digestbot.bot.deps import BotDeps
from digestbot.bot.serve import long_polling, serving
from digestbot.ingest import load_paths
from digestbot.sandbox.emulator import Emulator
from tests.support.bot import LI
from tests.support.processes import SEEDS
from tests.support.settings import local_settings


async def test_a_press_answered_too_late_is_still_carried_out(
    sessions: sessionmaker[Session],
) -> None:
    load_paths(sessions, [SEEDS])
    async with Emulator(query_timeout=0.0) as emulator:  # every answer comes too late
        driver = emulator.driver
        app = build_application(
            BotDeps(local_settings(), sessions), emulator.token, api_url=emulator.base_url
        )
        async with serving(app, long_polling(timeout=1)):
            driver.create_user(LI, "李雷", None, "zh-hans")
            driver.send_text(LI, "/start")
            greeting = await driver.next_bot_message(LI, 10)
            driver.press_button(LI, greeting["message_id"], "lang:en")
            tags = await driver.next_bot_message(LI, 10)  # sent after the (refused) answer
        answers = [e for e in emulator.recorder.entries() if e["method"] == "answerCallbackQuery"]
    assert tags["text"].startswith("Pick the tags you want to follow.")
    assert [e["status"] for e in answers] == [400]
    errors = app.bot_data.metrics.handler_errors.collect()
    assert sum(s.value for m in errors for s in m.samples if s.name.endswith("_total")) == 0
