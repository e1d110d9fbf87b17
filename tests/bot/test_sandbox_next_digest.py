"""The sandbox page's "next digest" hint follows the readers' rhythms, end to end: the real bot
in the sandbox with Telegram 0.2 s away, readers in Simplified Chinese, Hong Kong's Traditional
and English choosing their rhythm with the buttons, then a clock move."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from digestbot.sandbox_app.host import SandboxedBot, sandboxed_bot
from tests.support.sandboxed import sandbox_settings

READERS = {2001: ("李雷", "zh-hans"), 2002: ("家豪", "zh-hk"), 2003: ("Ann", "en")}
LATENCY = 0.2


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[SandboxedBot]:
    async with sandboxed_bot(sandbox_settings(tmp_path), port=0, latency=LATENCY) as running:
        yield running


async def control(sandbox: SandboxedBot, method: str, path: str, **body: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=sandbox.emulator.base_url, timeout=30) as client:
        answer = await client.request(method, f"/sandbox/{path}", json=body or None)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


async def choose(sandbox: SandboxedBot, user: int, *presses: str) -> None:
    """/settings, open the rhythm screen, then press each button in turn."""
    driver = sandbox.emulator.driver
    driver.send_text(user, "/settings")
    settings = await driver.next_bot_message(user, 10)
    for data in ("rh:open", *presses):
        update = driver.press_button(user, settings["message_id"], data)
        await driver.callback_answer(update["callback_query"]["id"], 10)


async def test_the_next_digest_hint_skips_days_the_readers_rhythms_have_none(
    sandbox: SandboxedBot,
) -> None:
    driver = sandbox.emulator.driver
    for user, (name, code) in READERS.items():
        driver.create_user(user, name, None, code)
        driver.send_text(user, "/start")
        await driver.next_bot_message(user, 10)
    now = datetime.fromisoformat((await control(sandbox, "GET", "clock"))["now"])
    today = (now + timedelta(hours=8)).date()  # in Shanghai, every reader's zone
    weekly = today + timedelta(days=3)
    until = today + timedelta(days=7)
    await choose(sandbox, 2001, "rh:wk", f"rh:w:{weekly.weekday()}")
    await choose(sandbox, 2002, "rh:pz", f"rh:p:{until:%Y%m%d}")
    await choose(sandbox, 2003, "rh:pz", f"rh:p:{until:%Y%m%d}")
    moved = await control(sandbox, "POST", "clock", advance_minutes=1)
    assert moved["due"] == 0
    summary = moved["summary"]
    assert summary.startswith("Nobody is due: each reader gets the digest at their own time, on")
    when = f"The next is at 08:00 Asia/Shanghai on {weekly:%A} {weekly.isoformat()}, in "
    assert when in summary
    at = datetime.combine(weekly, datetime.min.time(), UTC)  # 08:00 in Shanghai
    assert f", in {(at - datetime.fromisoformat(moved['now'])).days} days " in summary

    await choose(sandbox, 2001, "rh:pz", f"rh:p:{until:%Y%m%d}")  # now every reader pauses
    summary = (await control(sandbox, "POST", "clock", advance_minutes=1))["summary"]
    assert f"The next is at 08:00 Asia/Shanghai on {until:%A} {until.isoformat()}, in " in summary
