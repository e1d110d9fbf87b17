"""Benchmark ``digestbot run``'s start against a far-away Bot API: how long until it polls, until
the articles folder is loaded, and until a digest that was due at start is in the reader's chat.

The emulator runs in this process with every Bot API call taking ``--latency`` seconds; the bot
is a real ``digestbot run`` process on a fresh SQLite database with the seed articles. Times are
seconds from starting the process. Usage:
``python bench/bench_startup.py [--latency 0 0.7 2.0] [--runs 3]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from datetime import time as clock
from pathlib import Path

from sqlalchemy import func, insert, select

from digestbot.model import Lang
from digestbot.sandbox.emulator import Emulator
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema
from digestbot.store.models import Article, OutboxMessage, OutboxState, Subscriber, SubscriberState

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import parse_args

ROOT = Path(__file__).resolve().parents[1]
READER = 501


async def one_start(latency: float) -> tuple[float, float, float]:
    """(first getUpdates answered, articles loaded, due digest delivered), seconds from start."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        engine = create_engine_for(url)
        upgrade_schema(engine)
        sessions = session_factory(engine)
        with sessions.begin() as session:
            session.execute(
                insert(Subscriber).values(
                    chat_id=READER, language=Lang.EN, timezone="UTC", digest_time=clock(0, 0),
                    state=SubscriberState.ACTIVE, created_at=datetime(2026, 1, 1, tzinfo=UTC),
                )
            )  # fmt: skip
        config = Path(folder) / "bench.toml"
        config.write_text(f'[paths]\narticles_dir = "{ROOT / "seeds"}"\ndata_dir = "{folder}"\n')
        async with Emulator(latency=latency) as emulator:
            emulator.driver.create_user(READER, "Reader", None, "en")
            emulator.driver.send_text(READER, "/start")
            env = os.environ | {
                "DIGESTBOT_TOKEN": emulator.token,
                "DIGESTBOT_API_URL": emulator.base_url,
                "DIGESTBOT_DATABASE_URL": url,
                "DIGESTBOT_MONITORING_ADDRESS": "127.0.0.1:0",
            }
            started = time.perf_counter()
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "digestbot", "run", "--config", str(config), cwd=ROOT,
                env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
            marks: dict[str, float] = {}
            try:
                while len(marks) < 3:
                    now = time.perf_counter() - started
                    if "poll" not in marks and any(
                        e["method"] == "getUpdates" for e in emulator.recorder.recent
                    ):
                        marks["poll"] = now
                    with sessions() as session:
                        if "articles" not in marks and session.scalar(
                            select(func.count()).select_from(Article)
                        ):
                            marks["articles"] = now
                        states = session.scalars(
                            select(OutboxMessage.state).where(OutboxMessage.chat_id == READER)
                        ).all()
                    if "digest" not in marks and states and set(states) == {OutboxState.SENT}:
                        marks["digest"] = now
                    if now > 120:
                        raise TimeoutError(f"not started within 120 s: {marks}")
                    await asyncio.sleep(0.05)
            finally:
                process.send_signal(signal.SIGTERM)
                await process.wait()
        engine.dispose()
    return marks["poll"], marks["articles"], marks["digest"]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, nargs="+", default=[0.0, 0.7, 2.0])
    parser.add_argument("--runs", type=int, default=3)
    args = parse_args(parser, {"latency": [0.0, 0.7], "runs": 1})
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    results = []
    for latency in args.latency:
        runs = [await one_start(latency) for _ in range(args.runs)]
        poll, articles, digest = (statistics.median(r[i] for r in runs) for i in range(3))
        print(
            f"latency {latency:.1f} s per call: polling after {poll:.1f} s, articles loaded after "
            f"{articles:.1f} s, due digest delivered after {digest:.1f} s (median of {args.runs})"
        )
        tag = f"{latency:g}".replace(".", "_")
        results += [f"poll_s_{tag}={poll:.2f}", f"articles_s_{tag}={articles:.2f}",
                    f"digest_s_{tag}={digest:.2f}"]  # fmt: skip
    print("RESULT " + " ".join(results))


if __name__ == "__main__":
    asyncio.run(main())
