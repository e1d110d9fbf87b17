"""``digestbot digest send`` and ``digestbot stats`` against the emulator over HTTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from digestbot.cli import main
from digestbot.ingest import load_paths
from digestbot.sandbox.emulator import Emulator
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema
from tests.support.outbox import add_readers, bot_texts

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    """The emulator without flood limits (the sender's pacing is tested elsewhere)."""
    async with Emulator(rate_limits=False) as emu:
        yield emu


@pytest.fixture
def database(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'data' / 'digestbot.sqlite3'}"


@pytest.fixture
def store(database: str) -> sessionmaker[Session]:
    """The seed articles loaded."""
    engine = create_engine_for(database)
    upgrade_schema(engine)
    sessions = session_factory(engine)
    assert not load_paths(sessions, [SEEDS]).rejected
    return sessions


@pytest.fixture
def bot_env(emulator: Emulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The token and the emulator's address in the environment; quick pacing in the config."""
    config = tmp_path / "digestbot.toml"
    config.write_text("[delivery]\nrate_per_second = 30\nper_chat_interval = 0.1\n")
    monkeypatch.setenv("DIGESTBOT_CONFIG", str(config))
    monkeypatch.setenv("DIGESTBOT_TOKEN", emulator.token)
    monkeypatch.setenv("DIGESTBOT_API_URL", emulator.base_url)


async def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI on a thread (it runs its own event loop) while the emulator serves here."""
    status = await asyncio.to_thread(main, list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.usefixtures("bot_env")
async def test_send_now_gives_every_reader_a_digest_and_a_second_send_nothing(
    emulator: Emulator,
    store: sessionmaker[Session],
    database: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    add_readers(emulator, store, range(1, 6))
    emulator.driver.block(5)

    status, out, err = await run(capsys, "digest", "send", "--now", "--database", database)
    assert status == 0, err
    messages = sum(len(bot_texts(emulator, chat_id)) for chat_id in range(1, 5))
    assert out.strip().splitlines()[-1] == f"sent {messages}, failed 0, blocked 1, deferred 0"
    assert all(bot_texts(emulator, chat_id) for chat_id in range(1, 5))
    assert "planned 5 digests" in err

    status, out, _ = await run(capsys, "digest", "send", "--database", database)
    assert status == 0
    assert out.strip() == "sent 0, failed 0, blocked 0, deferred 0"

    status, out, _ = await run(capsys, "stats", "--json", "--database", database)
    stats = json.loads(out)
    assert stats["subscribers"] == {"active": 4, "unsubscribed": 0, "blocked": 1}
    assert stats["delivery"] == {"sent_today": messages, "pending": 0, "failed": 0, "blocked": 1}
    assert stats["articles"] > 0

    status, out, _ = await run(capsys, "stats", "--database", database)
    assert status == 0
    assert f"delivery: {messages} sent today (UTC), 0 pending, 0 failed, 1 readers" in out
    assert "subscribers: 4 active, 0 unsubscribed, 1 blocked" in out


async def test_send_without_a_token_says_how_to_give_one(
    database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("DIGESTBOT_TOKEN", "DIGESTBOT_TOKEN_FILE", "DIGESTBOT_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    status, out, err = await run(capsys, "digest", "send", "--database", database)
    assert status == 1
    assert out == ""
    assert "no bot token" in err
    assert "DIGESTBOT_TOKEN" in err
    assert "Traceback" not in err


async def test_send_with_a_rejected_token_says_so(
    emulator: Emulator,
    store: sessionmaker[Session],
    database: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DIGESTBOT_TOKEN", "999:not-this-bot")
    monkeypatch.setenv("DIGESTBOT_API_URL", emulator.base_url)
    status, out, err = await run(capsys, "digest", "send", "--database", database)
    assert status == 1
    assert out == ""
    assert "Telegram rejected the bot token" in err
    assert "not-this-bot" not in err
