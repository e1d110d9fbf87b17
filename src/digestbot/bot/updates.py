"""Updates from different chats handled at once, one chat's strictly in order.

python-telegram-bot handles one update at a time by default, so a reader reading a long article
(one part a second) or sending a burst held up every other reader. With this processor, updates
of different chats run concurrently (at most ``max_running`` handlers at once), while each chat's
(or, for updates without a chat such as inline queries, each user's) wait for the one before:
answers stay in order and per-chat state (a pending time-zone answer) sees its updates in turn.

A chat that floods waits on its own turn, not on the shared slots, so it cannot starve others.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

__all__ = ["PerChatUpdateProcessor", "turn_key"]

MAX_RUNNING = 64  # handlers at once (their database work shares a small thread pool anyway)
MAX_QUEUED = 100_000  # python-telegram-bot's bound on updates waiting or running


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

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's turn, then for a free slot, then handle the update."""
        async with self._turn(turn_key(update)), self._running:
            await coroutine

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
    def chats_waiting(self) -> int:
        """How many chats have an update being handled or waiting (for tests and metrics)."""
        return len(self._turns)
