"""Benchmark the outbox sender through the sandbox emulator, beside a bare httpx loop.

The emulator runs in its own process. Four runs:

1. throughput, emulator rate limits off: ``--messages`` rows to ``--chats`` chats drained by
   ``OutboxSender`` (pacing lifted: rate 100,000/s, no per-chat interval) over SQLite;
2. the same messages posted by a bare httpx loop (the same form python-telegram-bot posts), as
   installed, then with httpcore's per-request ``import sniffio`` made cheap (not installed here);
3. the same messages paced as configured for paid broadcasts (1000/s, 1 s between two messages to
   one chat);
4. pacing, emulator rate limits on (Telegram's 30/s and 1/s per chat): ``--paced`` messages to as
   many chats at the default 30/s; achieved rate and how many 429s the emulator answered.

With ``--database URL`` (``--processes N``, default 3) it measures Telegram's budget shared across
processes instead: both tiers with the emulator's limits on, each drained by N sender processes on
one outbox at URL (PostgreSQL: a fresh schema; SQLite: one process, its one-sender rule):

- paid broadcasts at 1000/s: ``--paid-messages`` (100,000) to ``--paid-chats`` (10,000) chats;
- the free 30/s: ``--paced`` messages to as many chats;

and reports ``paid_msg_per_s``, ``free_msg_per_s`` (emulator-accepted sends, first to last),
``http_429`` and ``duplicates`` (both summed over the two runs). ``--profile DIR`` writes a cProfile
of every process there.

Usage: ``python bench/bench_sender.py [--messages 5000] [--chats 1000] [--paced 300]``, or
``python bench/bench_sender.py --database URL --processes 3``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

import httpx
from sqlalchemy.orm import Session, sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import parse_args, result_line
from digestbot.config import DeliverySettings
from digestbot.delivery import OutboxSender
from digestbot.delivery.tick import standalone_bot
from digestbot.sandbox.emulator import Emulator
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema
from sender_processes import TEXT, Tier, TierResult, fill_outbox, run_tier


def serve(conn: Connection, chats: int, rate_limits: bool, record: str) -> None:
    """Server process: an emulator whose users 1..chats have written to the bot."""

    async def main() -> None:
        path = Path(record) if record else None
        async with Emulator(rate_limits=rate_limits, record_path=path) as emu:
            for chat in range(1, chats + 1):
                emu.driver.create_user(chat, f"Reader {chat}")
                emu.driver.send_text(chat, "/start")
            conn.send((emu.base_url, emu.token))
            await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # "stop"

    asyncio.run(main())


def start_emulator(
    chats: int, *, rate_limits: bool, record: str = ""
) -> tuple[multiprocessing.Process, Connection, str, str]:
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(
        target=serve, args=(child, chats, rate_limits, record), daemon=True
    )
    server.start()
    base_url, token = parent.recv()
    return server, parent, base_url, token


async def drain(
    sessions: sessionmaker[Session],
    base_url: str,
    token: str,
    delivery: DeliverySettings,
    rate: float | None,
) -> tuple[float, int, int]:
    """Drain the outbox; returns (seconds, sent, retried)."""
    bot = standalone_bot(token, base_url)
    async with bot:
        sender = OutboxSender(bot, sessions, delivery, rate=rate)
        started = time.perf_counter()
        report = await sender.drain()
        elapsed = time.perf_counter() - started
        sender.close()
    return elapsed, report.sent, report.retried


async def bare_httpx(base_url: str, token: str, messages: int, chats: int, conns: int) -> float:
    """Post the same messages with httpx from ``conns`` workers; returns seconds."""
    url = f"{base_url}/bot{token}/sendMessage"
    limits = httpx.Limits(max_connections=conns, max_keepalive_connections=conns)
    forms = [
        {
            "chat_id": str(i % chats + 1),
            "text": TEXT.format(chat=i % chats + 1, seq=i // chats),
            "parse_mode": "HTML",
        }
        for i in range(messages)
    ]
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        queue = iter(forms)

        async def worker() -> None:
            for form in queue:
                response = await client.post(url, data=form)
                if response.status_code != 200:
                    raise RuntimeError(response.text)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(conns)))
        return time.perf_counter() - started


def new_store(folder: str, name: str) -> sessionmaker[Session]:
    engine = create_engine_for(f"sqlite:///{folder}/{name}.sqlite3")
    upgrade_schema(engine)
    return session_factory(engine)


def throughput(args: argparse.Namespace, folder: str) -> dict[str, float]:
    """Runs 1-3 of the module docstring; their figures for the ``RESULT`` line."""
    server, conn, base_url, token = start_emulator(args.chats, rate_limits=False)
    sessions = new_store(folder, "throughput")
    fill_outbox(sessions, args.messages, args.chats)
    unpaced = DeliverySettings(per_chat_interval=0.0, paid_broadcast=True)
    seconds, sent, _ = asyncio.run(drain(sessions, base_url, token, unpaced, 100_000.0))
    figures = {"sender_rate_per_s": sent / seconds}
    print(
        f"sender, limits off: {sent} messages to {args.chats} chats in {seconds:.2f} s "
        f"= {sent / seconds:,.0f} msg/s"
    )
    bare = asyncio.run(bare_httpx(base_url, token, args.messages, args.chats, args.conns))
    print(
        f"bare httpx loop ({args.conns} connections), same messages: {bare:.2f} s "
        f"= {args.messages / bare:,.0f} msg/s; sender/bare = {bare / seconds:.2f}"
    )
    figures |= {"bare_rate_per_s": args.messages / bare, "sender_vs_bare": bare / seconds}
    # httpcore imports sniffio on every pool operation; where it is not installed each failed
    # import walks sys.path. A None in sys.modules makes that import fail at once.
    sys.modules.setdefault("sniffio", None)  # type: ignore[arg-type]
    bare = asyncio.run(bare_httpx(base_url, token, args.messages, args.chats, args.conns))
    print(
        f"bare httpx loop, failed sniffio import made cheap: {bare:.2f} s "
        f"= {args.messages / bare:,.0f} msg/s; sender/bare = {bare / seconds:.2f}"
    )
    figures |= {"sender_vs_cheap_sniffio_bare": bare / seconds}
    paid = new_store(folder, "paid")
    fill_outbox(paid, args.messages, args.chats)
    broadcast = DeliverySettings(rate_per_second=1000.0, paid_broadcast=True)
    seconds, sent, _ = asyncio.run(drain(paid, base_url, token, broadcast, None))
    print(
        f"sender as configured for paid broadcasts (1000/s, 1 s per chat), limits off: {sent} "
        f"messages in {seconds:.2f} s = {sent / seconds:,.0f} msg/s"
    )
    conn.send("stop")
    server.join(timeout=5)
    return figures | {"paid_rate_per_s": sent / seconds}


def paced(args: argparse.Namespace, folder: str) -> dict[str, float]:
    """Run 4 of the module docstring; its figures for the ``RESULT`` line."""
    record = f"{folder}/paced.jsonl"
    server, conn, base_url, token = start_emulator(args.paced, rate_limits=True, record=record)
    sessions = new_store(folder, "paced")
    fill_outbox(sessions, args.paced, args.paced)
    seconds, sent, retried = asyncio.run(drain(sessions, base_url, token, DeliverySettings(), None))
    conn.send("stop")
    server.join(timeout=5)
    entries = [json.loads(line) for line in Path(record).read_text().splitlines()]
    sends = [e for e in entries if e["method"] == "sendMessage"]
    too_many = sum(1 for e in sends if e["status"] == 429)
    span = sends[-1]["time"] - sends[0]["time"]
    print(
        f"sender at the default 30/s, emulator limits on: {sent} messages in {seconds:.2f} s; "
        f"first to last request {(len(sends) - 1) / span:.2f} msg/s; 429 answers: {too_many} "
        f"(sender retries: {retried})"
    )
    return {"paced_rate_per_s": (len(sends) - 1) / span, "paced_429": too_many}


def shared_budget(args: argparse.Namespace) -> dict[str, float]:
    """Both tiers drained by ``args.processes`` processes from the outbox at ``args.database``."""
    tiers = [
        Tier(
            "paid",
            args.paid_messages,
            args.paid_chats,
            DeliverySettings(rate_per_second=1000.0, paid_broadcast=True),
        ),
        Tier("free", args.paced, args.paced, DeliverySettings()),
    ]
    results: dict[str, TierResult] = {}
    for tier in tiers:
        result = run_tier(args.database, tier, args.processes, args.profile)
        results[tier.name] = result
        print(
            f"{tier.name}: {tier.messages:,} messages to {tier.chats:,} chats, "
            f"{result.processes} process(es): {result.accepted:,} accepted at {result.rate:,.1f} "
            f"msg/s (first to last send; {result.wall_seconds:.1f} s wall from the start of the "
            f"processes), 429 answers {result.refused}, duplicates {result.duplicates}, "
            f"recorded as sent {result.sent:,}; CPU per accepted send: emulator "
            f"{result.cpu_ms_per_message(result.emulator_cpu):.3f} ms, senders "
            f"{result.cpu_ms_per_message(result.sender_cpu):.3f} ms (all {result.processes}), "
            f"their PostgreSQL backends {result.cpu_ms_per_message(result.database_cpu):.3f} ms; "
            f"load average {os.getloadavg()[0]:.1f}"
        )
    paid = results["paid"]
    return {
        "paid_msg_per_s": paid.rate,
        "free_msg_per_s": results["free"].rate,
        "http_429": sum(r.refused for r in results.values()),
        "duplicates": sum(r.duplicates for r in results.values()),
        "paid_emulator_cpu_ms": paid.cpu_ms_per_message(paid.emulator_cpu),
        "paid_sender_cpu_ms": paid.cpu_ms_per_message(paid.sender_cpu),
        "paid_postgres_cpu_ms": paid.cpu_ms_per_message(paid.database_cpu),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument("--conns", type=int, default=8, help="httpx connections, both clients")
    parser.add_argument("--paced", type=int, default=300, help="messages in the 30/s run")
    parser.add_argument("--database", help="share the budget: senders on this database URL")
    parser.add_argument("--processes", type=int, default=3, help="sender processes (--database)")
    parser.add_argument("--paid-messages", type=int, default=100_000)
    parser.add_argument("--paid-chats", type=int, default=10_000)
    parser.add_argument("--profile", default="", help="cProfile every process into this folder")
    quick = {"messages": 1_000, "chats": 200, "paced": 150, "paid_messages": 10_000}
    args = parse_args(parser, quick)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, load average {os.getloadavg()[0]:.1f}"
    )
    if args.database:
        print(result_line(shared_budget(args)))
        return 0
    with tempfile.TemporaryDirectory() as folder:
        figures = throughput(args, folder)
        if args.paced:
            figures |= paced(args, folder)
    print(result_line(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
