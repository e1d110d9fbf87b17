"""The sender's HTTP transport against small real servers: bodies, keep-alive, stale connections,
timeouts; and ``OutboxBot.post_text`` against the emulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram.error import NetworkError, TimedOut

from digestbot.delivery.tick import standalone_bot
from digestbot.delivery.transport import KeepAliveRequest, form_body
from digestbot.sandbox.emulator import Emulator

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
OK_JSON = b'{"ok":true,"result":true}'


class Server:
    """A TCP server on a free port that counts connections and requests."""

    def __init__(self, answer: Callable[[int], bytes | None]) -> None:
        self.answer = answer  # request number -> raw response, or None to close silently
        self.connections = 0
        self.requests = 0
        self.port = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                await reader.readexactly(length)
                self.requests += 1
                response = self.answer(self.requests)
                if response is None:
                    break
                writer.write(response)
                await writer.drain()
                if b"Connection: close" in response:
                    break
        except asyncio.IncompleteReadError:
            pass
        writer.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot123:abc/getMe"


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Callable[[int], bytes | None]], Awaitable[Server]]]:
    servers: list[asyncio.Server] = []

    async def start(answer: Callable[[int], bytes | None]) -> Server:
        server = Server(answer)
        listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
        server.port = listener.sockets[0].getsockname()[1]
        servers.append(listener)
        return server

    yield start
    for listener in servers:
        listener.close()
        await listener.wait_closed()


def plain(body: bytes, extra: str = "") -> bytes:
    return (
        f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        f"{extra}\r\n"
    ).encode() + body


def chunked(body: bytes) -> bytes:
    half = len(body) // 2
    parts = [body[:half], body[half:]]
    chunks = b"".join(f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in parts)
    return b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n"


async def test_keeps_the_connection_and_reads_both_body_framings(
    serve: Callable[..., Awaitable[Server]],
) -> None:
    server = await serve(lambda n: plain(OK_JSON) if n % 2 else chunked(OK_JSON))
    request = KeepAliveRequest(2)
    answers = [await request.do_request(server.url, "POST") for _ in range(4)]
    await request.shutdown()
    assert answers == [(200, OK_JSON)] * 4
    assert server.connections == 1


async def test_connection_close_opens_a_new_connection_next_time(
    serve: Callable[..., Awaitable[Server]],
) -> None:
    server = await serve(lambda n: plain(OK_JSON, "Connection: close\r\n"))
    request = KeepAliveRequest(2)
    for _ in range(3):
        assert await request.do_request(server.url, "POST") == (200, OK_JSON)
    assert server.connections == 3


async def test_a_kept_alive_connection_the_server_dropped_is_retried_once_fresh(
    serve: Callable[..., Awaitable[Server]],
) -> None:
    server = await serve(lambda n: None if n == 2 else plain(OK_JSON))
    request = KeepAliveRequest(1)
    assert await request.do_request(server.url, "POST") == (200, OK_JSON)
    assert await request.do_request(server.url, "POST") == (200, OK_JSON)
    assert (server.requests, server.connections) == (3, 2)


async def test_a_fresh_connection_closed_without_an_answer_is_a_network_error(
    serve: Callable[..., Awaitable[Server]],
) -> None:
    server = await serve(lambda n: None)
    with pytest.raises(NetworkError):
        await KeepAliveRequest(1).do_request(server.url, "POST")
    assert server.requests == 1


async def test_no_answer_in_time_is_timed_out(serve: Callable[..., Awaitable[Server]]) -> None:
    never = asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await never.wait()

    listener = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    request = KeepAliveRequest(1, read_timeout=0.2)
    with pytest.raises(TimedOut):
        await request.do_request(f"http://127.0.0.1:{port}/x", "POST")
    never.set()
    listener.close()


async def test_post_text_sends_markup_and_returns_the_message_id(emulator: Emulator) -> None:
    emulator.driver.create_user(7, "Reader")
    emulator.driver.send_text(7, "/start")
    markup = {"inline_keyboard": [[{"text": "中文", "callback_data": "d:1:0:zh"}]]}
    async with standalone_bot(emulator.token, emulator.base_url) as bot:
        message_id = await bot.post_text(7, "<b>hi</b>", parse_mode="HTML", reply_markup=markup)
    [message] = [m for m in emulator.driver.transcript(7) if m["from_bot"]]
    assert message["message_id"] == message_id
    assert message["html"] == "<b>hi</b>"
    assert message["reply_markup"] == markup


@given(st.dictionaries(st.text(min_size=1), st.text(), max_size=5))
def test_the_form_body_is_what_urlencode_writes(parameters: dict[str, str]) -> None:
    assert form_body(parameters) == urlencode(parameters).encode()
