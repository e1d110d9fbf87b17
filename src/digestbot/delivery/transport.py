"""The sender's bot: a lean HTTP/1.1 keep-alive transport, and a send that builds no Message.

Why: measured here, httpx (under python-telegram-bot) costs over 1 ms of client CPU per request
(a failed ``import sniffio`` per pool operation, pool rescans, two socket writes per request), so
the sender could not pass ~160 messages/s. This client writes each request in one piece over a
small pool of kept-alive connections (TLS for https) and reads Content-Length or chunked bodies.
It posts form-encoded parameters only: no file uploads (the sender sends text). Errors are
python-telegram-bot's: ``TimedOut`` for timeouts, ``NetworkError`` for the rest; a request that
met a kept-alive connection the server had closed is sent again once on a fresh connection, and
only when not a byte of the answer had come. ``OutboxBot.post_text`` sends a message and keeps
only its id: building python-telegram-bot's ``Message`` from the answer was a third of the
sender's CPU. It hands its parameters, already strings, to python-telegram-bot's request object
(``BaseRequest.post``: the same transport, the same JSON parsing and the same errors as
``Bot.send_message``), skipping ``Bot._post``'s generic preparation of arbitrary arguments.

Behind a proxy (``OutboxBot(..., proxy=...)``) the sender uses python-telegram-bot's
``HTTPXRequest`` instead (``delivery.proxy.ptb_request``): httpx already speaks HTTP CONNECT,
absolute-form forwarding and SOCKS5 with logins, and starts TLS inside the tunnel; written here
it would be a second proxy client to keep, for no gain that matters: with sniffio installed
httpx measured 1,062 sendMessage/s on 4 connections (BENCHMARKS.md), far above Telegram's 30/s
and level with paid broadcasts' 1,000/s. The sender then also takes exactly the route
python-telegram-bot takes. Without a proxy this lean transport stays.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

from telegram import Bot
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from digestbot.delivery.proxy import ptb_request
from digestbot.monitoring.observe import RequestObserver, observe_request

__all__ = ["KeepAliveRequest", "OutboxBot", "form_body"]

MAX_HEAD = 64 * 1024
_UNRESERVED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~"
# Each byte as ``urlencode`` writes it in a form (space as "+", others but the unreserved as %XX).
_FORM_BYTE = [chr(b) if b in _UNRESERVED else "+" if b == 0x20 else f"%{b:02X}" for b in range(256)]


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    reused: bool = False

    def close(self) -> None:
        self.writer.close()


class _StaleConnection(Exception):
    """A kept-alive connection was closed before any of the answer came."""


class KeepAliveRequest(BaseRequest):
    """At most ``pool_size`` connections per server; timeouts in seconds (None: wait forever)."""

    def __init__(
        self,
        pool_size: int = 8,
        *,
        connect_timeout: float | None = 5.0,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        observer: RequestObserver | None = None,
    ) -> None:
        self.pool_size = pool_size
        self.observer = observer
        self._slots = asyncio.Semaphore(pool_size)
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._timeouts = (connect_timeout, read_timeout, write_timeout)
        self._ssl: ssl.SSLContext | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout."""
        return self._timeouts[1]

    async def initialize(self) -> None:
        """Nothing to prepare: connections open on first use."""

    async def shutdown(self) -> None:
        """Close every idle connection."""
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request and return (HTTP status, body)."""
        if request_data is not None and request_data.contains_files:
            raise NetworkError("KeepAliveRequest sends no files; use HTTPXRequest for uploads")
        parts = urlsplit(url)
        secure = parts.scheme == "https"
        origin = (parts.scheme, parts.hostname or "", parts.port or (443 if secure else 80))
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        body = form_body(request_data.json_parameters) if request_data else b""
        head = (
            f"{method} {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
        )
        timeouts = (
            _seconds(connect_timeout, self._timeouts[0]),
            _seconds(read_timeout, self._timeouts[1]),
            _seconds(write_timeout, self._timeouts[2]),
        )
        request = head.encode() + body

        async def exchange() -> tuple[int, bytes]:
            async with self._slots:
                try:
                    return await self._exchange(origin, request, timeouts)
                except _StaleConnection:
                    return await self._exchange(origin, request, timeouts, fresh=True)

        return await observe_request(self.observer, url, exchange)

    async def _exchange(
        self,
        origin: tuple[str, str, int],
        request: bytes,
        timeouts: tuple[float | None, float | None, float | None],
        *,
        fresh: bool = False,
    ) -> tuple[int, bytes]:
        connect_timeout, read_timeout, write_timeout = timeouts
        connection = None if fresh else self._take_idle(origin)
        phase = "connect"
        try:
            if connection is None:
                async with asyncio.timeout(connect_timeout):
                    connection = await self._connect(origin)
            phase = "write"
            connection.writer.write(request)
            async with asyncio.timeout(write_timeout):
                await connection.writer.drain()
            phase = "read"
            async with asyncio.timeout(read_timeout):
                status, body, keep = await _read_response(connection)
        except TimeoutError as exc:
            if connection is not None:
                connection.close()
            raise TimedOut(f"timed out ({phase})") from exc
        except _StaleConnection:
            if connection is not None:
                connection.close()
            raise
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            if connection is not None:
                connection.close()
            raise NetworkError(f"{type(exc).__name__} while {phase}ing: {exc}") from exc
        if keep:
            connection.reused = True
            self._idle.setdefault(origin, []).append(connection)
        else:
            connection.close()
        return status, body

    def _take_idle(self, origin: tuple[str, str, int]) -> _Connection | None:
        idle = self._idle.get(origin, [])
        while idle:
            connection = idle.pop()
            if not connection.reader.at_eof() and not connection.writer.is_closing():
                return connection
            connection.close()
        return None

    async def _connect(self, origin: tuple[str, str, int]) -> _Connection:
        scheme, host, port = origin
        context = None
        if scheme == "https":
            if self._ssl is None:
                self._ssl = ssl.create_default_context()
            context = self._ssl
        reader, writer = await asyncio.open_connection(host, port, ssl=context, limit=MAX_HEAD)
        return _Connection(reader, writer)


async def _read_response(connection: _Connection) -> tuple[int, bytes, bool]:
    """Status, body and whether the connection may be used again."""
    reader = connection.reader
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if connection.reused and not exc.partial:
            raise _StaleConnection from exc
        raise
    lines = head.decode("latin-1").split("\r\n")
    version, status = lines[0].split(" ", 2)[:2]
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name:
            headers[name.strip().lower()] = value.strip()
    keep = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = await _read_chunked(reader)
    elif "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    else:
        body, keep = await reader.read(), False
    return int(status), body, keep


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            with contextlib.suppress(asyncio.IncompleteReadError):
                while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers, then a blank line
                    pass
            return b"".join(chunks)
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)


def form_body(parameters: dict[str, str]) -> bytes:
    """``urlencode(parameters).encode()``, at half its cost (a table lookup per byte)."""
    byte = _FORM_BYTE.__getitem__
    return "&".join(
        [
            "".join(map(byte, k.encode())) + "=" + "".join(map(byte, v.encode()))
            for k, v in parameters.items()
        ]
    ).encode()


def _seconds(value: object, default: float | None) -> float | None:
    """A timeout python-telegram-bot passed (a number, None, or its 'not given' marker)."""
    if value is None or isinstance(value, int | float):
        return value
    return default


class OutboxBot(Bot):
    """A bot that sends outbox messages and returns their ids: on a :class:`KeepAliveRequest`, or
    on python-telegram-bot's HTTPXRequest through ``proxy`` (a URL, see ``bot_api_proxy``)."""

    def __init__(
        self,
        token: str,
        base_url: str,
        pool_size: int = 8,
        proxy: str | None = None,
        observer: RequestObserver | None = None,
    ) -> None:
        request: BaseRequest
        if proxy is None:
            request = KeepAliveRequest(pool_size, observer=observer)
        else:
            # No pool timeout: like KeepAliveRequest, a request waits for a free connection.
            request = ptb_request(
                proxy, observer, connection_pool_size=pool_size, pool_timeout=None
            )
        # getUpdates is never called, but Bot would build an HTTPXRequest that reads the
        # environment's proxies; this one follows the same route as the sends.
        updates = ptb_request(proxy, connection_pool_size=1)
        super().__init__(token, base_url=base_url, request=request, get_updates_request=updates)
        self._pool_size = pool_size
        self._send_url = f"{self.base_url}/sendMessage"

    @property
    def pool_size(self) -> int:
        """How many messages may be in flight at once (the transport's connections)."""
        return self._pool_size

    async def post_text(
        self,
        chat_id: int,
        text: str,
        *,
        parse_mode: str | None = None,
        reply_markup: dict[str, Any] | None = None,
        paid_broadcast: bool = False,
    ) -> int:
        """Send one text message; Telegram's message id (errors as ``Bot.send_message`` raises)."""
        # The values as Bot._post would JSON-encode them (strings stay as they are).
        parameters = [_parameter("chat_id", str(chat_id)), _parameter("text", text)]
        if parse_mode is not None:
            parameters.append(_parameter("parse_mode", parse_mode))
        if reply_markup is not None:
            parameters.append(_parameter("reply_markup", json.dumps(reply_markup)))
        if paid_broadcast:
            parameters.append(_parameter("allow_paid_broadcast", "true"))
        result = await self._request[1].post(self._send_url, RequestData(parameters))
        return int(cast("dict[str, Any]", result)["message_id"])


def _parameter(name: str, value: str) -> RequestParameter:
    return RequestParameter(name, value, None)
