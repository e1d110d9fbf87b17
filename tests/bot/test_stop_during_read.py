"""SIGTERM while a reader is being sent a very long article, with Telegram 0.5 s away.

Before the update processor wound down its handlers, the stop waited for the whole ``/read`` (one
part a second for hundreds of parts): 251 s for a 560-part article. Now the running handlers get
a short grace, the rest of the article is dropped with a log line, and the bot exits at once.
"""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from digestbot.sandbox.emulator import Emulator
from digestbot.store.models import Article
from tests.support.processes import digestbot_process, stopped_cleanly, wait_until

READER = 601
PARTS_AT_LEAST = 60


def long_article(folder: Path) -> None:
    folder.mkdir()
    paragraphs = "\n\n".join(f"Paragraph {n}: " + "word " * 150 for n in range(400))
    (folder / "long.md").write_text(
        "---\ntitle: A very long read\ndate: 2026-11-01\nlang: en\n---\n\n" + paragraphs + "\n"
    )


def bot_parts(emulator: Emulator) -> int:
    return sum(1 for m in emulator.driver.transcript(READER) if m["from_bot"])


@pytest.mark.parametrize("bot_database", ["sqlite"], indirect=True)
async def test_sigterm_during_a_long_read_stops_within_10_s_and_says_what_was_dropped(
    sessions: sessionmaker[Session], bot_database: str, tmp_path: Path
) -> None:
    long_article(tmp_path / "articles")
    config = tmp_path / "digestbot.toml"
    config.write_text(
        f'[paths]\narticles_dir = "{tmp_path / "articles"}"\ndata_dir = "{tmp_path / "data"}"\n'
    )
    async with Emulator(latency=0.5) as emulator:
        process = await digestbot_process(
            emulator, "run", "--config", str(config), env={"DIGESTBOT_DATABASE_URL": bot_database}
        )
        try:

            def article_id() -> int | None:
                with sessions() as session:
                    return session.scalar(select(Article.id))

            loaded = await wait_until(article_id, timeout=60)
            emulator.driver.create_user(READER, "Reader", None, "en")
            emulator.driver.send_text(READER, f"/read_{loaded}")
            await wait_until(lambda: bot_parts(emulator) >= 3 or None, timeout=60)
        finally:
            started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            log = await stopped_cleanly(process, emulator)
            stopped_after = time.monotonic() - started
        await asyncio.sleep(1.5)  # nothing more arrives once the process is gone
        parts = bot_parts(emulator)
    assert stopped_after < 10, log
    assert parts < PARTS_AT_LEAST
    assert f"article {loaded} for chat {READER} cut after part" in log
