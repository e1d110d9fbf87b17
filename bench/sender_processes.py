"""Several sender processes on one database against one emulator with Telegram's limits on.

Used by ``bench_sender.py --database URL --processes N``. The emulator runs in a process of its
own and counts, at its flood limiter, every send it accepted (when) and refused (429); at the end
it reports them and the duplicates it holds (a text that reached a chat twice). Each sender is an
``OutboxSender`` in a process of its own, as ``digestbot digest send`` runs one. On PostgreSQL the
outbox lives in a fresh schema, dropped afterwards; on SQLite one process sends (its one-sender
rule: the others would only wait for the lock).
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import multiprocessing
import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sqlalchemy import insert, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from digestbot.config import DeliverySettings
from digestbot.delivery import OutboxSender
from digestbot.delivery.tick import standalone_bot
from digestbot.sandbox.emulator import Emulator
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema
from digestbot.store.models import OutboxMessage, utc_now

TEXT = (
    "<b>Digest</b> for {chat}: message {seq}, with an <a href='https://example.com/{seq}'>link</a>"
)


@dataclass(frozen=True)
class Tier:
    """One run: ``messages`` to ``chats`` chats, sent as ``delivery`` says."""

    name: str
    messages: int
    chats: int
    delivery: DeliverySettings


@dataclass(frozen=True)
class TierResult:
    """What the emulator saw: sends accepted and refused, their span, texts received twice."""

    accepted: int
    refused: int
    seconds: float
    duplicates: int
    wall_seconds: float
    sent: int
    processes: int
    emulator_cpu: float = 0.0  # seconds of CPU (user + system) the emulator process used
    sender_cpu: float = 0.0  # the same, summed over the sender processes
    database_cpu: float = 0.0  # the same, summed over the senders' PostgreSQL backends

    def cpu_ms_per_message(self, seconds: float) -> float:
        """``seconds`` of CPU per accepted send, in milliseconds."""
        return 1000.0 * seconds / self.accepted if self.accepted else 0.0

    @property
    def rate(self) -> float:
        """Accepted sends per second, first to last."""
        return (self.accepted - 1) / self.seconds if self.seconds > 0 else 0.0


def _serve(conn: Connection, chats: int, profile: str) -> None:
    """Emulator process: users 1..chats have written to the bot; counts at the flood limiter."""
    accepted: list[float] = []
    refused = 0

    async def main() -> None:
        nonlocal refused
        async with Emulator(rate_limits=True) as emu:
            for chat in range(1, chats + 1):
                emu.driver.create_user(chat, f"Reader {chat}")
                emu.driver.send_text(chat, "/start")
            limiter_acquire = emu.limiter.acquire

            def counted(chat_id: int, is_group: bool, *, paid: bool = False) -> int:
                nonlocal refused
                wait = limiter_acquire(chat_id, is_group, paid=paid)
                if wait:
                    refused += 1
                else:
                    accepted.append(time.monotonic())
                return wait

            emu.limiter.acquire = counted  # type: ignore[method-assign]
            setup_cpu = time.process_time()  # creating the users is not serving
            conn.send((emu.base_url, emu.token))
            await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # "stop"
            texts = Counter(
                (chat_id, message.text)
                for chat_id, messages in emu.state.messages.items()
                for message in messages.values()
                if message.from_bot
            )
            duplicates = sum(count - 1 for count in texts.values())
            span = accepted[-1] - accepted[0] if accepted else 0.0
            cpu = time.process_time() - setup_cpu
            conn.send((len(accepted), refused, span, duplicates, cpu))

    _profiled(main, profile)


def _profiled(main: Any, path: str) -> None:
    """Run ``main()`` on a new event loop, under cProfile when ``path`` is given."""
    if not path:
        asyncio.run(main())
        return
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        asyncio.run(main())
    finally:
        profiler.disable()
        profiler.dump_stats(path)


def _send(conn: Connection, url: str, base_url: str, token: str, tier: Tier, profile: str) -> None:
    """Sender process: drain the outbox as one ``digest send`` would; reports what it sent."""

    async def main() -> None:
        engine = create_engine_for(url)
        bot = standalone_bot(token, base_url)
        async with bot:
            sender = OutboxSender(bot, session_factory(engine), tier.delivery)
            try:
                await sender.recover()
                report = await sender.drain(linger=10.0)
            finally:
                sender.close()
        engine.dispose()
        conn.send((report.sent, time.process_time()))

    _profiled(main, profile)


class BackendCpu:
    """Samples the CPU time of the PostgreSQL backends whose application_name is ``name`` (read
    from /proc: the server on this machine) four times a second; :meth:`stop` returns the sum of
    the last samples, in seconds (what a backend used after its last sample is missed)."""

    def __init__(self, url: str, name: str) -> None:
        self._engine = create_engine_for(url)
        self._name = name
        self._ticks: dict[int, int] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        query = text("SELECT pid FROM pg_stat_activity WHERE application_name = :name")
        with self._engine.connect() as connection:
            while not self._done.wait(0.25):
                for (pid,) in connection.execute(query, {"name": self._name}):
                    with contextlib.suppress(OSError, IndexError, ValueError):
                        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                        self._ticks[pid] = int(fields[11]) + int(fields[12])  # utime + stime
                connection.rollback()

    def stop(self) -> float:
        self._done.set()
        self._thread.join()
        self._engine.dispose()
        return sum(self._ticks.values()) / os.sysconf("SC_CLK_TCK")


@contextmanager
def bench_database(url: str, name: str) -> Iterator[str]:
    """A fresh database for one run, dropped afterwards: on PostgreSQL a URL whose connections see
    only a new schema; on SQLite the file named by ``url`` with ``-name`` added."""
    if not url.startswith("postgresql"):
        database = make_url(url).database or ""
        if not database or database == ":memory:":
            raise ValueError("give a SQLite file: sender processes share the outbox through it")
        path = Path(f"{database}-{name}")
        yield make_url(url).set(database=str(path)).render_as_string(hide_password=False)
        for suffix in ("", "-wal", "-shm", ".sender-lock"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    schema = f"bench_sender_{uuid.uuid4().hex[:10]}"
    admin = create_engine_for(url)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        # The schema's name as application_name too: BackendCpu finds the senders' backends by it.
        query = {"options": f"-csearch_path={schema}", "application_name": schema}
        scoped = make_url(url).update_query_dict(query)
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def fill_outbox(sessions: sessionmaker[Session], messages: int, chats: int) -> None:
    """``messages`` pending rows, spread round-robin over ``chats`` chats."""
    now = utc_now()
    for start in range(0, messages, 10_000):
        rows = [
            {
                "chat_id": i % chats + 1,
                "seq": i // chats,
                "text": TEXT.format(chat=i % chats + 1, seq=i // chats),
                "parse_mode": "HTML",
                "next_attempt_at": now,
                "created_at": now,
            }
            for i in range(start, min(messages, start + 10_000))
        ]
        with sessions.begin() as session:
            session.execute(insert(OutboxMessage), rows)


def run_tier(url: str, tier: Tier, processes: int, profile: str = "") -> TierResult:
    """Fill a fresh outbox at ``url`` with the tier's messages and drain it with ``processes``
    sender processes (one on SQLite) against a rate-limited emulator."""
    if not url.startswith("postgresql"):
        processes = 1
    if profile:
        Path(profile).mkdir(parents=True, exist_ok=True)
    with bench_database(url, tier.name) as scoped:
        engine = create_engine_for(scoped)
        upgrade_schema(engine)
        fill_outbox(session_factory(engine), tier.messages, tier.chats)
        if engine.dialect.name == "postgresql":
            # Statistics, as autovacuum takes them within a minute of a big insert: without any,
            # PostgreSQL guesses a hundred due rows and sorts them all at every claim.
            with engine.begin() as connection:
                connection.execute(text("ANALYZE outbox"))
        engine.dispose()
        parent, child = multiprocessing.Pipe()
        path = f"{profile}/{tier.name}-emulator.prof" if profile else ""
        server = multiprocessing.Process(target=_serve, args=(child, tier.chats, path))
        server.start()
        base_url, token = parent.recv()
        started = time.perf_counter()
        name = make_url(scoped).query.get("application_name")
        backends = BackendCpu(url, str(name)) if name else None
        senders = []
        for number in range(processes):
            here, there = multiprocessing.Pipe()
            path = f"{profile}/{tier.name}-sender-{number}.prof" if profile else ""
            process = multiprocessing.Process(
                target=_send, args=(there, scoped, base_url, token, tier, path)
            )
            process.start()
            senders.append((process, here))
        sent, sender_cpu = 0, 0.0
        for process, here in senders:
            count, cpu = here.recv()
            sent, sender_cpu = sent + count, sender_cpu + cpu
            process.join()
        wall = time.perf_counter() - started
        database_cpu = backends.stop() if backends is not None else 0.0
        parent.send("stop")
        accepted, refused, span, duplicates, emulator_cpu = parent.recv()
        server.join(timeout=10)
    return TierResult(
        accepted,
        refused,
        span,
        duplicates,
        wall,
        sent,
        processes,
        emulator_cpu,
        sender_cpu,
        database_cpu,
    )
