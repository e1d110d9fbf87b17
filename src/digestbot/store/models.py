"""The database schema as typed SQLAlchemy models: articles, tags, subscribers and delivery.

The search index (an FTS5 table on SQLite, a ``tsvector`` table on PostgreSQL) is not modelled
here: it lives in the migrations and in :mod:`digestbot.store.search`.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, time
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from digestbot.chinese_script import Script
from digestbot.model import Lang, Rhythm

__all__ = [
    "AdminAlertMute",
    "Article",
    "ArticleTag",
    "ArticleText",
    "Base",
    "Composition",
    "CompositionMessage",
    "ConversationState",
    "Digest",
    "InstantPush",
    "OutboxMessage",
    "OutboxState",
    "Subscriber",
    "SubscriberState",
    "SubscriberTag",
    "Tag",
    "UTCDateTime",
    "utc_now",
]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# A surrogate key that is BIGINT on PostgreSQL and SQLite's auto-incrementing INTEGER rowid.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC; SQLite's naive values come back tagged UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a timezone-aware one is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _str_enum(enum_class: type[enum.Enum], name: str) -> Enum:
    """An enum stored as its values in a plain string column (no native type, no CHECK)."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        length=16,
        values_callable=lambda members: [m.value for m in members],
    )


class SubscriberState(enum.StrEnum):
    """Whether a reader receives digests."""

    ACTIVE = "active"
    UNSUBSCRIBED = "unsubscribed"
    BLOCKED = "blocked"  # the reader blocked the bot (Telegram said 403)


class OutboxState(enum.StrEnum):
    """Where a message is on its way to Telegram."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # gave up after retries
    DROPPED = "dropped"  # not to be sent, e.g. the reader blocked the bot


class Base(DeclarativeBase):
    """Declarative base with Alembic-friendly constraint names."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class _Timestamps:
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(default=utc_now, onupdate=utc_now)


class Article(_Timestamps, Base):
    """An article's metadata; its texts, one per language, are in :class:`ArticleText`."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(512), unique=True)
    url: Mapped[str | None] = mapped_column(String(2048), unique=True)
    date: Mapped[datetime] = mapped_column(index=True)
    author: Mapped[str | None] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(128))
    source_path: Mapped[str] = mapped_column(Text)


class ArticleText(Base):
    """One language's version of an article."""

    __tablename__ = "article_texts"
    __table_args__ = (UniqueConstraint("article_id", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)  # also the search index row id
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    lang: Mapped[Lang] = mapped_column(_str_enum(Lang, "lang"))
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)  # Markdown
    plain: Mapped[str] = mapped_column(Text)  # title + body as plain text
    key_terms: Mapped[list[str]] = mapped_column(JSON)
    # the fields as search finds phrases in them, when not as written (search_schema)
    folded: Mapped[str | None] = mapped_column(Text)


class Tag(Base):
    """A tag, lower-cased."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)


class ArticleTag(Base):
    """An article carries a tag; ``position`` keeps the order written."""

    __tablename__ = "article_tags"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(default=0)


class Subscriber(_Timestamps, Base):
    """A Telegram chat that reads digests."""

    __tablename__ = "subscribers"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    language: Mapped[Lang] = mapped_column(_str_enum(Lang, "lang"))
    script: Mapped[Script] = mapped_column(  # Chinese shown in Simplified or Traditional
        _str_enum(Script, "script"), default=Script.HANS, server_default=Script.HANS.value
    )
    timezone: Mapped[str] = mapped_column(String(64))  # IANA name, e.g. Asia/Shanghai
    digest_time: Mapped[time] = mapped_column(Time)  # local time of day
    state: Mapped[SubscriberState] = mapped_column(
        _str_enum(SubscriberState, "subscriber_state"), default=SubscriberState.ACTIVE, index=True
    )
    # "also show articles not available in my language" (digestbot.model.offered_to)
    other_language: Mapped[bool] = mapped_column(default=True, server_default=true())
    rhythm: Mapped[Rhythm] = mapped_column(  # how often the scheduled digest comes
        _str_enum(Rhythm, "rhythm"), default=Rhythm.DAILY, server_default=Rhythm.DAILY.value
    )
    weekly_day: Mapped[int] = mapped_column(default=0, server_default="0")  # Monday 0
    paused_until: Mapped[date | None] = mapped_column(Date)  # digests come again on this day
    quiet_hours: Mapped[bool] = mapped_column(  # no instant pushes from 22:00 to 07:00 local
        Boolean, default=True, server_default=true()
    )


class SubscriberTag(Base):
    """A tag a subscriber follows (none followed: every article)."""

    __tablename__ = "subscriber_tags"

    chat_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("subscribers.chat_id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # Set: the tag is instant; the newest article id when it was marked (newer ones are pushed).
    instant_after: Mapped[int | None] = mapped_column()


class Digest(Base):
    """One planned digest: the scheduled one (``sequence`` 0) at most once per reader and local
    date; digests asked for with ``/digest`` take the next sequence numbers of that date."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("chat_id", "local_date", "sequence"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    chat_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("subscribers.chat_id", ondelete="CASCADE")
    )
    local_date: Mapped[date] = mapped_column(Date)
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    lang: Mapped[Lang] = mapped_column(_str_enum(Lang, "lang"))
    total: Mapped[int] = mapped_column(default=0, server_default="0")  # new articles, shown or not
    last_article_id: Mapped[int] = mapped_column(default=0, server_default="0")  # watermark
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    # what it showed (no foreign key: retention removes compositions nobody refers to)
    composition_id: Mapped[int | None] = mapped_column(BigId)


class Composition(Base):
    """A digest's rendered messages, stored once for every reader it went to (readers alike:
    same language, script, zone, date, articles). ``fingerprint`` is a hash of what was rendered;
    retention deletes a composition once no digest or open message refers to it."""

    __tablename__ = "compositions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)


class CompositionMessage(Base):
    """Message ``seq`` of a composition: its text, the articles it shows (ids, comma-separated,
    newest first) and its buttons as JSON with ``{digest}`` where the reader's digest id goes."""

    __tablename__ = "composition_messages"

    composition_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("compositions.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    text: Mapped[str] = mapped_column(Text)
    parse_mode: Mapped[str | None] = mapped_column(String(16))
    article_ids: Mapped[str] = mapped_column(Text, default="")
    markup: Mapped[str | None] = mapped_column(Text)


class InstantPush(Base):
    """An article pushed to a chat the moment it arrived (an instant tag): at most once."""

    __tablename__ = "instant_pushes"

    chat_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("subscribers.chat_id", ondelete="CASCADE"), primary_key=True
    )
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    pushed_at: Mapped[datetime] = mapped_column(default=utc_now)


class OutboxMessage(Base):
    """A message to send; the sender claims pending rows by ``next_attempt_at``."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_claim", "state", "next_attempt_at", "id"),  # the claim order
        Index("ix_outbox_chat_id_state", "chat_id", "state"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    digest_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("digests.id", ondelete="SET NULL"), index=True
    )
    seq: Mapped[int] = mapped_column(default=0)  # order within the digest
    text: Mapped[str] = mapped_column(Text)  # empty: message ``seq`` of ``composition_id``
    composition_id: Mapped[int | None] = mapped_column(BigId)  # a digest's; no foreign key
    parse_mode: Mapped[str | None] = mapped_column(String(16))
    reply_markup: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    state: Mapped[OutboxState] = mapped_column(
        _str_enum(OutboxState, "outbox_state"), default=OutboxState.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utc_now)
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utc_now)
    sent_at: Mapped[datetime | None] = mapped_column()


class AdminAlertMute(Base):
    """An administrator who turned alerts off with ``/alerts off`` (no row: alerts are on)."""

    __tablename__ = "admin_alert_mutes"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    muted_at: Mapped[datetime] = mapped_column(default=utc_now)


class AlertSent(Base):
    """When an alert of a kind last went to the admins, from whichever bot process: several
    processes on one database send each kind at most once an interval between them."""

    __tablename__ = "alerts_sent"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column()


class ConversationState(Base):
    """What a chat's next update needs to know (an awaited answer, search pages, ...), shared by
    every bot process: ``value`` is JSON text, gone once ``expires_at`` has passed."""

    __tablename__ = "conversation_state"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(index=True)
