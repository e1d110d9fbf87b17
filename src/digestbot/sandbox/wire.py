"""A small HTTP/1.1 server on asyncio streams: keep-alive, Content-Length and chunked bodies.

Just enough HTTP for a Bot API client, a webhook test and a browser; the application behind it
is one async handler from :class:`HttpRequest` to :class:`HttpResponse`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, TypeVar

__all__ = [
    "DropConnection",
    "Handler",
    "HttpRequest",
    "HttpResponse",
    "HttpServer",
    "unless_hangup",
]

log = logging.getLogger(__name__)

INTERNAL_ERROR = b'{"ok":false,"error_code":500,"description":"Internal Server Error"}'
MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 60 * 1024 * 1024  # a little above Telegram's 50 MB upload limit
# Connections the kernel holds until accepted. asyncio's default (100) overflows when a burst
# opens many connections while the event loop is busy: the kernel then drops the handshake and
# the client's connect times out, which Telegram's servers never do (make fuzz met it).
BACKLOG = 4096


@dataclass(frozen=True)
class HttpRequest:
    """One parsed request (header names lower-case); ``hangup`` resolves when the client leaves."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    hangup: asyncio.Future[None] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class HttpResponse:
    """One response; ``headers`` are extra headers beyond Content-Type and Content-Length."""

    status: int
    body: bytes
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()


class DropConnection(Exception):
    """Raised by a handler to close the connection unanswered (a simulated network fault)."""


class BadHttp(Exception):
    """The client sent something that is not HTTP/1.x."""


Handler = Callable[[HttpRequest], Awaitable[HttpResponse]]
T = TypeVar("T")


async def unless_hangup(work: Awaitable[T], request: HttpRequest) -> T:
    """Await ``work`` (a long poll), abandoning it with DropConnection if the client goes away."""
    if request.hangup is None:
        return await work
    task = asyncio.ensure_future(work)
    either: list[asyncio.Future[Any]] = [task, request.hangup]
    await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
    if not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        raise DropConnection
    return task.result()


class _HangupProtocol(asyncio.StreamReaderProtocol):
    """Stream protocol that also resolves ``hangup`` when the peer closes or the link drops."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        connected: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
        hangup: asyncio.Future[None],
    ) -> None:
        super().__init__(reader, connected)
        self.hangup = hangup

    def _hang_up(self) -> None:
        if not self.hangup.done():
            self.hangup.set_result(None)

    def eof_received(self) -> bool | None:
        self._hang_up()
        return super().eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self._hang_up()
        super().connection_lost(exc)


class HttpServer:
    """Serves ``handler`` on ``host:port`` (port 0 picks a free one, see :attr:`port`)."""

    def __init__(self, handler: Handler, host: str = "127.0.0.1", port: int = 0) -> None:
        self._handler = handler
        self.host = host
        self.port = port
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._closing = False

    async def start(self) -> None:
        """Bind and start accepting connections."""
        self._closing = False
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            self._make_protocol, self.host, self.port, backlog=BACKLOG
        )
        self.port = self._server.sockets[0].getsockname()[1]

    def _make_protocol(self) -> asyncio.StreamReaderProtocol:
        loop = asyncio.get_running_loop()
        hangup: asyncio.Future[None] = loop.create_future()
        reader = asyncio.StreamReader(limit=MAX_HEADER_BYTES, loop=loop)

        async def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await self._on_connection(reader, writer, hangup)

        return _HangupProtocol(reader, connected, hangup)

    async def stop(self) -> None:
        """Stop accepting, then cancel open connections (pending long polls included)."""
        if self._server is None:
            return
        self._closing = True
        self._server.close()
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.gather(*self._connections, return_exceptions=True)
        await self._server.wait_closed()
        self._server = None

    async def _on_connection(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        hangup: asyncio.Future[None],
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            await self._serve(reader, writer, hangup)
        except (
            BadHttp,
            ValueError,  # a malformed Content-Length or chunk size
            ConnectionError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
        ):
            pass
        except asyncio.CancelledError:
            if not self._closing:
                raise
            # cancelled by stop(): end normally, or asyncio logs the cancelled connection task
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _serve(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        hangup: asyncio.Future[None],
    ) -> None:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError as exc:
                if exc.partial.strip():
                    raise
                return
            if len(head) > MAX_HEADER_BYTES:
                raise BadHttp("headers too large")
            request, keep_alive = await _read_request(head, reader, writer, hangup)
            try:
                response = await self._handler(request)
            except DropConnection:
                return
            except Exception:
                # A bug behind the server: log it and answer as Telegram does when it fails.
                log.exception("sandbox: handling %s failed", request.path.rsplit("/", 1)[-1])
                response = HttpResponse(500, INTERNAL_ERROR)
            writer.write(_encode(response, keep_alive))
            await writer.drain()
            if not keep_alive:
                return


async def _read_request(
    head: bytes,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    hangup: asyncio.Future[None],
) -> tuple[HttpRequest, bool]:
    lines = head.decode("latin-1").split("\r\n")
    try:
        method, target, version = lines[0].split(" ", 2)
    except ValueError as exc:
        raise BadHttp(lines[0]) from exc
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    connection = headers.get("connection", "").lower()
    keep_alive = connection != "close" if version == "HTTP/1.1" else connection == "keep-alive"
    if headers.get("expect", "").lower() == "100-continue":  # curl, for bodies over 1 KB
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = await _read_chunked(reader)
    else:
        length = int(headers.get("content-length") or 0)
        if length > MAX_BODY_BYTES:
            raise BadHttp("body too large")
        body = await reader.readexactly(length) if length else b""
    path, _, query = target.partition("?")
    return HttpRequest(method.upper(), path, query, headers, body, hangup), keep_alive


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass
            return b"".join(parts)
        total += size
        if total > MAX_BODY_BYTES:
            raise BadHttp("body too large")
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


def _encode(response: HttpResponse, keep_alive: bool) -> bytes:
    try:
        reason = HTTPStatus(response.status).phrase
    except ValueError:
        reason = "Unknown"
    lines = [
        f"HTTP/1.1 {response.status} {reason}",
        f"Content-Type: {response.content_type}",
        f"Content-Length: {len(response.body)}",
    ]
    lines.extend(f"{name}: {value}" for name, value in response.headers)
    if not keep_alive:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + response.body
