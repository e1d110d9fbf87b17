"""The bot's own requests on the pace the outbox sender keeps: one budget per chat for everything.

python-telegram-bot hands every request of the application's bot to a rate limiter. This one
gives each message a reply sends (``send*``, ``copyMessage``, ``forwardMessage``) the chat's
next turn and a global slot from the process's shared
:class:`~digestbot.delivery.pacing.ChatPace`, so a reader who searches while their digest goes
out gets both, spaced as Telegram allows (1 s in a private chat, 3 s in a group), and no 429. If
Telegram answers 429 all the same, the request waits ``retry_after`` (every send from this
process waits with it) and is sent again: a reply is never dropped for a flood wait.

A button press or inline query that waited behind the chat's paced replies longer than Telegram
keeps it open gets "query is too old" for its answer: the press itself was carried out, only its
toast (or the inline results) is lost, so the handler goes on and nothing counts as a failure.

A request whose connection broke (reset, closed before the answer, refused: python-telegram-bot's
plain ``NetworkError``) is sent again, twice at most, as Telegram's own apps do, so a reader's
answer is not lost to one bad connection. The Bot API has no idempotency key: when the request
had reached Telegram before the connection broke, the reader may see that reply twice (an edit
or a query answer sent twice is harmless: the repeat is refused and taken as done). A timeout is
not sent again (the request may still be on its way) unless it timed out before the request
left (no connection made, no free connection in the pool), nor is anything Telegram refused. Digests
do not come through here: the outbox sender keeps its own exactly-once rules.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

from digestbot.delivery.pacing import ChatPace
from digestbot.delivery.sender import retry_after_seconds
from digestbot.monitoring.metrics import Client, Metrics

__all__ = ["MAX_FLOOD_WAIT", "NETWORK_RETRIES", "PacedRateLimiter", "chat_of", "sends_message"]

MAX_FLOOD_WAIT = 300.0  # seconds of 429 waits one request sits out before giving up
NETWORK_RETRIES = (0.5, 2.0)  # seconds before each new try of a request whose connection broke

_FORWARDS = frozenset({"copymessage", "copymessages", "forwardmessage", "forwardmessages"})
_QUERY_ANSWERS = frozenset({"answercallbackquery", "answerinlinequery"})
_log = logging.getLogger(__name__)

Result = bool | dict[str, Any] | list[dict[str, Any]]


def sends_message(endpoint: str) -> bool:
    """Whether a Bot API method puts a message in a chat (what Telegram's flood limits count)."""
    method = endpoint.lower()
    return (method.startswith("send") and method != "sendchataction") or method in _FORWARDS


def chat_of(data: dict[str, Any]) -> int | None:
    """The numeric chat a request goes to, if it names one (``@channel`` names count only
    against the global rate)."""
    chat_id = data.get("chat_id")
    if isinstance(chat_id, int) and not isinstance(chat_id, bool):
        return chat_id
    if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
        return int(chat_id)
    return None


class PacedRateLimiter(BaseRateLimiter[None]):
    """Paces the bot's messages on the process's shared :class:`ChatPace`; retries 429s."""

    def __init__(
        self,
        pace: ChatPace,
        metrics: Metrics | None = None,
        on_flood_wait: Callable[[float], None] | None = None,
    ) -> None:
        """``on_flood_wait`` hears the seconds of every 429 (the admins' alerts)."""
        self.pace = pace
        self.metrics = metrics if metrics is not None else Metrics()
        self.on_flood_wait = on_flood_wait
        self._closing = asyncio.Event()

    async def initialize(self) -> None:
        """Ready to pace (again)."""
        self._closing.clear()

    async def shutdown(self) -> None:
        """End every wait."""
        self.close()

    def close(self) -> None:
        """The bot is stopping: end every wait now (called before the application stops, which
        waits for the handlers)."""
        self._closing.set()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> Result:
        """Wait for the chat's turn and a global slot, send, and on 429 wait and send again
        (and after a broken connection, twice at most)."""
        paced = sends_message(endpoint)
        chat_id = chat_of(data)
        loop = asyncio.get_running_loop()
        waited = 0.0
        retries = iter(NETWORK_RETRIES)
        while True:
            if paced:
                await self._wait_turn(loop, chat_id)
            try:
                return await callback(*args, **kwargs)
            except BadRequest as exc:
                if not _answered_too_late(endpoint, exc):
                    raise
                _log.info(
                    "%s: the query waited too long; Telegram no longer takes its answer", endpoint
                )
                return False
            except NetworkError as exc:
                if isinstance(exc, TimedOut) and not _never_sent(exc):
                    raise
                pause = next(retries, None)
                if pause is None or not await self._sleep_until(loop, loop.time() + pause):
                    raise
                _log.info("%s: %s; sending it again", endpoint, exc.message)
            except RetryAfter as exc:
                seconds = retry_after_seconds(exc)
                self.metrics.flood_wait_seconds.labels(Client.BOT.value).inc(seconds)
                if self.on_flood_wait is not None:
                    self.on_flood_wait(seconds)
                waited += seconds
                if waited > MAX_FLOOD_WAIT or self._closing.is_set():
                    raise
                _log.warning(
                    "%s: Telegram asked to wait %.0f s (flood control); sending it again then",
                    endpoint, seconds,
                )  # fmt: skip
                until = loop.time() + seconds
                self.pace.rate.pause_until(until)
                if chat_id is not None:
                    self.pace.chats.record(chat_id, until)
                if not paced and not await self._sleep_until(loop, until):
                    raise

    async def _wait_turn(self, loop: asyncio.AbstractEventLoop, chat_id: int | None) -> None:
        while not self._closing.is_set():
            if chat_id is not None:
                await self._sleep_until(loop, self.pace.book_turn(chat_id, loop.time()))
            slot = self.pace.take_slot(chat_id, loop.time())
            if slot is not None:
                await self._sleep_until(loop, slot)
                return

    async def _sleep_until(self, loop: asyncio.AbstractEventLoop, moment: float) -> bool:
        """Sleep until ``moment``; False when :meth:`close` cut the sleep short."""
        delay = moment - loop.time()
        if delay > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), delay)
        return not self._closing.is_set()


def _answered_too_late(endpoint: str, error: BadRequest) -> bool:
    """Whether Telegram refused the answer to a query because the query is too old."""
    return endpoint.lower() in _QUERY_ANSWERS and "query is too old" in error.message.lower()


def _never_sent(error: TimedOut) -> bool:
    """Whether a timeout came before the request left: no connection was made, or none was free
    (python-telegram-bot raises ``TimedOut`` from httpx's exception)."""
    return isinstance(error.__cause__, (httpx.ConnectTimeout, httpx.PoolTimeout))
