"""Two bot processes on one PostgreSQL database, watching one articles folder: a reader's digest
and their instant push each arrive exactly once, the push within seconds of its file."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from digestbot.digest.instant import PUSH_MARK
from digestbot.sandbox.emulator import Emulator
from digestbot.store import models as m
from tests.support.processes import (
    add_due_reader,
    digestbot_process,
    sent_message_ids,
    stopped_cleanly,
    wait_until,
    watched_folder_config,
)

READER = 4242
PUSHED_WITHIN = 15.0  # seconds from writing the file to the push in the chat, two processes


def article(title: str, tag: str = "tech") -> str:
    return (
        f"---\ntitle: {title}\ndate: 2026-05-24\ntags: [{tag}]\n---\n# {title}\n\n"
        f"{title} is the news of the hour.\n\n[Source](https://example.com/{len(title)})\n"
    )


def make_instant(sessions: sessionmaker[Session], chat_id: int) -> None:
    """The reader follows ``tech``, instant (from the first article on), quiet hours off."""
    with sessions.begin() as session:
        tag_id = session.execute(insert(m.Tag).values(name="tech").returning(m.Tag.id)).scalar()
        session.execute(
            insert(m.SubscriberTag).values(chat_id=chat_id, tag_id=tag_id, instant_after=0)
        )
        session.execute(
            update(m.Subscriber).where(m.Subscriber.chat_id == chat_id).values(quiet_hours=False)
        )


def bot_texts(emulator: Emulator, chat_id: int) -> list[str]:
    return [e["text"] for e in emulator.driver.transcript(chat_id) if e["from_bot"]]


def times_shown(emulator: Emulator, chat_id: int, title: str) -> int:
    """How many of the bot's messages in the chat show the article titled ``title``."""
    return sum(title in text for text in bot_texts(emulator, chat_id))


def pushed_rows(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(m.InstantPush)) or 0


@pytest.mark.postgres
async def test_two_processes_send_the_digest_and_the_instant_push_once(
    bot_database: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    if not bot_database.startswith("postgresql"):
        pytest.skip("several bot processes share one database on PostgreSQL")
    folder, config = watched_folder_config(tmp_path)
    (folder / "morning.md").write_text(article("Morning fab news"), encoding="utf-8")
    env = {"DIGESTBOT_DATABASE_URL": bot_database}
    async with Emulator(latency=0.2) as api:
        add_due_reader(api, sessions, READER)  # in UTC, digest time 00:00: due now
        make_instant(sessions, READER)
        bots = [await digestbot_process(api, "run", "--config", str(config), env=env)]
        bots.append(await digestbot_process(api, "run", "--config", str(config), env=env))
        try:
            await wait_until(
                lambda: True if times_shown(api, READER, "Morning fab news") else None, 60
            )
            await asyncio.sleep(2)  # both processes past their first round
            written = time.monotonic()
            (folder / "flash.md").write_text(article("Flash chip deal"), encoding="utf-8")
            await wait_until(
                lambda: True if times_shown(api, READER, "Flash chip deal") else None,
                PUSHED_WITHIN + 30,
            )
            took = time.monotonic() - written
            await asyncio.sleep(3)  # a second push or digest would come by now
            await wait_until(lambda: sent_message_ids(sessions, READER), timeout=30)
        finally:
            logs = [await stopped_cleanly(bot, api) for bot in bots]
    assert took < PUSHED_WITHIN, took
    assert times_shown(api, READER, "Morning fab news") == 1
    assert times_shown(api, READER, "Flash chip deal") == 1
    [push] = [t for t in bot_texts(api, READER) if "Flash chip deal" in t]
    assert push.startswith(PUSH_MARK + "Flash chip deal")
    assert pushed_rows(sessions) in (1, 2)  # Flash; Morning too if a tick came before its digest
    with sessions() as session:
        digests = session.scalar(
            select(func.count()).select_from(m.Digest).where(m.Digest.chat_id == READER)
        )
    assert digests == 1
    for log in logs:
        assert "Traceback" not in log
