"""``digestbot run`` as a process against a Bot API server (the emulator, in this test's loop)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from digestbot.sandbox.emulator import Emulator
from tests.support.processes import wait_until

ROOT = Path(__file__).resolve().parents[2]


async def _run_bot(emulator: Emulator, tmp_path: Path, token: str) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "DIGESTBOT_TOKEN": token,
        "DIGESTBOT_API_URL": emulator.base_url,
        "DIGESTBOT_DATA_DIR": str(tmp_path / "data"),
        "DIGESTBOT_MONITORING_ADDRESS": "127.0.0.1:0",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "digestbot", "run", "--config", "config/digestbot.toml",
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def test_run_answers_readers_and_stops_cleanly_on_sigterm(
    emulator: Emulator, tmp_path: Path
) -> None:
    process = await _run_bot(emulator, tmp_path, emulator.token)
    try:
        emulator.driver.create_user(5, "Wei", None, "zh-hans")
        emulator.driver.send_text(5, "/help")
        reply = await emulator.driver.next_bot_message(5, timeout=30)
        assert "/search" in reply["text"]
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, err.decode()
    assert "Traceback" not in err.decode()
    assert emulator.token not in err.decode()


async def test_a_rejected_token_is_one_clear_line(emulator: Emulator, tmp_path: Path) -> None:
    process = await _run_bot(emulator, tmp_path, "123456:not-the-right-token-at-all")
    _, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 1
    assert err.decode().strip().splitlines()[-1] == (
        f"digestbot: error: the Bot API server ({emulator.base_url}) rejected the bot token"
    )
    assert "Traceback" not in err.decode()


async def test_sigterm_during_a_slow_start_stops_it_at_once(tmp_path: Path) -> None:
    async with Emulator(latency=2.0) as emulator:  # the start takes 10 s or more at this pace
        process = await _run_bot(emulator, tmp_path, emulator.token)
        # its first Bot API call is answered: the start is under way (not Python's imports)
        await wait_until(lambda: emulator.recorder.entries() or None, timeout=60)
        loop = asyncio.get_running_loop()
        signalled = loop.time()
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), timeout=30)
        stopped_after = loop.time() - signalled
    assert process.returncode == 0, err.decode()
    assert "Traceback" not in err.decode()
    assert stopped_after < 5.0  # one call in flight to finish at most, not the rest of the start
