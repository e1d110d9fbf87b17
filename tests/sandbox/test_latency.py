"""Simulated network latency: every Bot API call waits, in parallel; ``/sandbox/`` does not."""

from __future__ import annotations

import asyncio
import logging
import random
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from digestbot.cli import main
from digestbot.cli.parser import build_parser
from digestbot.sandbox.emulator import Emulator
from digestbot.sandbox.latency import MAX_SECONDS, NetworkDelay
from tests.support.sandbox import BotApi

ROOT = Path(__file__).resolve().parents[2]


@asynccontextmanager
async def far_away(**options: Any) -> AsyncIterator[BotApi]:
    """An emulator built with ``options`` (rate limits off), users 1-5 who said hi, a client."""
    async with Emulator(rate_limits=False, **options) as emu, httpx.AsyncClient() as client:
        for user_id in range(1, 6):
            emu.driver.create_user(user_id, f"User {user_id}")
            emu.driver.send_text(user_id, "hi")
        yield BotApi(emu, client)


async def _timed(call: Awaitable[object]) -> float:
    started = time.perf_counter()
    await call
    return time.perf_counter() - started


async def test_a_call_waits_the_latency() -> None:
    async with far_away(latency=0.3) as api:
        assert await _timed(api.ok("getMe")) >= 0.3


async def test_concurrent_calls_wait_in_parallel() -> None:
    latency = 0.5
    async with far_away(latency=latency) as api:
        sends = [api.ok("sendMessage", chat_id=chat, text="hi") for chat in range(1, 6)]
        elapsed = await _timed(asyncio.gather(*sends))
    assert elapsed >= latency
    assert elapsed < 5 * latency / 2  # serialized they would take 5 * latency


async def test_jitter_stays_in_its_band_and_repeats_with_the_seed() -> None:
    latency, jitter, seed = 0.1, 0.2, 7
    twin = random.Random(seed)  # the emulator's rng draws only the delays here
    expected = [latency + twin.uniform(0.0, jitter) for _ in range(8)]
    assert all(latency <= delay <= latency + jitter for delay in expected)
    async with far_away(latency=latency, jitter=jitter, seed=seed) as api:
        for delay in expected:
            elapsed = await _timed(api.ok("getMe"))
            assert elapsed >= delay
            assert elapsed < delay + 1.0  # a wide margin for a loaded machine


@given(
    latency=st.floats(0.0, MAX_SECONDS),
    jitter=st.floats(0.0, MAX_SECONDS),
    seed=st.integers(0, 2**32),
)
def test_a_drawn_delay_is_within_latency_and_latency_plus_jitter(
    latency: float, jitter: float, seed: int
) -> None:
    delay = NetworkDelay(latency, jitter)
    draws = [delay.draw(random.Random(seed)) for _ in range(2)]
    assert latency <= draws[0] <= latency + jitter
    assert draws[0] == draws[1]


async def test_control_routes_and_the_page_are_not_delayed() -> None:
    async with far_away(latency=MAX_SECONDS) as api:
        client = httpx.AsyncClient(base_url=api.emulator.base_url, timeout=5)
        async with client:
            assert (await client.get("/sandbox/users")).status_code == 200
            assert (await client.get("/sandbox/latency")).json()["latency"] == MAX_SECONDS
            assert (await client.get("/sandbox/ui/")).status_code in {200, 404}
            with pytest.raises(httpx.ReadTimeout):  # while the Bot API does wait
                await api.client.get(api.url("getMe"), timeout=0.3)


async def test_a_call_abandoned_mid_wait_is_never_handled(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with far_away(latency=0.5) as api:
        with pytest.raises(httpx.ReadTimeout):
            await api.client.post(
                api.url("sendMessage"), json={"chat_id": 1, "text": "lost"}, timeout=0.1
            )
        await asyncio.sleep(0.6)  # past the wait the server would have slept
        await api.ok("sendMessage", chat_id=1, text="arrived")
        texts = [m["text"] for m in api.emulator.driver.transcript(1)]
        methods = [entry["method"] for entry in api.emulator.recorder.recent]
    assert "lost" not in texts
    assert "arrived" in texts
    assert methods == ["sendMessage"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_the_control_api_sets_and_reads_the_latency() -> None:
    async with far_away(seed=1) as api:
        root = f"{api.emulator.base_url}/sandbox/latency"
        assert (await api.client.get(root)).json() == {"latency": 0.0, "jitter": 0.0}
        answer = await api.client.post(root, json={"latency": 0.3, "jitter": 0.1})
        assert (answer.status_code, answer.json()) == (200, {"latency": 0.3, "jitter": 0.1})
        assert await _timed(api.ok("getMe")) >= 0.3
        kept = await api.client.post(root, json={"latency": 0})
        assert kept.json() == {"latency": 0.0, "jitter": 0.1}  # an omitted field stays
        assert (await api.client.get(root)).json() == {"latency": 0.0, "jitter": 0.1}


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b'{"latency": -1}', "latency must be between 0 and 30 seconds, not -1"),
        (b'{"latency": 0.2, "jitter": 31}', "jitter must be between 0 and 30 seconds, not 31"),
        (b'{"latency": "1"}', "latency must be a number of seconds"),
        (b'{"latency": true}', "latency must be a number of seconds"),
        (b'{"latency": null}', "latency must be a number of seconds"),
        (b'{"latency": NaN}', "latency must be a number of seconds"),
        (b'{"latncy": 1}', "unknown field 'latncy': expected latency and jitter"),
        (b"[0.3]", "the body must be a JSON object"),
        (b"fast", "the body must be a JSON object"),
    ],
)
async def test_the_control_api_rejects_a_bad_latency(
    emulator: Emulator, body: bytes, error: str
) -> None:
    async with httpx.AsyncClient(base_url=emulator.base_url) as client:
        answer = await client.post("/sandbox/latency", content=body)
        assert (answer.status_code, answer.json()) == (400, {"error": error})
        unchanged = await client.get("/sandbox/latency")
        assert unchanged.json() == {"latency": 0.0, "jitter": 0.0}


@pytest.mark.parametrize(("latency", "jitter"), [(-0.1, 0.0), (0.0, -1.0), (30.5, 0.0)])
def test_the_emulator_refuses_an_impossible_latency(latency: float, jitter: float) -> None:
    with pytest.raises(ValueError, match="must be between 0 and 30 seconds"):
        Emulator(latency=latency, jitter=jitter)


def test_sandbox_rejects_a_negative_latency() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "digestbot", "sandbox", "--no-bot", "--latency", "-1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "argument --latency: must be between 0 and 30 seconds, not -1" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("words", "error"),
    [
        (["sandbox", "--jitter", "-0.5"], "argument --jitter: must be between 0 and 30 seconds"),
        (["sandbox", "--latency", "45"], "argument --latency: must be between 0 and 30 seconds"),
        (["sandbox", "--latency", "far"], "argument --latency: must be a number of seconds"),
        (["sandbox", "--latency", "inf"], "argument --latency: must be a number of seconds"),
        (["run", "--latency", "-1"], "argument --latency: must be between 0 and 30 seconds"),
    ],
)
def test_a_bad_latency_option_is_a_usage_error(
    words: list[str], error: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(words) == 2
    assert error in capsys.readouterr().err


@pytest.mark.parametrize("command", ["sandbox", "run"])
def test_both_sandbox_paths_carry_latency_and_jitter(command: str) -> None:
    parser = build_parser()
    args = parser.parse_args([command, "--latency", "0.25", "--jitter", "1"])
    assert (args.latency, args.jitter) == (0.25, 1.0)
    defaults = parser.parse_args([command])
    assert (defaults.latency, defaults.jitter) == (0.0, 0.0)


def test_no_bot_passes_latency_and_jitter_to_the_emulator(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fake_run_emulator_cli(**options: Any) -> int:
        seen.update(options)
        return 0

    monkeypatch.setattr("digestbot.cli.sandbox.run_emulator_cli", fake_run_emulator_cli)
    assert main(["sandbox", "--no-bot", "--latency", "0.4", "--jitter", "0.1"]) == 0
    assert (seen["latency"], seen["jitter"]) == (0.4, 0.1)
