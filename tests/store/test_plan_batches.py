"""Planning in batches: a planner killed anywhere leaves whole batches, and the next tick plans
every reader left exactly once (SQLite and PostgreSQL, a real process SIGKILLed mid-way)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from datetime import time as clock

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from digestbot.config import DigestSettings, Settings
from digestbot.delivery.tick import plan_tick
from digestbot.digest.due import CHUNK
from digestbot.digest.plan import PlanReport
from digestbot.model import Lang
from digestbot.store import models as m
from digestbot.store.articles import save_article
from digestbot.store.db import create_engine_for, session_factory
from tests.store.factory import article, text

NOW = datetime(2026, 5, 25, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai
READERS = CHUNK * 8
SETTINGS = replace(Settings(), digest=DigestSettings(max_articles=3))


def _fill(session: Session) -> None:
    for i in range(5):
        item = article(f"a{i}", text(Lang.EN, f"Title {i}", f"Body {i}."), tags=("tech",))
        save_article(session, item, content_hash=f"a{i}", source_path=f"a{i}.md")
    joined = NOW - timedelta(days=30)
    session.execute(
        insert(m.Subscriber),
        [
            {
                "chat_id": chat_id,
                "user_id": chat_id,
                "language": Lang.EN if chat_id % 2 else Lang.ZH,
                "timezone": "Asia/Shanghai",
                "digest_time": clock(8),
                "state": m.SubscriberState.ACTIVE,
                "created_at": joined,
                "updated_at": joined,
            }
            for chat_id in range(1, READERS + 1)
        ],
    )


def _plan(url: str) -> None:
    engine = create_engine_for(url)
    plan_tick(session_factory(engine), NOW, SETTINGS)


def _digests(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(m.Digest)) or 0


def test_a_planner_killed_mid_way_leaves_whole_batches_and_the_next_tick_plans_the_rest(
    engine: Engine,
) -> None:
    sessions = session_factory(engine)
    with sessions.begin() as session:
        _fill(session)
    planner = multiprocessing.get_context("spawn").Process(
        target=_plan, args=(engine.url.render_as_string(hide_password=False),)
    )
    planner.start()
    deadline = time.monotonic() + 120
    with sessions() as session:
        while _digests(session) < CHUNK and time.monotonic() < deadline:
            session.rollback()
            time.sleep(0.01)
    assert planner.pid is not None
    os.kill(planner.pid, signal.SIGKILL)
    planner.join()
    with sessions() as session:
        left = _digests(session)
    assert CHUNK <= left < READERS, "killed mid-way"

    report = plan_tick(sessions, NOW, SETTINGS)
    while report is None and time.monotonic() < deadline:  # PostgreSQL: until the killed
        time.sleep(0.1)  # planner's server process has noticed and let go of the tick lock
        report = plan_tick(sessions, NOW, SETTINGS)

    assert report is not None
    assert report.digests == READERS - left
    assert len(report.planned) <= 1_000  # counts, not a record per reader
    with sessions() as session:
        per_reader = session.execute(
            select(m.Digest.chat_id, func.count()).group_by(m.Digest.chat_id)
        ).all()
        assert len(per_reader) == READERS
        assert {count for _, count in per_reader} == {1}
        messages = session.execute(
            select(m.OutboxMessage.digest_id, func.count()).group_by(m.OutboxMessage.digest_id)
        ).all()
        assert len(messages) == READERS  # every digest has its messages, once
        assert len({count for _, count in messages}) == 1
    assert plan_tick(sessions, NOW, SETTINGS) == PlanReport()  # nothing due any more
