"""Benchmark the Bot API emulator: sendMessage throughput and the CPU an idle long poll costs.

The emulator runs in its own process (rate limits off). Two local keep-alive clients drive it
from this process: httpx (what python-telegram-bot uses) and a minimal asyncio HTTP/1.1 client
(which costs the client far less CPU, so it shows what the server itself can serve).
Usage: ``python bench/bench_sandbox.py [--seconds 5] [--concurrency 32] [--idle 5]``.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import platform
import sys
import time
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import parse_args, result_line
from digestbot.sandbox.emulator import Emulator

CHAT_ID = 1
FORM = {"chat_id": str(CHAT_ID), "text": "Benchmark <b>digest</b> line", "parse_mode": "HTML"}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (Linux)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def serve(conn: Connection) -> None:
    """Server process: run the emulator until the parent says stop."""

    async def main() -> None:
        async with Emulator(rate_limits=False) as emu:
            emu.driver.create_user(CHAT_ID, "Bench")
            emu.driver.send_text(CHAT_ID, "/start")
            await emu.updates.get_updates({"offset": 2})  # confirm the /start update
            conn.send((emu.base_url, emu.token))
            await asyncio.get_running_loop().run_in_executor(None, conn.recv)  # "stop"

    asyncio.run(main())


async def hammer_httpx(url: str, seconds: float, concurrency: int) -> int:
    """httpx workers sending messages for ``seconds``; returns how many succeeded."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        deadline = time.perf_counter() + seconds

        async def worker() -> int:
            done = 0
            while time.perf_counter() < deadline:
                response = await client.post(url, data=FORM)
                if response.status_code != 200:
                    raise RuntimeError(response.text)
                done += 1
            return done

        return sum(await asyncio.gather(*(worker() for _ in range(concurrency))))


async def hammer_raw(url: str, seconds: float, concurrency: int) -> int:
    """Minimal HTTP/1.1 keep-alive workers posting the same form; returns how many succeeded."""
    parts = urlsplit(url)
    body = urlencode(FORM).encode()
    request = (
        f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    deadline = time.perf_counter() + seconds

    async def worker() -> int:
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        done = 0
        while time.perf_counter() < deadline:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(head.decode())
            start = head.lower().index(b"content-length:") + 15
            await reader.readexactly(int(head[start : head.index(b"\r\n", start)]))
            done += 1
        writer.close()
        return done

    return sum(await asyncio.gather(*(worker() for _ in range(concurrency))))


def measure(
    name: str,
    hammer: Callable[[str, float, int], Awaitable[int]],
    url: str,
    pid: int,
    seconds: float,
    concurrency: int,
) -> tuple[float, float]:
    """Run one client for ``seconds``, print requests/s with server and client CPU; return
    (requests/s, server CPU microseconds per request)."""
    asyncio.run(hammer(url, 0.5, concurrency))  # warm-up
    server_cpu, client_cpu = cpu_seconds(pid), time.process_time()
    started = time.perf_counter()
    count = asyncio.run(hammer(url, seconds, concurrency))
    elapsed = time.perf_counter() - started
    used = cpu_seconds(pid) - server_cpu
    print(
        f"sendMessage, {name} client: {count} in {elapsed:.2f} s = {count / elapsed:,.0f} req/s "
        f"(concurrency {concurrency}; CPU s: server {used:.2f}, "
        f"client {time.process_time() - client_cpu:.2f}; "
        f"server CPU per request {used / count * 1e6:.0f} us = {count / used:,.0f} req/s per core)"
    )
    return count / elapsed, used / count * 1e6


async def idle_poll(url: str, seconds: int) -> None:
    """One long poll that stays idle for ``seconds``."""
    async with httpx.AsyncClient(timeout=seconds + 10) as client:
        response = await client.post(url, data={"timeout": str(seconds)})
        assert response.json() == {"ok": True, "result": []}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=32, help="raw-client connections")
    parser.add_argument(
        "--httpx-concurrency",
        type=int,
        default=4,
        help="httpx connections (its pool costs O(n^2) client CPU beyond a few)",
    )
    parser.add_argument("--idle", type=int, default=5, help="idle long-poll seconds")
    args = parse_args(parser, {"seconds": 1.0, "idle": 1})

    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve, args=(child,), daemon=True)
    server.start()
    base_url, token = parent.recv()
    assert server.pid is not None
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}"
    )

    send_url = f"{base_url}/bot{token}/sendMessage"
    httpx_rate, httpx_us = measure(
        "httpx", hammer_httpx, send_url, server.pid, args.seconds, args.httpx_concurrency
    )
    raw_rate, raw_us = measure(
        "raw", hammer_raw, send_url, server.pid, args.seconds, args.concurrency
    )

    cpu = cpu_seconds(server.pid)
    asyncio.run(idle_poll(f"{base_url}/bot{token}/getUpdates", args.idle))
    idle_cpu = cpu_seconds(server.pid) - cpu
    print(f"idle getUpdates long poll of {args.idle} s: server CPU {idle_cpu:.3f} s")

    parent.send("stop")
    server.join(timeout=5)
    figures = {"raw_req_per_s": raw_rate, "raw_server_us_per_req": raw_us}
    figures |= {"httpx_req_per_s": httpx_rate, "httpx_server_us_per_req": httpx_us}
    print(result_line(figures | {"idle_poll_cpu_s": idle_cpu}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
