"""Everything the emulated Telegram server remembers: users, chats, messages, updates, queries.

Pure bookkeeping on one event loop; every change calls :meth:`SandboxState.notify` so waiters
(long polls, the driver, the webhook sender) wake on an event instead of polling.
"""

from __future__ import annotations

import asyncio
import enum
import itertools
import json
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from digestbot.sandbox.entities import Entity

__all__ = [
    "DEFAULT_UPDATE_TYPES",
    "CallbackQueryRecord",
    "ChatKind",
    "ChatRecord",
    "DocumentRecord",
    "InlineQueryRecord",
    "MessageRecord",
    "SandboxState",
    "UserRecord",
    "WebhookBalancer",
    "WebhookConfig",
    "scope_key",
]

# The update types the sandbox produces; all are sent when ``allowed_updates`` is empty.
DEFAULT_UPDATE_TYPES = frozenset(
    {"message", "edited_message", "callback_query", "inline_query", "my_chat_member"}
)


def scope_key(scope: dict[str, Any]) -> str:
    """A BotCommandScope as a stable dictionary key."""
    return json.dumps(scope, sort_keys=True)


class ChatKind(enum.Enum):
    """Telegram's chat ``type`` values the sandbox knows."""

    PRIVATE = "private"
    GROUP = "group"
    SUPERGROUP = "supergroup"


@dataclass
class UserRecord:
    """A simulated user; ``started`` once they wrote to the bot, ``blocked`` if they block it."""

    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = None
    last_name: str | None = None
    started: bool = False
    blocked: bool = False
    deactivated: bool = False

    def to_api(self) -> dict[str, Any]:
        """The Bot API ``User`` object."""
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user


@dataclass
class ChatRecord:
    """A chat the bot can see: a user's private chat (same id as the user) or a group."""

    id: int
    kind: ChatKind
    title: str | None = None
    user: UserRecord | None = None
    bot_member: bool = True
    admins: dict[int, bool] = field(default_factory=dict)  # a group's admins: user id -> owner?

    def to_api(self) -> dict[str, Any]:
        """The Bot API ``Chat`` object embedded in messages."""
        chat: dict[str, Any] = {"id": self.id, "type": self.kind.value}
        if self.user is not None:
            chat["first_name"] = self.user.first_name
            if self.user.last_name:
                chat["last_name"] = self.user.last_name
            if self.user.username:
                chat["username"] = self.user.username
        if self.title is not None:
            chat["title"] = self.title
        return chat


@dataclass
class DocumentRecord:
    """A file the bot sent or uploaded; ``content`` is empty for files known only by id or URL."""

    file_id: str
    file_unique_id: str
    file_name: str | None
    mime_type: str | None
    content: bytes = b""

    def to_api(self) -> dict[str, Any]:
        """The Bot API ``Document`` object."""
        doc: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
        }
        if self.file_name:
            doc["file_name"] = self.file_name
        if self.mime_type:
            doc["mime_type"] = self.mime_type
        return doc


@dataclass
class MessageRecord:
    """One message in a chat, as it stands now (edits applied, ``deleted`` set when removed)."""

    message_id: int
    chat: ChatRecord
    date: int
    sender: dict[str, Any]
    from_bot: bool
    text: str = ""
    entities: tuple[Entity, ...] = ()
    reply_markup: dict[str, Any] | None = None
    document: DocumentRecord | None = None
    edit_date: int | None = None
    deleted: bool = False
    reply_to: int | None = None
    as_chat: bool = False  # sent by an anonymous group admin: ``sender_chat`` is the group
    service: dict[str, Any] | None = None  # a service message's fields (new_chat_title, ...)

    def to_api(self) -> dict[str, Any]:
        """The Bot API ``Message`` object (``caption`` instead of ``text`` for documents)."""
        msg: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.sender,
            "chat": self.chat.to_api(),
            "date": self.date,
        }
        if self.as_chat:
            msg["sender_chat"] = self.chat.to_api()
        if self.edit_date is not None:
            msg["edit_date"] = self.edit_date
        if self.document is not None:
            msg["document"] = self.document.to_api()
            if self.text:
                msg["caption"] = self.text
                if self.entities:
                    msg["caption_entities"] = [e.to_dict() for e in self.entities]
        elif self.service is not None:
            msg.update(self.service)
        else:
            msg["text"] = self.text
            if self.entities:
                msg["entities"] = [e.to_dict() for e in self.entities]
        if self.reply_markup is not None and "inline_keyboard" in self.reply_markup:
            msg["reply_markup"] = self.reply_markup
        return msg


@dataclass
class CallbackQueryRecord:
    """A button press and, once the bot answers, its ``answer`` (text, show_alert, url)."""

    id: str
    user_id: int
    message_id: int
    data: str
    created: float
    answer: dict[str, Any] | None = None


@dataclass
class InlineQueryRecord:
    """An inline query and, once the bot answers, its results and options."""

    id: str
    user_id: int
    query: str
    created: float
    answer: dict[str, Any] | None = None

    def to_view(self) -> dict[str, Any]:
        """What the driver shows: the query and the bot's answer (None until it answers)."""
        return {"query_id": self.id, "query": self.query, "answer": self.answer}


@dataclass
class WebhookConfig:
    """The webhook set with setWebhook, and the last delivery error Telegram would report."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class WebhookBalancer:
    """A load balancer in front of the webhook: while it has URLs, each delivery goes to the
    next of them in turn (round robin) instead of the URL given to setWebhook."""

    urls: tuple[str, ...] = ()
    delivered: list[int] = field(default_factory=list)  # successful deliveries per URL
    _turn: int = 0

    def set_urls(self, urls: tuple[str, ...]) -> None:
        """Balance over ``urls`` from the first one on (none: deliver to setWebhook's URL)."""
        self.urls = urls
        self.delivered = [0] * len(urls)
        self._turn = 0

    def next_url(self, webhook_url: str) -> tuple[str, int | None]:
        """Where the next delivery goes, and its index among the URLs (None: not balancing).
        A failed delivery is tried again on the following URL, as a balancer fails over."""
        if not self.urls:
            return webhook_url, None
        index = self._turn % len(self.urls)
        self._turn += 1
        return self.urls[index], index

    def to_json(self) -> dict[str, Any]:
        """``{urls, delivered}`` for the control API."""
        return {"urls": list(self.urls), "delivered": list(self.delivered)}


@dataclass
class SandboxState:
    """The whole server-side world of one emulated bot."""

    bot_user: dict[str, Any]
    users: dict[int, UserRecord] = field(default_factory=dict)
    chats: dict[int, ChatRecord] = field(default_factory=dict)
    messages: dict[int, dict[int, MessageRecord]] = field(default_factory=dict)
    updates: deque[dict[str, Any]] = field(default_factory=deque)
    allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
    callback_queries: dict[str, CallbackQueryRecord] = field(default_factory=dict)
    inline_queries: dict[str, InlineQueryRecord] = field(default_factory=dict)
    commands: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    menu_buttons: dict[int | None, dict[str, Any]] = field(default_factory=dict)
    documents: dict[str, DocumentRecord] = field(default_factory=dict)
    chat_actions: dict[int, str] = field(default_factory=dict)
    webhook: WebhookConfig | None = None
    balancer: WebhookBalancer = field(default_factory=WebhookBalancer)
    version: int = 0
    _next_update_id: int = 1
    _next_message_id: dict[int, int] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def notify(self) -> None:
        """Wake everything waiting for a change (long polls, driver waits, the webhook sender)."""
        self.version += 1
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def wait_changed(self, within: float | None) -> bool:
        """Wait until the next :meth:`notify` or ``within`` seconds; True if something changed."""
        event = self._changed
        try:
            async with asyncio.timeout(within):
                await event.wait()
        except TimeoutError:
            return False
        return True

    def new_id(self, prefix: str) -> str:
        """A fresh opaque id (callback queries, inline queries, files)."""
        return f"{prefix}{next(self._ids)}{int(time.time() * 1000) % 100000:05d}"

    def add_user(self, user: UserRecord) -> ChatRecord:
        """Register a user and their private chat (same id); returns the chat."""
        self.users[user.id] = user
        chat = ChatRecord(id=user.id, kind=ChatKind.PRIVATE, user=user)
        self.chats[user.id] = chat
        self.messages.setdefault(user.id, {})
        self.notify()
        return chat

    def add_group(self, chat_id: int, title: str, supergroup: bool = False) -> ChatRecord:
        """Register a group (negative id) the bot is a member of."""
        kind = ChatKind.SUPERGROUP if supergroup else ChatKind.GROUP
        chat = ChatRecord(id=chat_id, kind=kind, title=title)
        self.chats[chat_id] = chat
        self.messages.setdefault(chat_id, {})
        self.notify()
        return chat

    def add_message(
        self, chat: ChatRecord, sender: dict[str, Any], from_bot: bool
    ) -> MessageRecord:
        """Create an empty message with the chat's next id; the caller fills it and notifies."""
        message_id = self._next_message_id.get(chat.id, 1)
        self._next_message_id[chat.id] = message_id + 1
        record = MessageRecord(
            message_id=message_id,
            chat=chat,
            date=int(time.time()),
            sender=sender,
            from_bot=from_bot,
        )
        self.messages[chat.id][message_id] = record
        return record

    def find_message(self, chat_id: int, message_id: int) -> MessageRecord | None:
        """A live (not deleted) message, or None."""
        record = self.messages.get(chat_id, {}).get(message_id)
        if record is None or record.deleted:
            return None
        return record

    def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Queue an update of ``kind`` unless ``allowed_updates`` filters it out; returns it."""
        if kind not in self.allowed_updates:
            return None
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self.updates.append(update)
        self.notify()
        return update

    def confirm_updates(self, offset: int) -> None:
        """Forget updates below ``offset`` (confirmation); a negative one keeps the last -offset."""
        if offset < 0:
            keep = -offset
            while len(self.updates) > keep:
                self.updates.popleft()
            return
        while self.updates and self.updates[0]["update_id"] < offset:
            self.updates.popleft()

    def set_allowed_updates(self, allowed: list[str] | None) -> None:
        """Apply ``allowed_updates`` from getUpdates or setWebhook (None keeps the current set)."""
        if allowed is None:
            return
        self.allowed_updates = frozenset(allowed) if allowed else DEFAULT_UPDATE_TYPES
