"""Benchmark what conversation state in the database costs an update, on SQLite and PostgreSQL.

Every plain text a bot takes now first asks the database whether an answer is awaited (a read,
nearly always a miss); a settings button stores the awaited answer (an upsert); a search keeps
its query (an upsert and a trim to the newest 20). Each is run as a handler runs it: through
``digestbot.bot.conversation``, one transaction on a worker thread, over ``--chats`` chats.
Times are milliseconds per call, p50 and p99. Usage:
``python bench/bench_conversation.py [--database URL ...] [--calls 2000] [--chats 200]``
(default: a fresh SQLite file; add ``--database postgresql+psycopg://...`` for PostgreSQL).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy import func, select

from digestbot.bot.conversation import await_answer, awaited_answer, remember_search
from digestbot.bot.deps import BotDeps
from digestbot.config import Settings
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema
from digestbot.store.models import ConversationState

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import parse_args, result_line

Call = Callable[[BotDeps, int, int], Awaitable[object]]


async def _read(deps: BotDeps, chat: int, n: int) -> object:
    return await awaited_answer(deps, chat, chat)


async def _store(deps: BotDeps, chat: int, n: int) -> object:
    await await_answer(deps, chat, chat, "set:time")
    return None


async def _search(deps: BotDeps, chat: int, n: int) -> object:
    return await remember_search(deps, chat, f"query {n}")


OPERATIONS: dict[str, Call] = {"read": _read, "store": _store, "search": _search}


async def timed(deps: BotDeps, call: Call, calls: int, chats: int) -> list[float]:
    """Milliseconds of each of ``calls`` calls, spread over ``chats`` chats."""
    took = []
    for n in range(calls):
        started = time.perf_counter()
        await call(deps, 1_000 + n % chats, n)
        took.append((time.perf_counter() - started) * 1000)
    return took


def p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1]


async def bench(url: str, calls: int, chats: int) -> dict[str, float]:
    engine = create_engine_for(url)
    upgrade_schema(engine)
    deps = BotDeps(settings=Settings(), sessions=session_factory(engine))
    figures: dict[str, float] = {}
    for name, call in OPERATIONS.items():
        took = await timed(deps, call, calls, chats)
        figures[f"{name}_p50_ms"] = p(took, 50)
        figures[f"{name}_p99_ms"] = p(took, 99)
    with deps.sessions() as session:
        rows = session.scalar(select(func.count()).select_from(ConversationState)) or 0
    figures["rows"] = rows
    engine.dispose()
    return figures


def main(argv: list[str] | None = None) -> None:
    """Run each operation on each database; print a table and the RESULT line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", action="append", default=[], help="URL (repeatable)")
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--chats", type=int, default=200)
    args = parse_args(parser, {"calls": 300, "chats": 50}, argv)
    with tempfile.TemporaryDirectory() as folder:
        urls = args.database or [f"sqlite:///{folder}/bench.sqlite3"]
        result: dict[str, object] = {}
        print(f"{'database':<12}{'operation':<10}{'p50 ms':>9}{'p99 ms':>9}")
        for url in urls:
            kind = url.split(":", 1)[0].split("+", 1)[0]
            figures = asyncio.run(bench(url, args.calls, args.chats))
            for name in OPERATIONS:
                p50, p99 = figures[f"{name}_p50_ms"], figures[f"{name}_p99_ms"]
                print(f"{kind:<12}{name:<10}{p50:>9.2f}{p99:>9.2f}")
            kept = f"rows kept: {figures['rows']:.0f} ({args.chats} chats, newest 20 searches)"
            print(f"{kind:<12}{kept}")
            result |= {f"{kind}_{key}": value for key, value in figures.items() if key != "rows"}
    print(result_line(result))


if __name__ == "__main__":
    main()
