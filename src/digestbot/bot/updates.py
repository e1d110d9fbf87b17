"""Updates from different chats handled at once, one chat's strictly in order.

python-telegram-bot handles one update at a time by default, so a reader reading a long article
(one part a second) or sending a burst held up every other reader. With this processor, updates
of different chats run concurrently (at most ``max_running`` handlers at once), while each chat's
(or, for updates without a chat such as inline queries, each user's) wait for the one before:
answers stay in order and per-chat state (a pending time-zone answer) sees its updates in turn.

A chat that floods waits on its own turn, not on the shared slots, so it cannot starve others.

When the bot stops, :meth:`PerChatUpdateProcessor.wind_down` gives the handlers still running a
short grace and then cancels them (a long ``/read`` is cut there: its handler logs what it drops),
and any update that arrives after that is dropped with a log line: the stop never waits for a
reader's long conversation.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

__all__ = ["PerChatUpdateProcessor", "turn_key"]

MAX_RUNNING = 64  # handlers at once (their database work shares a small thread pool anyway)
MAX_QUEUED = 100_000  # python-telegram-bot's bound on updates waiting or running
STOP_GRACE = 3.0  # seconds the running handlers get to finish when the bot stops

_log = logging.getLogger(__name__)


def turn_key(update: object) -> tuple[str, int] | None:
    """Whose turn an update waits for: its chat, else its user; None when it has neither."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    if update.effective_user is not None:
        return ("user", update.effective_user.id)
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across chats, in order within one."""

    def __init__(self, max_running: int = MAX_RUNNING) -> None:
        super().__init__(MAX_QUEUED)
        self._running = asyncio.Semaphore(max_running)
        self._turns: dict[tuple[str, int], tuple[asyncio.Lock, int]] = {}
        self._handling: set[asyncio.Task[Any]] = set()
        self._stopping = False

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's turn, then for a free slot, then handle the update."""
        if self._stopping:
            if isinstance(coroutine, Coroutine):
                coroutine.close()
            _log.info("stopping: update %s dropped unhandled", _update_id(update))
            return
        task = asyncio.current_task()
        assert task is not None  # python-telegram-bot runs each update in a task of its own
        self._handling.add(task)
        try:
            async with self._turn(turn_key(update)), self._running:
                await coroutine
        finally:
            self._handling.discard(task)

    async def wind_down(self, grace: float = STOP_GRACE) -> int:
        """Stop taking updates; give the running handlers ``grace`` seconds, then cancel the
        rest. Returns how many were cancelled."""
        self._stopping = True
        running = {task for task in self._handling if not task.done()}
        if not running:
            return 0
        _, late = await asyncio.wait(running, timeout=grace)
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late, timeout=grace)
            _log.info("stopping: %d update(s) still being handled were cut short", len(late))
        return len(late)

    async def initialize(self) -> None:
        """Nothing to prepare."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    @contextlib.asynccontextmanager
    async def _turn(self, key: tuple[str, int] | None) -> AsyncIterator[None]:
        """Hold ``key``'s turn (FIFO among its updates); forget the key when nobody waits."""
        if key is None:
            yield
            return
        lock, users = self._turns.get(key, (asyncio.Lock(), 0))
        self._turns[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._turns[key]
            if users == 1:
                del self._turns[key]
            else:
                self._turns[key] = (lock, users - 1)

    @property
    def handling(self) -> int:
        """How many updates are being handled or waiting for their turn."""
        return len(self._handling)

    @property
    def chats_waiting(self) -> int:
        """How many chats have an update being handled or waiting (for tests and metrics)."""
        return len(self._turns)


def _update_id(update: object) -> object:
    return update.update_id if isinstance(update, Update) else type(update).__name__
