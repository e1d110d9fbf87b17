"""Benchmark digest planning: compose and enqueue the digests of many readers in one tick.

Readers are spread evenly over 8 (language, tags) combinations, all due at the same moment, with
``--articles`` new bilingual articles. Times ``plan_due_digests`` plus the commit on a SQLite file
database (filled by a child process first), and reports the peak memory of the planning process
(``ru_maxrss``) and, with ``--tracemalloc``, the peak of Python allocations (slower).
Usage: ``python bench/bench_compose.py [--readers 100000] [--articles 50] [--max-articles 10]``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import resource
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import parse_args, result_line
from digestbot.config import DigestSettings, Settings
from digestbot.digest.plan import plan_due_digests
from digestbot.model import Article, ArticleText, Lang
from digestbot.store import models as m
from digestbot.store.articles import ArticleToSave, save_articles
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema

TAG_SETS = [(), ("tech",), ("world", "business"), ("science", "climate")]
ALL_TAGS = ("tech", "world", "business", "science", "climate")
NOW = datetime(2026, 5, 25, 0, 5, tzinfo=UTC)  # 08:05 in Shanghai


def bench_article(index: int) -> Article:
    """A bilingual article of realistic size, two tags, dated over the last day."""
    en = ArticleText(
        Lang.EN,
        f"Article {index}: grid batteries, chips & shipping <costs> rise again",
        "Utilities added record storage capacity as prices fell; analysts expect the trend to "
        "continue into next year, though supply chains remain tight. " * 2,
        "Body.",
        (),
        "Body.",
    )
    zh = ArticleText(
        Lang.ZH,
        f"第{index}篇：储能电池、芯片与航运成本再度上涨",
        "电力公司新增储能装机创纪录，价格持续下降；分析人士预计这一趋势将延续到明年。",
        "正文。",
        (),
        "正文。",
    )
    return Article(
        key=f"bench-{index}",
        url=f"https://example.com/news/{index}?ref=digest&lang=en",
        date=NOW - timedelta(minutes=20 * index),
        tags=(ALL_TAGS[index % 5], ALL_TAGS[(index + 2) % 5]),
        author="bench",
        texts={Lang.EN: en, Lang.ZH: zh},
    )


def populate(url: str, readers: int, articles: int) -> None:
    """Articles, tags and readers, inserted in bulk (not part of the timing)."""
    engine = create_engine_for(url)
    upgrade_schema(engine)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        save_articles(
            session, [ArticleToSave(bench_article(i), f"h{i}", f"{i}.md") for i in range(articles)]
        )
        tag_ids = dict(session.execute(select(m.Tag.name, m.Tag.id)).all())
        created = NOW - timedelta(days=30)
        rows, links = [], []
        for chat_id in range(1, readers + 1):
            combo = chat_id % 8
            rows.append(
                {
                    "chat_id": chat_id,
                    "user_id": chat_id,
                    "language": Lang.ZH if combo < 4 else Lang.EN,
                    "timezone": "Asia/Shanghai",
                    "digest_time": datetime(2000, 1, 1, 8).time(),
                    "state": m.SubscriberState.ACTIVE,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            links.extend(
                {"chat_id": chat_id, "tag_id": tag_ids[tag]} for tag in TAG_SETS[combo % 4]
            )
        connection = session.connection()
        connection.execute(insert(m.Subscriber), rows)
        connection.execute(insert(m.SubscriberTag), links)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=100_000)
    parser.add_argument("--articles", type=int, default=50)
    parser.add_argument("--max-articles", type=int, default=10)
    parser.add_argument("--tracemalloc", action="store_true", help="trace Python allocations")
    parser.add_argument("--keep", type=Path, help="write the database here and keep it")
    args = parse_args(parser, {"readers": 20_000})
    folder = Path(tempfile.mkdtemp(prefix="bench-compose-"))
    path = args.keep or folder / "compose.sqlite3"
    url = f"sqlite:///{path}"
    started = time.perf_counter()
    setup = multiprocessing.Process(target=populate, args=(url, args.readers, args.articles))
    setup.start()  # in a child process, so the peak RSS below is the planning's own
    setup.join()
    if setup.exitcode != 0:
        raise SystemExit(f"setup failed ({setup.exitcode})")
    print(
        f"setup: {args.readers} readers, {args.articles} articles in "
        f"{time.perf_counter() - started:.1f} s"
    )
    settings = replace(Settings(), digest=DigestSettings(max_articles=args.max_articles))
    engine = create_engine_for(url)
    sessions = session_factory(engine)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.tracemalloc:
        tracemalloc.start()
    started = time.perf_counter()
    with sessions.begin() as session:
        report = plan_due_digests(session, NOW, settings)
    elapsed = time.perf_counter() - started
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if args.tracemalloc else None
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with sessions() as session:
        outbox = session.execute(select(func.count()).select_from(m.OutboxMessage)).scalar()
        links = session.execute(select(func.count()).select_from(m.DigestArticle)).scalar()
    engine.dispose()
    print(
        f"planned {len(report.planned)} digests, {report.messages} messages "
        f"(outbox {outbox} rows, digest_articles {links} rows) in {elapsed:.2f} s "
        f"({len(report.planned) / elapsed:,.0f} digests/s)"
    )
    print(
        f"peak RSS {rss_after:.0f} MB (before planning {rss_before:.0f} MB)"
        + (f"; traced Python peak {traced:.0f} MB" if traced is not None else "")
    )
    print(
        f"database {path.stat().st_size / 2**20:.0f} MB; SQLite {sqlite3.sqlite_version}; "
        f"Python {platform.python_version()}; {os.cpu_count()} CPUs; {platform.machine()}; "
        f"load average {os.getloadavg()[0]:.1f} (other work on the machine slows this down)"
    )
    figures = {"readers": args.readers, "digests": len(report.planned), "compose_s": elapsed}
    figures |= {"digests_per_s": len(report.planned) / elapsed, "peak_rss_mb": rss_after}
    print(result_line(figures))


if __name__ == "__main__":
    main()
