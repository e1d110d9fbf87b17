"""The outbox: messages waiting for Telegram. Data functions; the caller owns the transaction.

A row is PENDING until the sender claims it (SENDING, with a lease in ``next_attempt_at``), then
SENT (with Telegram's message id), PENDING again for a retry, FAILED or DROPPED. Only the head of a
chat's queue, in (created_at, seq, id) order, can be claimed, so one chat's messages go out in order
and one at a time, also across several sender processes (PostgreSQL: ``FOR UPDATE SKIP LOCKED``).

A claim names its owner: the lease end is a whole second and its microseconds are the owner's id
(``lease_until``; there is no column for it). On PostgreSQL each sender holds a session advisory
lock on its id (``OWNER_LOCK_CLASS``, id) while it lives, so a claim whose owner holds no lock is a
dead process's (``live_owners``); ``delivery.claims`` takes those back before the lease runs out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    delete,
    func,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.orm import Session, aliased

from digestbot.store.bulk import table_of
from digestbot.store.models import (
    CompositionMessage,
    OutboxMessage,
    OutboxState,
    Subscriber,
    SubscriberState,
)

__all__ = [
    "CLAIM_LEASE",
    "MAX_OWNER",
    "OWNER_LOCK_CLASS",
    "Claim",
    "DeliveryCounts",
    "OutboxRow",
    "Sent",
    "block_chat",
    "claim_due",
    "claims_in_flight",
    "count_open",
    "delivery_counts",
    "enqueue",
    "fill_markup",
    "lease_until",
    "live_owners",
    "mark_failed",
    "mark_retry",
    "mark_sent",
    "next_due_at",
    "open_messages",
    "prune_finished",
    "recover_sending",
    "release",
    "take_back",
]

# How long a claimed row stays SENDING before another process may take it back (PostgreSQL).
CLAIM_LEASE = timedelta(minutes=5)
# The first key of the senders' advisory locks (PostgreSQL), as SQL: a hash of the schema, so two
# installations in two schemas of one database never see each other's senders; the second key is
# the owner id.
OWNER_LOCK_CLASS = "hashtext(current_schema() || '.digestbot-senders')"  # no ':' (a bind)
MAX_OWNER = 999_999  # owner ids live in the lease's microseconds; 0 is a sender that holds no lock
_OPEN = (OutboxState.PENDING, OutboxState.SENDING)
_FINISHED = (OutboxState.SENT, OutboxState.FAILED, OutboxState.DROPPED)


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A claimed message, as the sender needs it."""

    id: int
    chat_id: int
    text: str
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    attempts: int
    last_sent_at: datetime | None = None  # the chat's last message sent, if asked for


@dataclass(frozen=True, slots=True)
class Claim:
    """A row in flight: its id, the sender that claimed it and the end of that sender's lease."""

    id: int
    owner: int
    lease: datetime


@dataclass(frozen=True, slots=True)
class Sent:
    """Telegram accepted row ``id`` as message ``message_id`` at ``at``."""

    id: int
    message_id: int
    at: datetime


@dataclass(frozen=True, slots=True)
class DeliveryCounts:
    """For ``/stats``: messages sent today (UTC), pending, failed; readers who blocked the bot."""

    sent_today: int
    pending: int
    failed: int
    blocked: int


def enqueue(
    session: Session,
    chat_id: int,
    texts: Sequence[str],
    *,
    now: datetime,
    parse_mode: str | None = "HTML",
    reply_markups: Sequence[dict[str, Any] | None] | None = None,
    digest_id: int | None = None,
) -> list[int]:
    """Add ``texts`` for ``chat_id`` in order (seq 0, 1, ...), due at ``now``; returns their ids."""
    markups = list(reply_markups) if reply_markups is not None else [None] * len(texts)
    rows = [
        OutboxMessage(
            chat_id=chat_id,
            digest_id=digest_id,
            seq=seq,
            text=text,
            parse_mode=parse_mode,
            reply_markup=markup,
            state=OutboxState.PENDING,
            next_attempt_at=now,
            created_at=now,
        )
        for seq, (text, markup) in enumerate(zip(texts, markups, strict=True))
    ]
    session.add_all(rows)
    session.flush()
    return [row.id for row in rows]


def _is_queue_head(row: type[OutboxMessage]) -> ColumnElement[bool]:
    """No open row of the same chat comes before ``row`` in (created_at, seq, id) order."""
    earlier = aliased(OutboxMessage)
    before = or_(
        earlier.created_at < row.created_at,
        and_(
            earlier.created_at == row.created_at,
            or_(earlier.seq < row.seq, and_(earlier.seq == row.seq, earlier.id < row.id)),
        ),
    )
    return ~(
        select(earlier.id)
        .where(earlier.chat_id == row.chat_id, earlier.state.in_(_OPEN), before)
        .exists()
    )


def lease_until(now: datetime, owner: int) -> datetime:
    """The end of a lease taken at ``now`` by ``owner``: now + CLAIM_LEASE to the second, plus
    ``owner`` microseconds."""
    if not 0 <= owner <= MAX_OWNER:
        raise ValueError(f"owner id out of range: {owner}")
    return (now + CLAIM_LEASE).replace(microsecond=owner)


def claim_due(
    session: Session, now: datetime, limit: int, *, owner: int = 0, last_sent: bool = False
) -> list[OutboxRow]:
    """Mark up to ``limit`` due chat-queue heads SENDING for ``owner`` (leased until about
    now + lease: see :func:`lease_until`); return them, with ``last_sent``: each with when its
    chat's last message was sent (by whichever process: several share one chat's pace)."""
    head = aliased(OutboxMessage)
    # A materialized CTE: as a plain IN (subquery), PostgreSQL may rescan the locking subquery
    # once per row, skip the rows this very UPDATE changed and so claim more than ``limit``.
    candidates = (
        select(head.id)
        .where(head.state == OutboxState.PENDING, head.next_attempt_at <= now, _is_queue_head(head))
        .order_by(head.next_attempt_at, head.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("claimable")
        .prefix_with("MATERIALIZED")
    )
    row = OutboxMessage
    returned = _row_columns()
    if last_sent:
        sent = aliased(OutboxMessage)
        # Only a SENT row has a sent_at. Saying state = SENT here too let PostgreSQL, its
        # statistics taken before anything was sent, walk every SENT row by the claim index for
        # each row claimed (seconds a claim); by chat_id alone it reads the chat's few rows.
        returned.append(
            select(func.max(sent.sent_at)).where(sent.chat_id == row.chat_id).scalar_subquery()
        )
    claimed = session.execute(
        update(row)
        .where(row.id.in_(select(candidates.c.id)), row.state == OutboxState.PENDING)
        .values(state=OutboxState.SENDING, next_attempt_at=lease_until(now, owner))
        .returning(*returned)
        .execution_options(synchronize_session=False)
    ).all()
    rows = _with_compositions(session, claimed)
    rows.sort(key=lambda r: r.id)
    return rows


def open_messages(session: Session, chat_id: int | None = None) -> list[OutboxRow]:
    """The messages not yet sent (of ``chat_id``), as the sender would send them, in each
    chat's order."""
    row = OutboxMessage
    query = select(*_row_columns()).where(row.state.in_(_OPEN))
    if chat_id is not None:
        query = query.where(row.chat_id == chat_id)
    ordered = query.order_by(row.chat_id, row.created_at, row.seq, row.id)
    return _with_compositions(session, session.execute(ordered).all())


def _row_columns() -> list[Any]:
    """What a row is sent from, in the order :func:`_with_compositions` reads it."""
    row = OutboxMessage
    return [
        *(row.id, row.chat_id, row.text, row.parse_mode, row.reply_markup, row.attempts),
        *(row.composition_id, row.digest_id, row.seq),
    ]


def _with_compositions(session: Session, claimed: Sequence[Any]) -> list[OutboxRow]:
    """The claimed rows, a digest message's text and buttons taken from its composition (one
    query for the batch)."""
    wanted = {values[6] for values in claimed if values[6] is not None}
    messages: dict[tuple[int, int], tuple[str, str | None, str | None]] = {}
    if wanted:
        cm = CompositionMessage
        found = session.execute(
            select(cm.composition_id, cm.seq, cm.text, cm.parse_mode, cm.markup).where(
                cm.composition_id.in_(wanted)
            )
        ).all()
        messages = {(c, seq): (body, mode, markup) for c, seq, body, mode, markup in found}
    rows = []
    for row_id, chat_id, body, mode, markup, attempts, composition, digest, seq, *last in claimed:
        message = messages.get((composition, seq)) if composition is not None else None
        if message is not None:
            body, mode, template = message
            markup = fill_markup(template, digest or 0) if template else None
        rows.append(OutboxRow(row_id, chat_id, body, mode, markup, attempts, *last))
    return rows


def fill_markup(template: str, digest_id: int) -> dict[str, Any]:
    """A composition message's buttons (JSON with ``{digest}``) for the reader's digest."""
    value: dict[str, Any] = json.loads(template.replace("{digest}", str(digest_id)))
    return value


def mark_sent(session: Session, sent: Iterable[Sent]) -> None:
    """Record Telegram's acceptance of each row (state SENT, message id, time)."""
    params = [{"row_id": s.id, "message_id": s.message_id, "sent_at": s.at} for s in sent]
    if params:  # one statement for all (Core executemany: the ORM's bulk update costs more)
        table = table_of(OutboxMessage)
        session.execute(
            update(table)
            .where(table.c.id == bindparam("row_id"))
            .values(
                state=OutboxState.SENT,
                message_id=bindparam("message_id"),
                sent_at=bindparam("sent_at"),
                last_error=None,
            ),
            params,
        )


def mark_retry(
    session: Session, row_id: int, *, at: datetime, error: str, count_attempt: bool = True
) -> None:
    """Put a row back to PENDING, due at ``at``, remembering the error (and counting the try)."""
    values: dict[str, Any] = {
        "state": OutboxState.PENDING,
        "next_attempt_at": at,
        "last_error": error,
    }
    if count_attempt:
        values["attempts"] = OutboxMessage.attempts + 1
    session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(**values))


def mark_failed(session: Session, row_id: int, error: str) -> None:
    """Give up on a row for good, with the reason (the try that failed is counted)."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(state=OutboxState.FAILED, last_error=error, attempts=OutboxMessage.attempts + 1)
    )


def release(session: Session, row_ids: Sequence[int], now: datetime) -> None:
    """Hand claimed rows that were never sent back to PENDING, due at ``now``."""
    if row_ids:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(row_ids), OutboxMessage.state == OutboxState.SENDING)
            .values(state=OutboxState.PENDING, next_attempt_at=now)
        )


def block_chat(session: Session, chat_id: int, error: str) -> int:
    """The reader blocked the bot: mark them BLOCKED, drop their open messages; returns how many."""
    session.execute(
        update(Subscriber)
        .where(Subscriber.chat_id == chat_id)
        .values(state=SubscriberState.BLOCKED)
    )
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id, OutboxMessage.state.in_(_OPEN))
        .values(state=OutboxState.DROPPED, last_error=error)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def recover_sending(session: Session, now: datetime, *, stale_only: bool = False) -> int:
    """Return SENDING rows to PENDING after a crash (only expired leases if ``stale_only``)."""
    query = update(OutboxMessage).where(OutboxMessage.state == OutboxState.SENDING)
    if stale_only:
        query = query.where(OutboxMessage.next_attempt_at <= now)
    result = session.execute(query.values(state=OutboxState.PENDING, next_attempt_at=now))
    return int(result.rowcount)  # type: ignore[attr-defined]


def claims_in_flight(session: Session) -> list[Claim]:
    """Every SENDING row with its owner and lease."""
    rows = session.execute(
        select(OutboxMessage.id, OutboxMessage.next_attempt_at).where(
            OutboxMessage.state == OutboxState.SENDING
        )
    )
    return [Claim(row_id, lease.microsecond, lease) for row_id, lease in rows]


def live_owners(session: Session) -> set[int]:
    """The owner ids whose advisory lock some session of this database holds (PostgreSQL).

    Read it after :func:`claims_in_flight`: an owner locks its id before it claims, so a claim
    seen first and an owner missing here after means the owner's session ended since.
    """
    rows = session.execute(
        text(
            "SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory' AND granted"
            f" AND classid = ({OWNER_LOCK_CLASS})::oid AND objsubid = 2"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ),
    )
    return {int(owner) for (owner,) in rows}


def take_back(session: Session, claims: Sequence[Claim], now: datetime) -> int:
    """Return these claims to PENDING, due at ``now``, where they are still the same claim (same
    lease: not sent, released or claimed again meanwhile); returns how many."""
    if not claims:
        return 0
    row = OutboxMessage
    result = session.execute(
        update(row)
        .where(
            row.state == OutboxState.SENDING,
            tuple_(row.id, row.next_attempt_at).in_([(c.id, c.lease) for c in claims]),
        )
        .values(state=OutboxState.PENDING, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def prune_finished(session: Session, before: datetime, *, limit: int = 10_000) -> int:
    """Delete up to ``limit`` sent, failed or dropped messages last handled before ``before``;
    returns how many (call again while it returns ``limit``: short transactions on a big outbox).

    "Last handled" is ``next_attempt_at``, the time of the last claim (a finished row is never
    due again), so the claim index (state, next_attempt_at) finds them without a scan.
    """
    doomed = (
        select(OutboxMessage.id)
        .where(OutboxMessage.state.in_(_FINISHED), OutboxMessage.next_attempt_at < before)
        .limit(limit)
    )
    result = session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(doomed)))
    return int(result.rowcount)  # type: ignore[attr-defined]


def next_due_at(session: Session) -> datetime | None:
    """When the earliest claimable row (a PENDING queue head) becomes due; None if there is none."""
    return session.scalar(
        select(func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.state == OutboxState.PENDING, _is_queue_head(OutboxMessage)
        )
    )


def oldest_due_age(session: Session, now: datetime) -> float | None:
    """Seconds the oldest due message has waited at ``now``; None when none is due."""
    due = next_due_at(session)
    waited = (now - due).total_seconds() if due is not None else -1.0
    return waited if waited >= 0 else None


def count_open(session: Session) -> int:
    """Rows not yet sent, failed or dropped (PENDING or SENDING); cheap on the claim index."""
    query = select(func.count()).where(OutboxMessage.state.in_(_OPEN))
    return int(session.scalar(query) or 0)


def delivery_counts(session: Session, now: datetime) -> DeliveryCounts:
    """Sent since midnight UTC of ``now``, pending (and in flight), failed; blocked readers."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    counted = session.execute(
        select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
    )
    by_state: dict[OutboxState, int] = {row[0]: row[1] for row in counted}
    sent_today = session.scalar(
        select(func.count()).where(
            OutboxMessage.state == OutboxState.SENT, OutboxMessage.sent_at >= midnight
        )
    )
    blocked = session.scalar(
        select(func.count()).where(Subscriber.state == SubscriberState.BLOCKED)
    )
    return DeliveryCounts(
        sent_today=int(sent_today or 0),
        pending=by_state.get(OutboxState.PENDING, 0) + by_state.get(OutboxState.SENDING, 0),
        failed=by_state.get(OutboxState.FAILED, 0),
        blocked=int(blocked or 0),
    )
