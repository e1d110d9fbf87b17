"""Pure pacing arithmetic for the sender: a global send rate, per-chat spacing and retry backoff.

Times are plain floats (monotonic seconds) passed in by the caller, so every rule here is a
function of its inputs and is property-tested. The global limit hands out evenly spaced slots
(no burst): sending at exactly ``rate`` never drains Telegram's own bucket, so it never says 429.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["FREE_RATE", "PAID_RATE", "ChatSpacing", "GlobalPace", "backoff_delay", "send_rate"]

FREE_RATE = 30.0  # Telegram's bulk limit, messages per second
PAID_RATE = 1000.0  # with allow_paid_broadcast


def send_rate(configured: float, *, paid_broadcast: bool) -> float:
    """The global rate to pace at: the configured one, capped by what Telegram allows."""
    return min(configured, PAID_RATE if paid_broadcast else FREE_RATE)


@dataclass
class GlobalPace:
    """At most ``rate`` sends per second overall, one slot every ``1 / rate`` seconds."""

    rate: float
    paused_until: float = float("-inf")
    _next_slot: float = float("-inf")

    def __post_init__(self) -> None:
        if self.rate <= 0:
            raise ValueError("rate must be positive")

    @property
    def interval(self) -> float:
        """Seconds between two sends."""
        return 1.0 / self.rate

    def reserve(self, now: float, earliest: float | None = None) -> float:
        """Book the next free slot at or after ``now`` (and ``earliest``); returns its time."""
        start = max(now, self._next_slot, earliest if earliest is not None else now)
        self._next_slot = start + self.interval
        return start

    def pause_until(self, until: float) -> None:
        """Hold every send until ``until`` (Telegram asked us to slow down)."""
        self.paused_until = max(self.paused_until, until)
        self._next_slot = max(self._next_slot, until)

    def free_at(self, now: float) -> float:
        """When the next slot opens, seen from ``now``."""
        return max(now, self._next_slot)


@dataclass
class ChatSpacing:
    """At most one send per ``interval`` seconds to each chat."""

    interval: float
    _next: dict[int, float] = field(default_factory=dict)

    def ready_at(self, chat_id: int, now: float) -> float:
        """The earliest time a message may go to ``chat_id``."""
        return max(now, self._next.get(chat_id, now))

    def record(self, chat_id: int, sent_at: float) -> None:
        """A message went to ``chat_id`` at ``sent_at``."""
        self._next[chat_id] = max(self._next.get(chat_id, sent_at), sent_at + self.interval)

    def forget_before(self, now: float) -> int:
        """Drop chats that are free again at ``now`` (keeps memory bounded); returns how many."""
        stale = [chat for chat, at in self._next.items() if at <= now]
        for chat in stale:
            del self._next[chat]
        return len(stale)


def backoff_delay(attempt: int, *, base: float, cap: float, jitter: float) -> float:
    """Seconds to wait before retry number ``attempt`` (1, 2, ...): doubling from ``base``, capped.

    ``jitter`` in [0, 1) spreads the delay over [d/2, d) so failing senders do not retry in step.
    """
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    if not 0.0 <= jitter < 1.0:
        raise ValueError("jitter must be in [0, 1)")
    ceiling = min(cap, base * 2.0 ** min(attempt - 1, 62))
    return ceiling * (0.5 + jitter / 2.0)
