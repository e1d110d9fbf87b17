"""An admin in the sandbox hears of broken article files dropped into the folder: within a
minute, in their language, one alert for several files."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

from digestbot.bot.in_sandbox import sandboxed_bot
from digestbot.config import TelegramSettings
from tests.support.sandboxed import sandbox_settings

ADMIN = 4242
BROKEN = ["one.md", "two.md", "three.md"]


def alerts_in(transcript: list[dict[str, Any]]) -> list[str]:
    return [m["text"] for m in transcript if m["from_bot"] and "重新扫描" in m["text"]]


async def test_one_alert_in_chinese_for_several_broken_files(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "good.md").write_text("---\ntitle: Good\n---\n# Good\n\nA good one.\n", "utf-8")
    settings = replace(
        sandbox_settings(tmp_path / "data", folder),
        telegram=TelegramSettings(admin_ids=frozenset({ADMIN})),
    )
    async with sandboxed_bot(settings) as running:
        driver = running.emulator.driver
        await running.application.bot_data.runtime.wait_started()
        driver.create_user(ADMIN, "管理员", None, "zh-hans")
        driver.send_text(ADMIN, "/start")
        await driver.next_bot_message(ADMIN, timeout=20)
        for name in BROKEN:
            (folder / name).write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")

        [alert] = await driver.wait_for(
            lambda: alerts_in(driver.transcript(ADMIN)) or None, timeout=60
        )
        await asyncio.sleep(3)  # a moment for a second alert to show up, if one would
        assert alerts_in(driver.transcript(ADMIN)) == [alert]
    assert all(name in alert for name in BROKEN)
    assert "/alerts off" in alert
