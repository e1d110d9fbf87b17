"""End-to-end harness: the real bot, polling the sandbox emulator over HTTP, on a real database.

A test reads::

    async def test_help(bot: BotHarness) -> None:
        reply = await bot.say(ANN, "/help")
        assert "/search" in reply["text"]

Every Bot API request the bot makes is recorded; a test fails if any got a 400 from the emulator.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from digestbot.bot.app import PtbApplication, build_application
from digestbot.bot.deps import BotDeps
from digestbot.bot.runtime import Runtime
from digestbot.bot.serve import long_polling, serving
from digestbot.config import Settings, TelegramSettings
from digestbot.ingest import load_paths
from digestbot.sandbox.driver import Driver
from digestbot.sandbox.emulator import Emulator
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema
from tests.support.databases import postgres_schema
from tests.support.settings import local_settings

__all__ = ["ADMIN", "ANN", "LI", "BotHarness", "Clock"]

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
ANN = 1001  # an English-speaking reader
LI = 1002  # a Chinese-speaking reader
ADMIN = 1099


@dataclass
class Clock:
    """A controllable UTC clock for the bot's notion of now."""

    now: datetime = field(default_factory=lambda: datetime(2026, 5, 25, 0, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now


@dataclass
class BotHarness:
    """The running bot, its emulator, its database and its clock."""

    emulator: Emulator
    app: PtbApplication
    deps: BotDeps
    clock: Clock
    record_path: Path

    @property
    def driver(self) -> Driver:
        return self.emulator.driver

    @property
    def sessions(self) -> sessionmaker[Session]:
        return self.deps.sessions

    def user(self, user_id: int, first_name: str = "", language_code: str | None = None) -> int:
        """Create a simulated user (defaults: ANN speaks English, LI Chinese)."""
        defaults = {ANN: ("Ann", "en"), LI: ("李雷", "zh-hans"), ADMIN: ("Ada", "en")}
        name, code = defaults.get(user_id, ("Reader", "en"))
        self.driver.create_user(user_id, first_name or name, None, language_code or code)
        return user_id

    async def say(self, user_id: int, text: str, timeout: float = 10.0) -> dict[str, Any]:
        """The user writes ``text``; returns the bot's next message in their chat."""
        if user_id not in self.driver.state.users:
            self.user(user_id)
        self.driver.send_text(user_id, text)
        return await self.driver.next_bot_message(user_id, timeout)

    async def replies(
        self, user_id: int, count: int, timeout: float = 15.0
    ) -> list[dict[str, Any]]:
        """The bot's next ``count`` messages in the user's chat."""
        return [await self.driver.next_bot_message(user_id, timeout) for _ in range(count)]

    async def press(self, user_id: int, message: dict[str, Any], data: str) -> dict[str, Any]:
        """Press the button with ``data`` under ``message``; returns the callback answer."""
        update = self.driver.press_button(user_id, message["message_id"], data)
        answer: dict[str, Any] = await self.driver.callback_answer(update["callback_query"]["id"])
        return answer

    def message(self, user_id: int, message_id: int) -> dict[str, Any]:
        """A message of the user's chat as it is now (edits applied)."""
        for entry in self.driver.transcript(user_id):
            if entry["message_id"] == message_id:
                return entry
        raise LookupError(f"no message {message_id} in chat {user_id}")

    @property
    def runtime(self) -> Runtime:
        """The bot's sender, tick, rescan and clean-up."""
        return self.app.bot_data.runtime

    def requests(self) -> list[dict[str, Any]]:
        """Every Bot API exchange so far, oldest first."""
        if not self.record_path.exists():
            return []
        lines = self.record_path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line]


def button_data(message: dict[str, Any]) -> list[str]:
    """The callback data of every inline button under ``message``, row by row."""
    markup = message.get("reply_markup") or {}
    return [
        button["callback_data"]
        for row in markup.get("inline_keyboard", [])
        for button in row
        if "callback_data" in button
    ]


def button_labels(message: dict[str, Any]) -> list[str]:
    """The text of every inline button under ``message``."""
    markup = message.get("reply_markup") or {}
    return [button["text"] for row in markup.get("inline_keyboard", []) for button in row]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def bot_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The end-to-end database: SQLite, and PostgreSQL too where it runs."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/data/bot.sqlite3"
        return
    with postgres_schema() as url:
        yield url


@pytest.fixture
def sessions(bot_database: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on a migrated, empty database (SQLite, and PostgreSQL where it runs)."""
    engine = create_engine_for(bot_database)
    upgrade_schema(engine)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def bot_settings() -> Settings:
    """Settings for the bot under test (override the fixture to change them)."""
    return replace(local_settings(), telegram=TelegramSettings(admin_ids=frozenset({ADMIN})))


@pytest.fixture
def bot_latency() -> float:
    """Seconds every Bot API call takes in the emulator (override the fixture to slow it down)."""
    return 0.0


@pytest.fixture
async def bot(
    bot_database: str, bot_settings: Settings, bot_latency: float, tmp_path: Path
) -> AsyncIterator[BotHarness]:
    """The bot with the seed articles loaded, polling a fresh emulator (rate limits on)."""
    engine = create_engine_for(bot_database)
    upgrade_schema(engine)
    sessions = session_factory(engine)
    report = load_paths(sessions, [SEEDS])
    assert not report.rejected, report.rejected
    clock = Clock()
    record_path = tmp_path / "requests.jsonl"
    async with Emulator(record_path=record_path, latency=bot_latency) as emulator:
        deps = BotDeps(settings=bot_settings, sessions=sessions, clock=clock)
        app = build_application(deps, emulator.token, api_url=emulator.base_url)
        harness = BotHarness(emulator, app, deps, clock, record_path)
        async with serving(app, long_polling(timeout=1)) as runtime:
            await runtime.wait_started()
            yield harness
    engine.dispose()
    rejected = [entry for entry in harness.requests() if entry["status"] == 400]
    if rejected:
        pytest.fail(
            "the emulator rejected requests the bot sent:\n"
            + "\n".join(f"{e['method']}: {e['response']['description']}" for e in rejected)
        )
