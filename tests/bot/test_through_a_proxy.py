"""``digestbot run`` behind a proxy, as operators in mainland China reach Telegram: every Bot API
call (the bot's replies and the outbox sender's digests) goes through a real HTTP or SOCKS5 proxy
(pproxy on 127.0.0.1), set in ``[telegram] proxy_url`` or the standard environment variables; a
proxy that cannot be used is one line at start."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from digestbot.sandbox.emulator import Emulator
from tests.support.processes import (
    SEEDS,
    add_due_reader,
    delivered,
    digestbot_process,
    stopped_cleanly,
)
from tests.support.proxy import StartProxy
from tests.support.sandbox import free_port

DUE, ASKS = 601, 602
PASSWORD = "pr0xy-secret"


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    """The Bot API a little way off (0.2 s a call), as behind a proxy."""
    async with Emulator(latency=0.2) as emulator:
        yield emulator


def config_file(tmp_path: Path) -> Path:
    config = tmp_path / "digestbot.toml"
    config.write_text(f'[paths]\narticles_dir = "{SEEDS}"\ndata_dir = "{tmp_path / "data"}"\n')
    return config


@pytest.mark.parametrize(
    ("scheme", "route"),
    [("http", "HTTP_PROXY"), ("socks5", "DIGESTBOT_PROXY_URL")],
    ids=["http-proxy-from-the-environment", "socks5-proxy-from-the-setting"],
)
async def test_digests_and_replies_go_through_the_proxy(
    emulator: Emulator,
    sessions: sessionmaker[Session],
    bot_database: str,
    start_proxy: StartProxy,
    tmp_path: Path,
    scheme: str,
    route: str,
) -> None:
    proxy = start_proxy(scheme, login=f"digest:{PASSWORD}")
    add_due_reader(emulator, sessions, DUE)
    add_due_reader(emulator, sessions, ASKS, due=False)
    env = {"DIGESTBOT_DATABASE_URL": bot_database, route: proxy.url}
    process = await digestbot_process(
        emulator, "run", "--config", str(config_file(tmp_path)), env=env
    )
    try:
        await delivered(emulator, sessions, DUE)
        emulator.driver.send_text(ASKS, "/digest")
        await delivered(emulator, sessions, ASKS)
    finally:
        log = await stopped_cleanly(process, emulator)
    assert PASSWORD not in log
    assert f"through the proxy {scheme}://digest:***@" in log
    relayed = proxy.targets()
    assert f"127.0.0.1:{emulator.port}" in relayed
    # two clients with kept-alive connections (the bot's, the sender's), not one per message
    assert len(relayed) < 20


async def test_a_proxy_that_cannot_be_used_is_one_line_at_start(
    emulator: Emulator, tmp_path: Path
) -> None:
    closed = f"socks5://digest:{PASSWORD}@127.0.0.1:{free_port()}"
    env = {"DIGESTBOT_PROXY_URL": closed, "DIGESTBOT_DATA_DIR": str(tmp_path / "data")}
    process = await digestbot_process(emulator, "run", env=env)
    _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    lines = err.decode().strip().splitlines()
    assert process.returncode == 1
    assert lines[-1].startswith(
        f"digestbot: error: cannot reach the Bot API server ({emulator.base_url})"
    )
    assert "through the proxy socks5://digest:***@127.0.0.1:" in lines[-1]
    assert "Traceback" not in err.decode()
    assert PASSWORD not in err.decode()


async def test_a_proxy_url_that_is_not_one_is_a_config_error(
    emulator: Emulator, tmp_path: Path
) -> None:
    env = {"DIGESTBOT_PROXY_URL": "ftp://127.0.0.1:21", "DIGESTBOT_DATA_DIR": str(tmp_path)}
    process = await digestbot_process(emulator, "run", env=env)
    _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode in (1, 2)
    [line] = err.decode().strip().splitlines()
    assert "[telegram] proxy_url must be a proxy URL" in line
