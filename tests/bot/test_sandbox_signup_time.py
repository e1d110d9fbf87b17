"""The sandbox's clock is the bot's clock for what it stores: a reader signs up at sandbox time."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import select

from digestbot.sandbox_app.host import SandboxedBot, sandboxed_bot
from digestbot.store.models import Subscriber
from tests.support.sandboxed import sandbox_settings

READER = 1001
SHANGHAI = ZoneInfo("Asia/Shanghai")  # the default zone; digests at 08:00


async def move_clock(sandbox: SandboxedBot, **body: Any) -> dict[str, Any]:
    """POST /sandbox/clock; the answer (``now`` and what the tick it ran planned)."""
    async with httpx.AsyncClient(base_url=sandbox.emulator.base_url, timeout=30) as client:
        answer = await client.post("/sandbox/clock", json=body)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def minutes_until_local(now: datetime, hour: int, minute: int) -> int:
    """Whole minutes from ``now`` to the next ``hour:minute`` in Shanghai (at least one)."""
    local = now.astimezone(SHANGHAI)
    target = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if target <= local:
        target += timedelta(days=1)
    return max(1, int((target - local).total_seconds() // 60) + 1)


async def test_a_reader_who_signs_up_after_the_digest_time_gets_the_first_digest_next_day(
    tmp_path: Path,
) -> None:
    async with sandboxed_bot(sandbox_settings(tmp_path), port=0) as sandbox:
        now = sandbox.deps.clock()
        # a day ahead of the real time and past 08:00 there: noon in Shanghai
        moved = await move_clock(sandbox, advance_minutes=24 * 60 + minutes_until_local(now, 12, 0))
        noon = datetime.fromisoformat(moved["now"])
        driver = sandbox.emulator.driver
        driver.create_user(READER, "李雷", None, "zh-hans")
        driver.send_text(READER, "/start")
        greeting = await driver.next_bot_message(READER, 10)
        assert "08:00" in greeting["text"]  # told: the digest comes every day at 08:00

        with sandbox.deps.sessions() as session:
            signed_up = session.scalar(
                select(Subscriber.created_at).where(Subscriber.chat_id == READER)
            )
        assert signed_up is not None
        assert signed_up >= noon  # the sandbox's time, not the real one a day earlier

        later = await move_clock(sandbox, advance_minutes=1)
        assert later["planned"] == 0  # no digest at 12:01: the first one is due tomorrow

        tomorrow = await move_clock(
            sandbox,
            advance_minutes=minutes_until_local(datetime.fromisoformat(later["now"]), 8, 1),
        )
        assert tomorrow["planned"] == 1
        digest = await driver.next_bot_message(READER, 15)
        assert "的文章摘要" in digest["text"]
