"""A TCP forwarder on 127.0.0.1 that a test can shut and open again: the database "goes away"
(every connection through it is cut and new ones are refused) and "comes back" on the same port."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from tests.support.databases import postgres_schema

__all__ = ["TcpGate", "gated_postgres"]


class TcpGate:
    """Forwards ``127.0.0.1:port`` to ``target``; :meth:`shut` cuts it, :meth:`open` restores it."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def open(self) -> None:
        """Listen (on the same port as before, once there is one) and forward."""
        self._server = await asyncio.start_server(self._forward, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def shut(self) -> None:
        """Stop listening and cut every connection."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _forward(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers.update((writer, up_writer))
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, asyncio.IncompleteReadError, asyncio.CancelledError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.transport.abort()


@pytest.fixture
async def gated_postgres() -> AsyncIterator[tuple[str, TcpGate]]:
    """A PostgreSQL URL that goes through a gate the test can shut."""
    with postgres_schema() as url:
        gate = TcpGate("127.0.0.1", 5432)
        await gate.open()
        yield url.replace("127.0.0.1:5432", f"127.0.0.1:{gate.port}"), gate
        await gate.shut()
