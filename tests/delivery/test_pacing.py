"""Pacing: the pure rules (property tests), then the sender against the emulator's flood limits."""

from __future__ import annotations

import heapq
import itertools
from collections import defaultdict

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from digestbot.config import DeliverySettings
from digestbot.delivery import OutboxSender
from digestbot.delivery.pacing import (
    GROUP_INTERVAL,
    JOIN_SECONDS,
    SAFE_RATE,
    STALE_SECONDS,
    ChatPace,
    ChatSpacing,
    GlobalPace,
    RateShare,
    backoff_delay,
    send_rate,
)
from digestbot.delivery.tick import standalone_bot
from digestbot.sandbox.emulator import Emulator
from digestbot.store import outbox
from tests.support.outbox import add_readers, now

rates = st.floats(min_value=0.5, max_value=2000.0)
budgets = st.sampled_from([30.0, 1000.0]) | st.floats(min_value=1.0, max_value=1000.0)
gaps = st.lists(st.floats(min_value=0.0, max_value=0.2), min_size=1, max_size=60)


@given(rates, gaps)
def test_global_slots_are_never_closer_than_one_interval(rate: float, waits: list[float]) -> None:
    pace = GlobalPace(rate)
    now, slots = 0.0, []
    for wait in waits:
        now += wait
        slots.append(pace.reserve(now))
        assert slots[-1] >= now
    assert all(b - a >= pace.interval * (1 - 1e-9) for a, b in itertools.pairwise(slots))


@given(
    budgets,
    st.integers(min_value=1, max_value=20),
    st.lists(st.integers(min_value=0, max_value=5), min_size=1, max_size=20),
    st.floats(min_value=0.0, max_value=STALE_SECONDS),
)
def test_senders_that_counted_at_least_the_live_ones_stay_within_the_budget(
    budget: float, live: int, extra: list[int], age: float
) -> None:
    """Each live sender may have counted more senders than live (one died since), never fewer."""
    now = 100.0
    shares = [
        RateShare(budget, joined_at=0.0).counted(live + extra[i % len(extra)], now - age)
        for i in range(live)
    ]
    paces = [share.rate(now) for share in shares]
    assert sum(paces) <= budget * (1 + 1e-9)
    assert all(rate > 0 for rate in paces)
    if not any(extra):
        assert abs(sum(paces) - budget) < 1e-6 * budget  # nothing left unused


@given(budgets, st.integers(min_value=0, max_value=20), st.floats(min_value=0.0, max_value=1e6))
def test_a_stale_count_falls_to_the_safe_rate(budget: float, senders: int, late: float) -> None:
    share = RateShare(budget, joined_at=0.0).counted(senders, 10.0)
    assert share.rate(10.0 + STALE_SECONDS + 1e-3 + late) == min(SAFE_RATE, budget)
    assert RateShare(budget, joined_at=0.0).rate(0.0) == min(SAFE_RATE, budget)  # never counted
    assert share.senders >= 1


@given(budgets, st.floats(min_value=0.0, max_value=1e6))
def test_a_new_sender_waits_before_its_first_send(budget: float, joined: float) -> None:
    assert RateShare(budget, joined_at=joined).sends_from() == joined + JOIN_SECONDS


def test_set_rate_changes_the_spacing_of_later_slots() -> None:
    pace = GlobalPace(30.0)
    pace.reserve(0.0)
    pace.set_rate(10.0)
    assert pace.reserve(0.0) == 1 / 30  # booked at the old rate
    assert pace.reserve(0.0) == 1 / 30 + 1 / 10


@given(rates, gaps, st.floats(min_value=0.0, max_value=0.1))
def test_catching_up_never_beats_the_rate_by_more_than_the_catch_up(
    rate: float, waits: list[float], catch_up: float
) -> None:
    pace = GlobalPace(rate)
    now, slots = 0.0, []
    for wait in waits:
        now += wait
        slots.append(pace.reserve(now, catch_up=catch_up))
        assert slots[-1] >= now
    for i, first in enumerate(slots):
        for j in range(i + 1, len(slots)):
            assert j - i <= rate * (slots[j] - first + catch_up) + 1e-6


@given(rates, st.lists(st.floats(min_value=0.0, max_value=0.999), min_size=1, max_size=60))
def test_a_sender_woken_late_still_gets_every_slot_at_once(rate: float, late: list[float]) -> None:
    catch_up = 0.02
    pace = GlobalPace(rate)
    for k, share in enumerate(late):
        now = k / rate + (share * catch_up if k else 0.0)  # late after the first, by < catch-up
        assert pace.reserve(now, catch_up=catch_up) == now


@given(rates, st.integers(min_value=1, max_value=200))
def test_a_backlog_goes_out_at_exactly_the_rate(rate: float, count: int) -> None:
    pace = GlobalPace(rate)
    slots = [pace.reserve(0.0) for _ in range(count)]
    assert abs(slots[-1] - (count - 1) / rate) < 1e-6 * max(1.0, count / rate)


@given(rates, st.floats(min_value=0.0, max_value=100.0), st.floats(min_value=0.0, max_value=50.0))
def test_a_pause_holds_every_later_slot(rate: float, now: float, pause: float) -> None:
    pace = GlobalPace(rate)
    pace.reserve(now)
    pace.pause_until(now + pause)
    assert pace.reserve(now) >= now + pause
    assert pace.paused_until == now + pause


@given(
    st.floats(min_value=0.0, max_value=5.0),
    st.lists(st.tuples(st.integers(1, 5), st.floats(0.0, 3.0)), min_size=1, max_size=50),
)
def test_one_chat_gets_one_message_per_interval(
    interval: float, sends: list[tuple[int, float]]
) -> None:
    spacing = ChatSpacing(interval)
    now = 0.0
    last: dict[int, float] = {}
    for chat, wait in sends:
        now += wait
        at = spacing.ready_at(chat, now)
        assert at >= now
        if chat in last:
            assert at >= last[chat] + interval - 1e-9
        spacing.record(chat, at)
        last[chat] = at
        now = at
    spacing.forget_before(now + interval + 1)
    assert spacing.ready_at(sends[0][0], now + interval + 1) == now + interval + 1


chats = st.sampled_from([1, 2, 3, -100, -200])  # private chats and groups
bookings = st.lists(
    st.tuples(chats, st.floats(0.0, 2.0), st.sampled_from(["reply", "sender"])),
    min_size=1,
    max_size=60,
)


@given(
    st.floats(min_value=0.05, max_value=5.0), st.floats(min_value=1.0, max_value=100.0), bookings
)
def test_replies_and_the_sender_together_keep_each_chats_spacing(
    interval: float, rate: float, sends: list[tuple[int, float, str]]
) -> None:
    """Interleaved bookings as the bot's replies (turn, then slot) and the outbox sender (ready
    check, then record) make them: one chat never gets two messages closer than its spacing (a
    group at least GROUP_INTERVAL), and no two go closer than the global rate allows."""
    pace = ChatPace.for_rate(rate, interval)
    now, sent = 0.0, []
    for chat, wait, who in sends:
        now += wait
        if who == "reply":
            turn = pace.book_turn(chat, now)
            at = pace.take_slot(chat, max(now, turn))
        else:
            ready = pace.chats.ready_at(chat, now)
            at = pace.rate.reserve(ready)
            pace.chats.record(chat, at)
        assert at >= now
        sent.append((chat, at))
    for chat in {c for c, _ in sent}:
        times = sorted(at for c, at in sent if c == chat)
        spacing = interval if chat > 0 else max(interval, GROUP_INTERVAL)
        assert all(b - a >= spacing - 1e-9 for a, b in itertools.pairwise(times))
    moments = sorted(at for _, at in sent)
    assert all(b - a >= 1 / rate - 1e-9 for a, b in itertools.pairwise(moments))


@given(
    st.integers(min_value=1, max_value=100),
    st.floats(min_value=0.01, max_value=10.0),
    st.floats(min_value=0.1, max_value=3600.0),
    st.floats(min_value=0.0, max_value=0.999999),
)
def test_backoff_doubles_within_the_cap_and_the_jitter_band(
    attempt: int, base: float, cap: float, jitter: float
) -> None:
    delay = backoff_delay(attempt, base=base, cap=cap, jitter=jitter)
    ceiling = min(cap, base * 2 ** (attempt - 1))
    assert ceiling / 2 <= delay < ceiling + 1e-9
    assert backoff_delay(attempt + 1, base=base, cap=cap, jitter=jitter) >= delay - 1e-9


def test_paid_broadcast_lifts_the_cap_from_30_to_1000() -> None:
    assert send_rate(100.0, paid_broadcast=False) == 30.0
    assert send_rate(100.0, paid_broadcast=True) == 100.0
    assert send_rate(5000.0, paid_broadcast=True) == 1000.0
    assert send_rate(12.0, paid_broadcast=False) == 12.0


async def test_at_30_per_second_the_emulator_never_says_429(
    sessions: sessionmaker[Session],
) -> None:
    async with Emulator(rate_limits=True) as emulator:
        add_readers(emulator, sessions, range(1, 76))
        with sessions.begin() as session:
            for chat_id in range(1, 76):
                outbox.enqueue(session, chat_id, ["one"], now=now())
            for chat_id in range(1, 6):  # five chats get three more each
                outbox.enqueue(session, chat_id, ["two", "three", "four"], now=now())
        async with standalone_bot(emulator.token, emulator.base_url) as bot:
            sender = OutboxSender(bot, sessions, DeliverySettings(rate_per_second=30.0))
            report = await sender.drain()
            sender.close()
        sends = [e for e in emulator.recorder.entries() if e["method"] == "sendMessage"]

    assert (report.sent, report.failed, report.deferred) == (90, 0, 0)
    assert [e["status"] for e in sends] == [200] * 90
    backlog = sends[:75]  # everyone's first message: only the global rate holds them back
    rate = 74 / (backlog[-1]["time"] - backlog[0]["time"])
    assert rate <= 30.5  # the recorded times are rounded to the millisecond
    assert rate >= 15.0  # loose: a loaded machine falls behind; bench/bench_sender.py measures it
    times_by_chat: dict[int, list[float]] = defaultdict(list)
    for entry in sends:
        times_by_chat[int(entry["params"]["chat_id"])].append(entry["time"])
    for times in times_by_chat.values():
        assert all(b - a >= 0.95 for a, b in itertools.pairwise(times))


async def test_messages_to_a_group_are_at_least_3_s_apart(
    sessions: sessionmaker[Session],
) -> None:
    group = -1001
    async with Emulator(rate_limits=True) as emulator:
        add_readers(emulator, sessions, [7])
        emulator.driver.create_group(group, "Readers' club", owner=7)
        with sessions.begin() as session:
            outbox.enqueue(session, group, ["one", "two", "three"], now=now())
        async with standalone_bot(emulator.token, emulator.base_url) as bot:
            sender = OutboxSender(bot, sessions, DeliverySettings())
            report = await sender.drain()
            sender.close()
        sends = [e for e in emulator.recorder.entries() if e["method"] == "sendMessage"]
    assert report.sent == 3
    times = [e["time"] for e in sends if int(e["params"]["chat_id"]) == group]
    assert all(b - a >= GROUP_INTERVAL - 0.05 for a, b in itertools.pairwise(times))


@given(
    st.floats(min_value=0.1, max_value=3.0),
    st.lists(st.tuples(chats, st.floats(0.0, 3.0), st.floats(0.0, 5.0)), min_size=1, max_size=40),
)
def test_callers_that_book_then_wait_never_crowd_a_chat_even_across_pauses(
    interval: float, callers: list[tuple[int, float, float]]
) -> None:
    """Many replies in flight at once, each booking its chat's turn, waiting, then taking a slot
    (booking again when told to), while 429 pauses push slots together: each chat's messages stay
    at least its spacing apart."""
    pace = ChatPace.for_rate(30.0, interval)
    events: list[tuple[float, int, str]] = []  # (time, caller, what to do then)
    for caller, (_, arrives, _) in enumerate(callers):
        heapq.heappush(events, (arrives, caller, "book"))
    for caller, (_, arrives, pause) in enumerate(callers):
        heapq.heappush(events, (arrives + 0.5, -1 - caller, f"pause {pause}"))
    sent: list[tuple[int, float]] = []
    while events:
        now, caller, what = heapq.heappop(events)
        if what.startswith("pause"):
            pace.rate.pause_until(now + float(what.split()[1]))
            continue
        chat = callers[caller][0]
        if what == "book":
            heapq.heappush(events, (pace.book_turn(chat, now), caller, "take"))
            continue
        slot = pace.take_slot(chat, now)
        if slot is None:
            heapq.heappush(events, (now, caller, "book"))
        else:
            sent.append((chat, slot))
    assert len(sent) == len(callers)
    for chat in {c for c, _ in sent}:
        times = sorted(at for c, at in sent if c == chat)
        spacing = interval if chat > 0 else max(interval, GROUP_INTERVAL)
        assert all(b - a >= spacing - 1e-6 for a, b in itertools.pairwise(times))
