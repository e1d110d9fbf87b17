"""PostgreSQL away for 30 s under a running bot, with Telegram 0.3 s away.

Readers are answered meanwhile, each in their own Telegram language ("try again in a minute"),
the outage is one warning and one "back" line in the log (no traceback per update or retry),
the digest that fell due during the outage is planned and sent once the database is back, and
nothing needs a restart.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.exc import OperationalError

from digestbot import messages
from digestbot.bot.app import build_application
from digestbot.bot.deps import BotDeps
from digestbot.bot.serve import LEASE_CHECK_SECONDS, long_polling, serving
from digestbot.config import PathSettings
from digestbot.i18n import translator
from digestbot.ingest import load_paths
from digestbot.model import Lang
from digestbot.sandbox.emulator import Emulator
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema
from digestbot.store.leases import Lease
from tests.support.databases import PG_DSN, postgres_schema
from tests.support.processes import SEEDS, add_due_reader, delivered
from tests.support.settings import local_settings
from tests.support.tcp_gate import TcpGate

OUTAGE_SECONDS = 30.0
DUE_LATER = 701  # digest time 23:59 UTC: falls due while the database is away
ZH_READER = 702
EN_READER = 703


class Clock:
    """The bot's clock, which the test moves."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def answer(emulator: Emulator, user_id: int, text: str) -> str:
    emulator.driver.send_text(user_id, text)
    reply: dict[str, Any] = await emulator.driver.next_bot_message(user_id, 20)
    return str(reply["text"])


@pytest.mark.postgres
@pytest.mark.parametrize("leased", [False, True], ids=["polling", "polling-with-lease"])
async def test_thirty_seconds_without_postgresql(
    gated_postgres: tuple[str, TcpGate],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    leased: bool,
) -> None:
    """With the updates lease (several processes on one database), the poller polls on through
    the outage: its lease check fails, and nobody can take over meanwhile."""
    url, gate = gated_postgres
    engine = create_engine_for(url)
    sessions = session_factory(engine)
    await asyncio.to_thread(upgrade_schema, engine)  # the gate forwards on this event loop
    await asyncio.to_thread(load_paths, sessions, [SEEDS], workers=1)
    settings = replace(
        local_settings(),
        database=replace(local_settings().database, url=url),
        paths=PathSettings(data_dir=tmp_path / "data", articles_dir=None),
    )
    today = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    clock = Clock(today)
    caplog.set_level(logging.INFO)
    async with Emulator(latency=0.3) as emulator:
        await asyncio.to_thread(add_due_reader, emulator, sessions, DUE_LATER, due=False)
        emulator.driver.create_user(ZH_READER, "李雷", None, "zh-hans")
        emulator.driver.create_user(EN_READER, "Ann", None, "en")
        application = build_application(
            BotDeps(settings, sessions, clock=clock), emulator.token, api_url=emulator.base_url
        )
        lease = Lease(engine, "updates") if leased else None
        async with serving(application, long_polling(timeout=1, lease=lease)) as runtime:
            await runtime.wait_started()
            await emulator.driver.next_bot_message(DUE_LATER, 20)  # its /start, answered
            caplog.clear()

            await gate.shut()
            loop = asyncio.get_running_loop()
            back_at = loop.time() + OUTAGE_SECONDS
            clock.now = today.replace(hour=23, minute=59, second=30)
            await asyncio.sleep(LEASE_CHECK_SECONDS + 1)  # past a lease check in the outage
            zh_apology = await answer(emulator, ZH_READER, "/start")
            en_apology = await answer(emulator, EN_READER, "阿里巴巴")
            with pytest.raises(OperationalError):
                await runtime.tick()  # the minute's tick cannot plan
            await asyncio.sleep(back_at - loop.time())
            await gate.open()

            await delivered(emulator, sessions, DUE_LATER)
            greeting = await answer(emulator, ZH_READER, "/start")
        application.bot_data.deps.health.answered()  # (already back: no second line)
    engine.dispose()

    assert zh_apology == translator(Lang.ZH).gettext(messages.ERROR_STORE_AWAY)
    assert en_apology == translator(Lang.EN).gettext(messages.ERROR_STORE_AWAY)
    assert greeting != zh_apology
    ours = [r for r in caplog.records if r.name.startswith("digestbot")]
    assert [r for r in ours if r.exc_info] == []
    away = [r.getMessage() for r in ours if r.levelno >= logging.WARNING]
    assert sum("database unreachable" in line for line in away) == 1, away
    assert sum("database reachable again" in line for line in away) == 1, away
    assert clock.now - today < timedelta(days=1)


@pytest.mark.postgres
async def test_a_database_dropped_and_created_again_empty_is_set_up_again_without_a_restart(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    with postgres_schema() as url:
        schema = url.rsplit("%3D", 1)[1]
        engine = create_engine_for(url)
        upgrade_schema(engine)
        settings = replace(
            local_settings(),
            database=replace(local_settings().database, url=url),
            paths=PathSettings(data_dir=tmp_path / "data", articles_dir=SEEDS),
        )
        async with Emulator(latency=0.3) as emulator:
            emulator.driver.create_user(ZH_READER, "李雷", None, "zh-hans")
            application = build_application(
                BotDeps(settings, session_factory(engine)),
                emulator.token,
                api_url=emulator.base_url,
            )
            async with serving(application, long_polling(timeout=1)) as runtime:
                await runtime.wait_started()
                await answer(emulator, ZH_READER, "/start")
                with psycopg.connect(PG_DSN, autocommit=True) as conn:
                    conn.execute(f"DROP SCHEMA {schema} CASCADE")
                    conn.execute(f"CREATE SCHEMA {schema}")
                engine.dispose()  # (connections would keep seeing the old tables' plans)
                apology = await answer(emulator, ZH_READER, "阿里巴巴")

                async def found() -> str:
                    while True:
                        await asyncio.sleep(1)
                        reply = await answer(emulator, ZH_READER, "阿里巴巴")
                        if reply != apology:
                            return reply

                results = await asyncio.wait_for(found(), 30)
        engine.dispose()
    assert apology == translator(Lang.ZH).gettext(messages.ERROR_STORE_AWAY)
    assert "阿里巴巴" in results
    lost = [r.getMessage() for r in caplog.records if "lost digestbot's tables" in r.getMessage()]
    assert len(lost) == 1
