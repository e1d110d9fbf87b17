"""Benchmark digest planning: compose and enqueue the digests of many readers in one tick.

Readers are spread evenly over 8 (language, tags) combinations, all due at the same moment, with
``--articles`` new bilingual articles. For each ``--database`` (default a SQLite file; a
PostgreSQL URL gets a fresh schema, dropped afterwards) a child process fills it, another plans
one day, timed until everything is committed; reported: digests a second, the planning process's
peak memory (``ru_maxrss``; with ``--tracemalloc`` also the peak of Python allocations, slower)
and what the day added to the database a reader (PostgreSQL: every table's total relation size;
SQLite: the file and its WAL after a checkpoint).
Usage: ``python bench/bench_compose.py [--database URL ...] [--readers 100000] [--articles 50]``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, make_url, select, text
from sqlalchemy.orm import Session, sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import parse_args, result_line
from digestbot.config import DigestSettings, Settings
from digestbot.delivery.tick import plan_tick
from digestbot.digest.plan import PlanReport
from digestbot.model import Article, ArticleText, Lang
from digestbot.store import models as m
from digestbot.store.articles import ArticleToSave, save_articles
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema
from sender_processes import bench_database

TAG_SETS = [(), ("tech",), ("world", "business"), ("science", "climate")]
ALL_TAGS = ("tech", "world", "business", "science", "climate")
LANGS = (Lang.ZH.value, Lang.EN.value)  # readers 0-3 mod 8, 4-7
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
    """Articles, tags and readers, inserted in bulk (not part of the timing): readers by COPY on
    PostgreSQL, by one executemany on SQLite."""
    engine = create_engine_for(url)
    upgrade_schema(engine)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        save_articles(
            session, [ArticleToSave(bench_article(i), f"h{i}", f"{i}.md") for i in range(articles)]
        )
        tag_ids = dict(session.execute(select(m.Tag.name, m.Tag.id)).all())
    created = NOW - timedelta(days=30)
    if engine.dialect.name == "sqlite":  # SQLite's UTCDateTime: naive UTC
        created = created.replace(tzinfo=None)
    subscribers = (
        (i, i, LANGS[i % 8 // 4], "Asia/Shanghai", "08:00:00", "active", created, created)
        for i in range(1, readers + 1)
    )
    links = ((i, tag_ids[tag]) for i in range(1, readers + 1) for tag in TAG_SETS[i % 8 % 4])
    columns = "chat_id, user_id, language, timezone, digest_time, state, created_at, updated_at"
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "postgresql":
            with cursor.copy(f"COPY subscribers ({columns}) FROM STDIN") as copy:
                for row in subscribers:
                    copy.write_row(row)
            with cursor.copy("COPY subscriber_tags (chat_id, tag_id) FROM STDIN") as copy:
                for link in links:
                    copy.write_row(link)
            # Statistics, as autovacuum takes them within a minute of a load: without them
            # PostgreSQL plans the due-readers keyset query for an empty table (a bitmap scan of
            # every reader and a sort, ~240 ms a batch at 1,000,000, instead of ~1.5 ms).
            cursor.execute("ANALYZE subscribers")
            cursor.execute("ANALYZE subscriber_tags")
        else:
            cursor.executemany(
                f"INSERT INTO subscribers ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", subscribers
            )
            cursor.executemany("INSERT INTO subscriber_tags (chat_id, tag_id) VALUES (?, ?)", links)
        raw.commit()
    finally:
        raw.close()
    engine.dispose()


def database_bytes(url: str) -> int:
    """Everything the database holds: on PostgreSQL the total size (indexes, TOAST) of every
    table in its schema; on SQLite the file and its WAL after a checkpoint."""
    engine = create_engine_for(url)
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                size = connection.execute(
                    text(
                        "SELECT sum(pg_total_relation_size(format('%I.%I', schemaname, tablename)))"
                        " FROM pg_tables WHERE schemaname = current_schema()"
                    )
                ).scalar()
                return int(size or 0)
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            path = Path(engine.url.database or "")
    finally:
        engine.dispose()
    wal = Path(f"{path}-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def table_sizes(url: str) -> dict[str, tuple[int, int]]:
    """PostgreSQL: each table's (rows, total bytes); SQLite: rows only (bytes 0)."""
    engine = create_engine_for(url)
    sizes: dict[str, tuple[int, int]] = {}
    try:
        with engine.begin() as connection:
            for table in ("digests", "outbox", "digest_articles", "compositions"):
                if not inspect(connection).has_table(table):
                    continue
                rows = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar() or 0
                size = 0
                if engine.dialect.name == "postgresql":
                    size = (
                        connection.execute(
                            text("SELECT pg_total_relation_size(:t)"), {"t": table}
                        ).scalar()
                        or 0
                    )
                sizes[table] = (int(rows), int(size))
    finally:
        engine.dispose()
    return sizes


def plan(url: str, max_articles: int, traced: bool, pipe: Connection) -> None:
    """One day's planning, timed until all of it is committed (in a process of its own, so the
    peak RSS is the planning's); sends back (digests, messages, seconds, peak RSS MB, traced MB)."""
    settings = replace(Settings(), digest=DigestSettings(max_articles=max_articles))
    engine = create_engine_for(url)
    sessions = session_factory(engine)
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    report = plan_now(sessions, settings)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else 0.0
    engine.dispose()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pipe.send((report.digests, report.messages, elapsed, rss, peak))


def plan_now(sessions: sessionmaker[Session], settings: Settings) -> PlanReport:
    """One tick's planning as the bot runs it: in batches, a transaction each."""
    report = plan_tick(sessions, NOW, settings)
    assert report is not None, "another planner holds the tick"
    return report


def in_child(target: Callable[..., None], *args: Any) -> Any:
    """Run ``target(*args, pipe)`` in a child process; what it sent."""
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.Process(target=target, args=(*args, child))
    process.start()
    answer = parent.recv()
    process.join()
    if process.exitcode != 0:
        raise SystemExit(f"{target.__name__} failed ({process.exitcode})")
    return answer


def fill(url: str, readers: int, articles: int, pipe: Connection) -> None:
    populate(url, readers, articles)
    pipe.send(None)


def bench(url: str, args: argparse.Namespace) -> dict[str, float]:
    """Fill, measure, plan, measure; print a line per table and return the figures."""
    started = time.perf_counter()
    in_child(fill, url, args.readers, args.articles)
    kind = make_url(url).get_backend_name()
    print(
        f"{kind}: setup {args.readers} readers, {args.articles} articles in "
        f"{time.perf_counter() - started:.1f} s"
    )
    before = database_bytes(url)
    digests, messages, elapsed, rss, traced = in_child(
        plan, url, args.max_articles, args.tracemalloc
    )
    grown = database_bytes(url) - before
    for table, (rows, size) in table_sizes(url).items():
        print(f"  {table:<16}{rows:>12,} rows{size / 2**20:>10.1f} MB")
    print(
        f"{kind}: planned {digests:,} digests, {messages:,} messages in {elapsed:.2f} s "
        f"({digests / elapsed:,.0f} digests/s); peak RSS {rss:.0f} MB"
        + (f" (traced Python peak {traced:.0f} MB)" if args.tracemalloc else "")
        + f"; database grew {grown / 2**20:.1f} MB ({grown / args.readers:,.0f} bytes a reader)"
    )
    return {
        "digests": digests,
        "compose_s": elapsed,
        "digests_per_s": digests / elapsed,
        "peak_rss_mb": rss,
        "bytes_per_reader": grown / args.readers,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=100_000)
    parser.add_argument("--articles", type=int, default=50)
    parser.add_argument("--max-articles", type=int, default=10)
    parser.add_argument(
        "--database", action="append", default=[], help="URL (repeatable; default a SQLite file)"
    )
    parser.add_argument("--tracemalloc", action="store_true", help="trace Python allocations")
    args = parse_args(parser, {"readers": 20_000})
    folder = Path(tempfile.mkdtemp(prefix="bench-compose-"))
    urls = args.database or [f"sqlite:///{folder}/compose.sqlite3"]
    print(
        f"SQLite {sqlite3.sqlite_version}; Python {platform.python_version()}; "
        f"{os.cpu_count()} CPUs; {platform.machine()}; load average "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} (other work on the machine slows this)"
    )
    figures: dict[str, object] = {"readers": args.readers}
    for index, url in enumerate(urls):
        with bench_database(url, "compose") as scoped:
            found = bench(scoped, args)
        kind = make_url(url).get_backend_name()
        if index == 0:
            figures |= found
        figures |= {f"{kind}_{key}": value for key, value in found.items()}
    print(f"load average now {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(result_line(figures))
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
