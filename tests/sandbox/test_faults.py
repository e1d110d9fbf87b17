"""Injected faults: 429, 403, 500, 502, latency and dropped connections, by rule."""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram.error import NetworkError, RetryAfter

from digestbot.sandbox.emulator import Emulator
from digestbot.sandbox.faults import FaultKind, FaultRule, FaultSet
from tests.support.sandbox import BotApi, PtbApp


@pytest.fixture
async def api() -> AsyncIterator[BotApi]:
    async with Emulator(rate_limits=False, seed=1) as emu, httpx.AsyncClient() as client:
        emu.driver.create_user(1, "Ann")
        emu.driver.send_text(1, "hi")
        emu.driver.create_user(2, "Bo")
        emu.driver.send_text(2, "hi")
        yield BotApi(emu, client)


async def test_retry_after_rule_fires_count_times(api: BotApi) -> None:
    api.emulator.faults.add(
        FaultRule(FaultKind.RETRY_AFTER, method="sendmessage", count=2, retry_after=7)
    )
    for _ in range(2):
        response = await api.call("sendMessage", chat_id=1, text="x")
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "7"
        assert response.json()["parameters"] == {"retry_after": 7}
    await api.ok("sendMessage", chat_id=1, text="x")
    assert api.emulator.faults.rules == []


async def test_rule_limited_to_one_chat(api: BotApi) -> None:
    api.emulator.faults.add(FaultRule(FaultKind.FORBIDDEN, chat_id=2))
    await api.ok("sendMessage", chat_id=1, text="x")
    assert await api.error("sendMessage", chat_id=2, text="x") == (
        403,
        "Forbidden: bot was blocked by the user",
    )


async def test_server_errors(api: BotApi) -> None:
    faults = api.emulator.faults
    faults.add(FaultRule(FaultKind.SERVER_ERROR, method="getMe", count=1))
    faults.add(FaultRule(FaultKind.BAD_GATEWAY, method="getMe", count=1))
    assert await api.error("getMe") == (500, "Internal Server Error")
    response = await api.call("getMe")
    assert response.status_code == 502
    assert b"502 Bad Gateway" in response.content
    await api.ok("getMe")


async def test_latency(api: BotApi) -> None:
    api.emulator.faults.add(FaultRule(FaultKind.LATENCY, method="getMe", latency=0.2, count=1))
    started = time.perf_counter()
    await api.ok("getMe")
    assert time.perf_counter() - started >= 0.2


async def test_dropped_connection(api: BotApi) -> None:
    api.emulator.faults.add(FaultRule(FaultKind.DROP, method="getMe", count=1))
    with pytest.raises(httpx.RemoteProtocolError):
        await api.call("getMe")
    await api.ok("getMe")
    assert api.emulator.recorder.recent[-2]["status"] == 0


def test_probability_is_repeatable_with_a_seed() -> None:
    def hits(seed: int) -> list[bool]:
        faults = FaultSet(random.Random(seed))
        faults.add(FaultRule(FaultKind.SERVER_ERROR, probability=0.5))
        return [bool(faults.pick("getMe", None)) for _ in range(200)]

    assert hits(3) == hits(3)
    assert 60 < sum(hits(3)) < 140


async def test_faults_over_the_control_api(api: BotApi) -> None:
    base = f"{api.emulator.base_url}/sandbox/faults"
    created = await api.client.post(
        base, json={"kind": "429", "method": "sendMessage", "retry_after": 3}
    )
    assert created.status_code == 200
    assert created.json()["kind"] == "429"
    assert await api.error("sendMessage", chat_id=1, text="x") == (
        429,
        "Too Many Requests: retry after 3",
    )
    assert len((await api.client.get(base)).json()) == 1
    assert (await api.client.delete(base)).json() == {"removed": 1}
    await api.ok("sendMessage", chat_id=1, text="x")
    bad = await api.client.post(base, json={"kind": "teapot"})
    assert bad.status_code == 400


async def test_ptb_sees_faults_as_telegram_errors(emulator: Emulator, ptb_app: PtbApp) -> None:
    emulator.driver.create_user(1, "Ann")
    emulator.driver.send_text(1, "hi")
    async with ptb_app:
        emulator.faults.add(FaultRule(FaultKind.RETRY_AFTER, count=1, retry_after=9))
        with pytest.raises(RetryAfter) as flood:
            await ptb_app.bot.send_message(1, "x")
        assert flood.value.message == "Flood control exceeded. Retry in 9 seconds"
        emulator.faults.add(FaultRule(FaultKind.BAD_GATEWAY, count=1))
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await ptb_app.bot.send_message(1, "x")
