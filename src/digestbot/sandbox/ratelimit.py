"""Telegram's flood limits as token buckets: per private chat, per group, and for the bot overall.

A message sent with ``allow_paid_broadcast`` counts against the paid broadcast limit (1000 a
second) instead of the free 30; a chat's own limit holds either way.

A refused send gets ``retry_after`` = whole seconds until the emptiest bucket has a token again,
which the server turns into 429 ``Too Many Requests: retry after N``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["RateLimitConfig", "RateLimiter", "TokenBucket"]


@dataclass(frozen=True)
class RateLimitConfig:
    """Limits as Telegram documents them; ``enabled=False`` for benchmarks."""

    enabled: bool = True
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: float = 20.0
    global_per_second: float = 30.0
    paid_per_second: float = 1000.0


@dataclass
class TokenBucket:
    """``capacity`` tokens refilled at ``rate`` per second."""

    rate: float
    capacity: float
    tokens: float
    stamp: float

    def refill(self, now: float) -> None:
        """Add the tokens earned since the last look."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait_time(self, now: float) -> float:
        """Seconds until one token is available (0 when one is)."""
        self.refill(now)
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate


@dataclass
class RateLimiter:
    """Decides whether one more message may go to a chat now."""

    config: RateLimitConfig = field(default_factory=RateLimitConfig)
    clock: Callable[[], float] = time.monotonic
    _chats: dict[int, TokenBucket] = field(default_factory=dict)
    _global: TokenBucket | None = None
    _paid: TokenBucket | None = None

    def _bucket(self, chat_id: int, is_group: bool, now: float) -> TokenBucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if is_group:
                rate = self.config.group_per_minute / 60.0
                capacity = self.config.group_per_minute
            else:
                rate = self.config.private_per_second
                capacity = float(self.config.private_burst)
            bucket = TokenBucket(rate=rate, capacity=capacity, tokens=capacity, stamp=now)
            self._chats[chat_id] = bucket
        return bucket

    def acquire(self, chat_id: int, is_group: bool, *, paid: bool = False) -> int:
        """Take a token for one message (``paid``: a paid broadcast); 0 if allowed, else the
        ``retry_after`` seconds (>= 1)."""
        if not self.config.enabled:
            return 0
        now = self.clock()
        overall = self._overall(paid, now)
        chat = self._bucket(chat_id, is_group, now)
        wait = max(overall.wait_time(now), chat.wait_time(now))
        if wait > 0:
            return max(1, math.ceil(wait))
        overall.tokens -= 1.0
        chat.tokens -= 1.0
        return 0

    def _overall(self, paid: bool, now: float) -> TokenBucket:
        """The bot's overall bucket: the paid broadcasts' or the free one."""
        bucket = self._paid if paid else self._global
        if bucket is None:
            rate = self.config.paid_per_second if paid else self.config.global_per_second
            bucket = TokenBucket(rate=rate, capacity=rate, tokens=rate, stamp=now)
            if paid:
                self._paid = bucket
            else:
                self._global = bucket
        return bucket
