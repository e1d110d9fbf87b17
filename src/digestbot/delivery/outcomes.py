"""What became of each send, written back to the outbox in batches, and a drain's report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from digestbot.store import outbox
from digestbot.store.outbox import OutboxRow, Sent

__all__ = ["DrainReport", "Outcome", "write_outcomes"]


@dataclass
class DrainReport:
    """What one drain did: messages sent and failed, readers found blocked, retries, left over."""

    sent: int = 0
    failed: int = 0
    blocked: int = 0
    retried: int = 0
    deferred: int = 0  # still pending when the drain returned

    def summary(self) -> str:
        """One line for the operator."""
        return (
            f"sent {self.sent}, failed {self.failed}, blocked {self.blocked}, "
            f"deferred {self.deferred}"
        )


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one send, waiting to be written."""

    row: OutboxRow
    sent: Sent | None = None
    retry_at: datetime | None = None
    count_attempt: bool = True
    failed: bool = False
    blocked: bool = False
    error: str = ""
    reason: str = ""  # why it failed or is retried, for the metrics: a FailReason/RetryReason value


def write_outcomes(session: Session, outcomes: list[Outcome]) -> None:
    """Record a batch of outcomes in the outbox (the caller's transaction)."""
    outbox.mark_sent(session, [o.sent for o in outcomes if o.sent is not None])
    for o in outcomes:
        if o.blocked:
            outbox.block_chat(session, o.row.chat_id, o.error)
        elif o.failed:
            outbox.mark_failed(session, o.row.id, o.error)
        elif o.retry_at is not None:
            outbox.mark_retry(
                session, o.row.id, at=o.retry_at, error=o.error, count_attempt=o.count_attempt
            )
