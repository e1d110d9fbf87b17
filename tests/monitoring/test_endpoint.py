"""The monitoring endpoint of a running bot: metrics that match what the sandbox received,
readiness that follows the database, one line for a busy address."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from digestbot.bot.app import build_application
from digestbot.bot.deps import BotDeps
from digestbot.bot.serve import long_polling, serving
from digestbot.model import Lang
from digestbot.sandbox.emulator import Emulator
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema
from digestbot.store.models import OutboxState
from tests.bot.test_digest_command import follow, outbox_rows
from tests.support.bot import LI, BotHarness
from tests.support.processes import digestbot_process
from tests.support.settings import local_settings
from tests.support.tcp_gate import TcpGate


def all_sent_now(bot: BotHarness) -> bool:
    rows = outbox_rows(bot, LI)
    return bool(rows) and all(row.state is OutboxState.SENT for row in rows)


def endpoint(bot: BotHarness) -> str:
    server = bot.app.bot_data.monitoring
    assert server is not None
    return f"http://127.0.0.1:{server.port}"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, parsed with prometheus_client's own parser."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_after_a_digest_the_sent_counter_equals_what_the_sandbox_received(
    bot: BotHarness,
) -> None:
    await bot.say(LI, "/start")  # the bot may write to LI from now on
    follow(bot, LI, Lang.ZH, ())
    greeted = {m["message_id"] for m in bot.driver.transcript(LI) if m["from_bot"]}
    report = await bot.runtime.tick(force=True)
    assert report is not None
    assert report.messages > 0
    assert await bot.driver.wait_for(lambda: True if all_sent_now(bot) else None, 10)
    digest = {m["message_id"] for m in bot.driver.transcript(LI) if m["from_bot"]} - greeted
    assert digest == {row.message_id for row in outbox_rows(bot, LI)}
    received = sorted(digest)
    async with httpx.AsyncClient() as client:
        scraped = await client.get(f"{endpoint(bot)}/metrics")
    assert scraped.status_code == 200
    found = samples(scraped.text)
    assert (
        found[("digestbot_messages_sent_total", ())] == len(received) == len(outbox_rows(bot, LI))
    )
    assert found[("digestbot_digests_planned_total", ())] >= 1
    assert found[("digestbot_outbox_messages", (("state", "pending"),))] == 0
    assert found[("digestbot_subscribers", (("language", "zh"), ("state", "active")))] == 1
    assert found[("digestbot_articles", ())] > 0
    sends = ("digestbot_bot_api_request_duration_seconds_count",
             (("client", "sender"), ("method", "sendMessage")))  # fmt: skip
    assert found[sends] == len(received)
    assert ("digestbot_flood_waits_total", (("client", "sender"),)) not in found
    labels = {dict(labels).get("method") for _, labels in found if labels}
    assert not any(str(LI) in str(label) for label in labels)  # no chat id in any label


async def test_ready_when_up_and_live_meanwhile(bot: BotHarness) -> None:
    async with httpx.AsyncClient() as client:
        live = await client.get(f"{endpoint(bot)}/healthz")
        for _ in range(100):  # the sender may still be asking getMe
            ready = await client.get(f"{endpoint(bot)}/readyz")
            if ready.status_code == 200:
                break
            await asyncio.sleep(0.1)
    assert live.status_code == 200
    assert ready.status_code == 200, ready.text
    body = ready.json()
    assert body["ready"] is True
    assert set(body["checks"]) == {"database", "runtime", "sender", "tick", "bot_api"}


@pytest.mark.postgres
async def test_readyz_follows_the_database_away_and_back_while_healthz_stays_200(
    gated_postgres: tuple[str, TcpGate], tmp_path: Path
) -> None:
    url, gate = gated_postgres
    engine = create_engine_for(url)
    await asyncio.to_thread(upgrade_schema, engine)  # the gate forwards on this event loop
    settings = replace(local_settings(), database=replace(local_settings().database, url=url))
    async with Emulator() as emulator:
        application = build_application(
            BotDeps(settings, session_factory(engine)), emulator.token, api_url=emulator.base_url
        )
        async with (
            serving(application, long_polling(timeout=1)) as runtime,
            httpx.AsyncClient(timeout=10) as client,
        ):
            await runtime.wait_started()
            server = application.bot_data.monitoring
            assert server is not None
            root = f"http://127.0.0.1:{server.port}"

            async def ready_turns(status: int) -> float:
                loop = asyncio.get_running_loop()
                started = loop.time()
                while (await client.get(f"{root}/readyz")).status_code != status:
                    assert (await client.get(f"{root}/healthz")).status_code == 200
                    assert loop.time() - started < 10, f"/readyz is not {status} after 10 s"
                    await asyncio.sleep(0.2)
                return loop.time() - started

            await ready_turns(200)
            await gate.shut()
            await ready_turns(503)
            down = (await client.get(f"{root}/readyz")).json()
            assert down["checks"]["database"]["ok"] is False
            await gate.open()
            await ready_turns(200)
    engine.dispose()


async def test_a_busy_monitoring_address_is_one_line_naming_the_setting(
    emulator: Emulator, tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {
            "DIGESTBOT_MONITORING_ADDRESS": f"127.0.0.1:{port}",
            "DIGESTBOT_DATA_DIR": str(tmp_path / "data"),
        }
        process = await digestbot_process(emulator, "run", env=env)
        _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 1
    last = err.decode().strip().splitlines()[-1]
    assert last.startswith(f"digestbot: error: [monitoring] address 127.0.0.1:{port} cannot be")
    assert "Traceback" not in err.decode()
