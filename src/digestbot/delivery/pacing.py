"""Pure pacing arithmetic: a global send rate, per-chat spacing and retry backoff.

Times are plain floats (monotonic seconds) passed in by the caller, so every rule here is a
function of its inputs and is property-tested. The global limit hands out evenly spaced slots
(no burst): sending at exactly ``rate`` never drains Telegram's own bucket, so it never says 429.
A private chat gets one message per ``interval`` (1 s), a group one per ``GROUP_INTERVAL`` (3 s:
Telegram's 20 a minute). One :class:`ChatPace` per bot process is shared by the outbox sender and
the bot's interactive replies, so the two together keep to the limits. Several processes sending
with one token split the global rate: :class:`RateShare` is one process's part of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "FREE_RATE",
    "GROUP_INTERVAL",
    "JOIN_SECONDS",
    "PAID_RATE",
    "SAFE_RATE",
    "STALE_SECONDS",
    "ChatPace",
    "ChatSpacing",
    "GlobalPace",
    "RateShare",
    "backoff_delay",
    "send_rate",
]

FREE_RATE = 30.0  # Telegram's bulk limit, messages per second
PAID_RATE = 1000.0  # with allow_paid_broadcast
GROUP_INTERVAL = 3.0  # seconds between two messages to a group: Telegram allows 20 a minute
SAFE_RATE = 1.0  # messages per second while the number of senders is not known
STALE_SECONDS = 2.0  # a count of the senders older than this is not trusted
JOIN_SECONDS = 1.5  # a new sender waits this long, so the others count it before it sends


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

    def reserve(self, now: float, earliest: float | None = None, *, catch_up: float = 0.0) -> float:
        """Book the next free slot at or after ``now`` (and ``earliest``); returns its time.

        With ``catch_up`` a caller up to that many seconds late still gets the slot it missed
        (sent now), so a sender woken late loses no rate; over any window of T seconds there are
        then at most ``rate * (T + catch_up) + 1`` slots.
        """
        floor = now if self._next_slot == float("-inf") else now - catch_up
        start = max(floor, self._next_slot, earliest if earliest is not None else floor)
        self._next_slot = start + self.interval
        return max(start, now)

    def pause_until(self, until: float) -> None:
        """Hold every send until ``until`` (Telegram asked us to slow down)."""
        self.paused_until = max(self.paused_until, until)
        self._next_slot = max(self._next_slot, until)

    def free_at(self, now: float) -> float:
        """When the next slot opens, seen from ``now``."""
        return max(now, self._next_slot)

    def set_rate(self, rate: float) -> None:
        """Pace at ``rate`` from the next slot on (the slot already booked stays)."""
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate


@dataclass(frozen=True, slots=True)
class RateShare:
    """One sender's part of a global ``budget`` shared by every live sender of one bot token.

    The senders count each other now and then (:meth:`counted`); each paces at ``budget / count``,
    so while every one has counted at least the senders alive, together they stay within the
    budget. A count older than ``STALE_SECONDS`` (the database does not answer) is not trusted:
    the share falls to ``SAFE_RATE``. A sender sends nothing until ``JOIN_SECONDS`` after it
    joined (:meth:`sends_from`), by when the others have counted it.
    """

    budget: float
    joined_at: float
    senders: int = 1
    counted_at: float = float("-inf")

    def counted(self, senders: int, now: float) -> RateShare:
        """The share after seeing ``senders`` live senders (this one among them) at ``now``."""
        return RateShare(self.budget, self.joined_at, max(1, senders), now)

    def rate(self, now: float) -> float:
        """Messages per second this sender may send at ``now``."""
        if now - self.counted_at > STALE_SECONDS:
            return min(SAFE_RATE, self.budget)
        return self.budget / self.senders

    def sends_from(self) -> float:
        """When this sender may send its first message."""
        return self.joined_at + JOIN_SECONDS


@dataclass
class ChatSpacing:
    """At most one send per ``interval`` seconds to each private chat, per ``group_interval`` to
    each group (Telegram's group and channel ids are negative)."""

    interval: float
    group_interval: float = GROUP_INTERVAL
    _next: dict[int, float] = field(default_factory=dict)

    def interval_for(self, chat_id: int) -> float:
        """The spacing for ``chat_id``: a group's is never shorter than a private chat's."""
        return self.interval if chat_id > 0 else max(self.interval, self.group_interval)

    def ready_at(self, chat_id: int, now: float) -> float:
        """The earliest time a message may go to ``chat_id``."""
        return max(now, self._next.get(chat_id, now))

    def record(self, chat_id: int, sent_at: float) -> None:
        """A message went to ``chat_id`` at ``sent_at``."""
        next_at = sent_at + self.interval_for(chat_id)
        self._next[chat_id] = max(self._next.get(chat_id, sent_at), next_at)

    def forget_before(self, now: float) -> int:
        """Drop chats that are free again at ``now`` (keeps memory bounded); returns how many."""
        stale = [chat for chat, at in self._next.items() if at <= now]
        for chat in stale:
            del self._next[chat]
        return len(stale)


@dataclass
class ChatPace:
    """Telegram's limits for one bot token in one process: the global rate and each chat's
    spacing, shared by everything that sends (the outbox sender and interactive replies).

    A reply books its chat's turn (:meth:`book_turn`), waits for it, then takes a global slot
    (:meth:`take_slot`); the sender checks the chat is ready and records what it sends
    (:meth:`mark_sent`). Bookings move a chat's next turn; ``take_slot`` also checks the last
    message actually sent, so two callers whose slots a pause pushed together never send to one
    chat closer than its spacing (the second is told to book again).
    """

    rate: GlobalPace
    chats: ChatSpacing
    _sent: dict[int, float] = field(default_factory=dict)

    @classmethod
    def for_rate(cls, rate: float, per_chat_interval: float) -> ChatPace:
        """A pace at ``rate`` messages a second with ``per_chat_interval`` between private
        messages (groups: :data:`GROUP_INTERVAL`)."""
        return cls(GlobalPace(rate), ChatSpacing(per_chat_interval))

    def book_turn(self, chat_id: int, now: float) -> float:
        """Book the chat's next turn seen from ``now`` and return it. The caller waits until then
        and takes a global slot (:meth:`take_slot`): waiting for one chat holds no global slot,
        so the sends to other chats go on meanwhile."""
        turn = self.chats.ready_at(chat_id, now)
        self.chats.record(chat_id, turn)
        return turn

    def take_slot(self, chat_id: int | None, now: float) -> float | None:
        """The first global slot from ``now`` on, marked as a send to the chat; None when that
        slot would come too soon after the chat's last send (book a turn again)."""
        slot = self.rate.reserve(now)
        if chat_id is not None:
            last = self._sent.get(chat_id)
            if last is not None and slot < last + self.chats.interval_for(chat_id) - 1e-9:
                return None
            self.mark_sent(chat_id, slot)
        return slot

    def mark_sent(self, chat_id: int, at: float) -> None:
        """A message goes to ``chat_id`` at ``at``."""
        self._sent[chat_id] = max(self._sent.get(chat_id, at), at)
        self.chats.record(chat_id, at)

    def forget_before(self, now: float) -> None:
        """Drop chats that are free again at ``now`` (keeps memory bounded)."""
        self.chats.forget_before(now)
        stale = [c for c, at in self._sent.items() if at + self.chats.interval_for(c) <= now]
        for chat_id in stale:
            del self._sent[chat_id]


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
