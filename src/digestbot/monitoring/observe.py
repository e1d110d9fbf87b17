"""Watching Bot API calls where they leave the process: which method, how long, what came back.

Both of the bot's HTTP clients (python-telegram-bot's requests and the sender's transport) call
a :data:`RequestObserver` once per call; the monitoring turns that into metrics and readiness.
Only the method name is taken from the URL (never the token in front of it).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

__all__ = ["RequestObserver", "method_of", "observe_request"]

# (Bot API method, seconds from request to answer, HTTP status; None: no answer came)
RequestObserver = Callable[[str, float, int | None], None]


def method_of(url: str) -> str:
    """The Bot API method a request URL calls (``.../bot<token>/sendMessage`` -> sendMessage)."""
    return url.rsplit("/", 1)[-1].split("?", 1)[0] or "unknown"


async def observe_request(
    observer: RequestObserver | None, url: str, call: Callable[[], Awaitable[tuple[int, bytes]]]
) -> tuple[int, bytes]:
    """Run ``call`` (one HTTP exchange) and tell ``observer`` how it went."""
    if observer is None:
        return await call()
    started = time.perf_counter()
    status: int | None = None
    try:
        status, body = await call()
        return status, body
    finally:
        observer(method_of(url), time.perf_counter() - started, status)
