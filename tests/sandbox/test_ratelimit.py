"""Flood limits: per private chat (with a small burst), per group, and overall."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from digestbot.sandbox.emulator import Emulator
from digestbot.sandbox.ratelimit import RateLimitConfig, RateLimiter
from tests.support.sandbox import BotApi, FakeClock


def test_private_chat_tolerates_a_burst_then_one_a_second() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimitConfig(private_burst=3), clock)
    assert [limiter.acquire(1, is_group=False) for _ in range(4)] == [0, 0, 0, 1]
    assert limiter.acquire(2, is_group=False) == 0  # another chat has its own bucket
    clock.now += 1.0
    assert limiter.acquire(1, is_group=False) == 0
    assert limiter.acquire(1, is_group=False) == 1


def test_group_gets_twenty_a_minute() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimitConfig(), clock)
    assert all(limiter.acquire(-100, is_group=True) == 0 for _ in range(20))
    assert limiter.acquire(-100, is_group=True) == 3  # one message every 3 s refills
    clock.now += 3.0
    assert limiter.acquire(-100, is_group=True) == 0


def test_thirty_a_second_overall() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimitConfig(), clock)
    assert all(limiter.acquire(chat, is_group=False) == 0 for chat in range(1, 31))
    assert limiter.acquire(31, is_group=False) == 1
    clock.now += 0.1
    assert limiter.acquire(31, is_group=False) == 0  # 3 tokens back after 0.1 s


def test_paid_broadcasts_go_up_to_a_thousand_a_second_beside_the_free_thirty() -> None:
    clock = FakeClock()
    limiter = RateLimiter(RateLimitConfig(), clock)
    assert all(limiter.acquire(chat, is_group=False, paid=True) == 0 for chat in range(1, 1001))
    assert limiter.acquire(1001, is_group=False, paid=True) == 1
    assert limiter.acquire(1001, is_group=False) == 0  # the free budget is its own
    clock.now += 0.01  # 10 paid tokens back; a chat's own burst (3) holds too
    assert [limiter.acquire(1, is_group=False, paid=True) for _ in range(3)] == [0, 0, 1]


def test_disabled_limits_never_refuse() -> None:
    limiter = RateLimiter(RateLimitConfig(enabled=False), FakeClock())
    assert all(limiter.acquire(1, is_group=False) == 0 for _ in range(1000))


@pytest.fixture
async def api() -> AsyncIterator[BotApi]:
    """Rate limits on, time frozen: only the requests themselves spend the budget."""
    async with Emulator(clock=FakeClock()) as emu, httpx.AsyncClient() as client:
        emu.driver.create_user(1, "Ann")
        emu.driver.send_text(1, "hi")
        yield BotApi(emu, client)


async def test_429_envelope_and_retry_after_header(api: BotApi) -> None:
    for n in range(3):
        await api.ok("sendMessage", chat_id=1, text=f"n{n}")
    response = await api.call("sendMessage", chat_id=1, text="flood")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert response.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }


async def test_allow_paid_broadcast_lifts_the_overall_limit_over_http(api: BotApi) -> None:
    for chat in range(2, 42):
        api.emulator.driver.create_user(chat, f"Reader {chat}")
        api.emulator.driver.send_text(chat, "hi")
    for chat in range(2, 32):
        await api.ok("sendMessage", chat_id=chat, text="free")
    assert (await api.call("sendMessage", chat_id=32, text="free")).status_code == 429
    for chat in range(32, 42):
        await api.ok("sendMessage", chat_id=chat, text="paid", allow_paid_broadcast="true")


async def test_group_limit_over_http(api: BotApi) -> None:
    api.emulator.driver.create_group(-500, "Readers")
    for n in range(20):
        await api.ok("sendMessage", chat_id=-500, text=f"n{n}")
    assert await api.error("sendMessage", chat_id=-500, text="flood") == (
        429,
        "Too Many Requests: retry after 3",
    )


async def test_limits_can_be_switched_off() -> None:
    async with Emulator(rate_limits=False) as emu, httpx.AsyncClient() as client:
        api = BotApi(emu, client)
        emu.driver.create_user(1, "Ann")
        emu.driver.send_text(1, "hi")
        for n in range(40):
            await api.ok("sendMessage", chat_id=1, text=f"n{n}")
