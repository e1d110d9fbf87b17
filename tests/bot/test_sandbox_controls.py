"""The sandbox's digest and clock routes, over HTTP, with the real bot and the seed articles."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from digestbot.sandbox_app.controls import MAX_SPEED, SandboxClock
from digestbot.sandbox_app.host import SandboxedBot, sandboxed_bot
from digestbot.sandbox_app.summary import NO_READERS
from tests.support.sandbox import FakeClock
from tests.support.sandboxed import sandbox_settings

READER = 1001
DIGEST_HEADER = "的文章摘要"
SHANGHAI = ZoneInfo("Asia/Shanghai")  # the default zone; digests at 08:00


def test_the_clock_starts_at_the_wall_time_and_runs_at_its_speed() -> None:
    start = datetime(2026, 5, 25, 7, 0, tzinfo=UTC)
    ticks = FakeClock()
    clock = SandboxClock(lambda: start, ticks)
    ticks.now += 10
    assert clock() == start + timedelta(seconds=10)
    clock.set_speed(60)
    ticks.now += 10
    assert clock() == start + timedelta(seconds=10 + 600)
    clock.advance(timedelta(hours=1))
    assert clock() == start + timedelta(seconds=10 + 600 + 3600)
    clock.set_speed(1)
    ticks.now += 10
    assert clock() == start + timedelta(seconds=10 + 600 + 3600 + 10)


@pytest.mark.parametrize("speed", [0, 0.5, MAX_SPEED + 1])
def test_the_clock_refuses_speeds_out_of_range(speed: float) -> None:
    with pytest.raises(ValueError, match="speed"):
        SandboxClock().set_speed(speed)


def test_the_clock_never_goes_back() -> None:
    with pytest.raises(ValueError, match="forward"):
        SandboxClock().advance(timedelta(minutes=-1))


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[SandboxedBot]:
    """The sandbox with a Chinese reader who has said /start."""
    async with sandboxed_bot(sandbox_settings(tmp_path), port=0) as sandbox:
        driver = sandbox.emulator.driver
        driver.create_user(READER, "李雷", None, "zh-hans")
        driver.send_text(READER, "/start")
        await driver.next_bot_message(READER, 10)
        yield sandbox


async def control(sandbox: SandboxedBot, method: str, path: str, **body: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=sandbox.emulator.base_url, timeout=30) as client:
        return await client.request(method, f"/sandbox/{path}", json=body or None)


async def next_digest(sandbox: SandboxedBot) -> dict[str, Any]:
    message = await sandbox.emulator.driver.next_bot_message(READER, 15)
    assert DIGEST_HEADER in message["text"]
    return message


def minutes_until_local(now: datetime, hour: int, minute: int) -> int:
    """Whole minutes from ``now`` to the next ``hour:minute`` in Shanghai (at least one)."""
    local = now.astimezone(SHANGHAI)
    target = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if target <= local:
        target += timedelta(days=1)
    return max(1, int((target - local).total_seconds() // 60) + 1)


async def test_send_digests_now_delivers_a_digest_to_every_active_reader(
    running: SandboxedBot,
) -> None:
    answer = await control(running, "POST", "digests/send")
    assert answer.status_code == 200
    view = answer.json()
    assert {k: view[k] for k in ("planned", "messages", "due", "skipped")} == {
        "planned": 1,
        "messages": 1,
        "due": 1,
        "skipped": 0,
    }
    assert view["summary"] == "Planned 1 digest (1 message); sending now."
    await next_digest(running)


async def test_a_second_send_now_says_there_is_nothing_new(running: SandboxedBot) -> None:
    await control(running, "POST", "digests/send")
    await next_digest(running)
    again = (await control(running, "POST", "digests/send")).json()
    assert (again["planned"], again["due"], again["skipped"]) == (0, 1, 1)
    assert "nothing new for the 1 reader since their last digest" in again["summary"]
    assert "Planned 0" not in again["summary"]


async def test_send_now_without_readers_says_to_start_the_bot(tmp_path: Path) -> None:
    async with sandboxed_bot(sandbox_settings(tmp_path), port=0) as sandbox:
        view = (await control(sandbox, "POST", "digests/send")).json()
    assert view["planned"] == 0
    assert view["summary"] == NO_READERS


async def test_a_clock_move_with_nobody_due_says_when_the_next_digest_comes(
    running: SandboxedBot,
) -> None:
    before = datetime.fromisoformat((await control(running, "GET", "clock")).json()["now"])
    moved = await control(
        running, "POST", "clock", advance_minutes=minutes_until_local(before, 7, 0)
    )
    summary = moved.json()["summary"]
    assert summary.startswith("Nobody is due: each reader gets the digest at their own time, ")
    assert "The next is at 08:00 Asia/Shanghai, in " in summary
    assert "Send digests now" in summary


async def test_moving_the_clock_past_the_digest_time_delivers_the_scheduled_digest(
    running: SandboxedBot,
) -> None:
    before = datetime.fromisoformat((await control(running, "GET", "clock")).json()["now"])
    minutes = minutes_until_local(before, 8, 1)
    moved = (await control(running, "POST", "clock", advance_minutes=minutes)).json()
    assert datetime.fromisoformat(moved["now"]) >= before + timedelta(minutes=minutes)
    assert moved["planned"] == 1
    await next_digest(running)


async def test_a_fast_clock_ticks_every_simulated_minute(running: SandboxedBot) -> None:
    before = datetime.fromisoformat((await control(running, "GET", "clock")).json()["now"])
    almost = await control(
        running, "POST", "clock", advance_minutes=minutes_until_local(before, 7, 59)
    )
    assert almost.json()["planned"] == 0
    fast = (await control(running, "POST", "clock", speed=MAX_SPEED)).json()
    assert fast["speed"] == MAX_SPEED
    await next_digest(running)  # the next fast tick, a second later, is an hour on


@pytest.mark.parametrize(
    "body",
    [{}, {"speed": 0}, {"speed": "fast"}, {"speed": True}, {"advance_minutes": -5}],
)
async def test_bad_clock_requests_are_400(running: SandboxedBot, body: dict[str, Any]) -> None:
    answer = await control(running, "POST", "clock", **body)
    assert answer.status_code == 400
    assert answer.json()["error"]
