"""The test driver: act as Telegram users and read chats as they would see them.

Actions (send text, press a button, send an inline query, block) are plain calls that queue an
update for the bot; waits (``next_bot_message``, ``callback_answer``...) await the state's
change event with a timeout, never a polling sleep.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from digestbot.errors import DigestbotError
from digestbot.sandbox.entities import command_entities
from digestbot.sandbox.html import FormattedText, render_html
from digestbot.sandbox.state import (
    CallbackQueryRecord,
    ChatKind,
    ChatRecord,
    InlineQueryRecord,
    MessageRecord,
    SandboxState,
    UserRecord,
    scope_key,
)

__all__ = ["Driver", "DriverError", "UnknownTarget", "transcript_entry"]

T = TypeVar("T")


# The user Telegram puts in ``from`` of an anonymous group admin's messages.
_GROUP_ANONYMOUS_BOT = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}


class DriverError(DigestbotError):
    """The driver was asked for something impossible (a blocked user writing, no such button...)."""


class UnknownTarget(DriverError):
    """The user, chat or query named does not exist (404 over HTTP)."""


def transcript_entry(record: MessageRecord) -> dict[str, Any]:
    """One message as the user sees it: text, entities, HTML re-rendered, keyboard, edited flag."""
    formatted = FormattedText(record.text, record.entities)
    return {
        "message_id": record.message_id,
        "chat_id": record.chat.id,
        "from_bot": record.from_bot,
        "from": record.sender,
        "date": record.date,
        "text": record.text,
        "html": render_html(formatted),
        "entities": [e.to_dict() for e in record.entities],
        "reply_markup": record.reply_markup,
        "edited": record.edit_date is not None,
        "document": record.document.to_api() if record.document else None,
        "reply_to": record.reply_to,
        "service": record.service,
    }


class Driver:
    """Simulated users' side of the emulator (also behind the ``/sandbox/`` HTTP API)."""

    def __init__(self, state: SandboxState, clock: Callable[[], float] = time.monotonic) -> None:
        self.state = state
        self.clock = clock
        self._read_upto: dict[int, int] = {}

    # -- the webhook's load balancer -------------------------------------------------------------

    def balance_webhook(self, urls: Iterable[str]) -> dict[str, Any]:
        """Deliver webhook updates round robin to ``urls`` (several bot processes behind a load
        balancer) instead of the URL the bot set; no URLs: back to that one. Returns
        ``{urls, delivered}``."""
        chosen = tuple(urls)
        for url in chosen:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise DriverError(f"not an http(s) URL to balance over: {url!r}")
        self.state.balancer.set_urls(chosen)
        self.state.notify()  # the webhook sender looks again
        return self.state.balancer.to_json()

    def webhook_balance(self) -> dict[str, Any]:
        """``{urls, delivered}``: the balanced URLs and the updates each one took."""
        return self.state.balancer.to_json()

    # -- users and chats -------------------------------------------------------------------------

    def create_user(
        self,
        user_id: int,
        first_name: str,
        username: str | None = None,
        language_code: str | None = None,
        *,
        last_name: str | None = None,
    ) -> UserRecord:
        """Add a user with a private chat (same id); the bot may write once they have written."""
        if user_id <= 0:
            raise DriverError("a user id must be a positive integer")
        existing = self.state.users.get(user_id)
        if existing is not None:
            existing.first_name, existing.username = first_name, username
            existing.language_code, existing.last_name = language_code, last_name
            self.state.notify()
            return existing
        user = UserRecord(user_id, first_name, username, language_code, last_name)
        self.state.add_user(user)
        return user

    def create_group(
        self, chat_id: int, title: str, *, owner: int | None = None, admins: Iterable[int] = ()
    ) -> ChatRecord:
        """Add a group (negative id) with the bot in it; ``owner`` and ``admins`` are users
        (created first) whom ``getChatAdministrators`` lists."""
        if chat_id >= 0:
            raise DriverError("a group id must be negative")
        chosen = dict.fromkeys(admins, False)
        if owner is not None:
            chosen[owner] = True
        for user_id in chosen:
            self.user(user_id)
        chat = self.state.add_group(chat_id, title)
        chat.admins.update(sorted(chosen.items(), key=lambda item: not item[1]))  # owner first
        return chat

    def user(self, user_id: int) -> UserRecord:
        """A known user, else DriverError."""
        user = self.state.users.get(user_id)
        if user is None:
            raise UnknownTarget(f"no user {user_id}; create it first")
        return user

    def block(self, user_id: int) -> UserRecord:
        """The user blocks the bot (the bot gets a ``my_chat_member`` update: kicked)."""
        return self._set_blocked(self.user(user_id), True)

    def unblock(self, user_id: int) -> UserRecord:
        """The user unblocks the bot (``my_chat_member``: member)."""
        return self._set_blocked(self.user(user_id), False)

    def deactivate(self, user_id: int) -> UserRecord:
        """The user deletes their account: the bot gets 403 ``user is deactivated``."""
        user = self.user(user_id)
        user.deactivated = True
        self.state.notify()
        return user

    def kick_bot(self, chat_id: int) -> ChatRecord:
        """Remove the bot from a group: it gets 403 ``bot was kicked from the group chat``."""
        chat = self.state.chats.get(chat_id)
        if chat is None or chat.kind is ChatKind.PRIVATE:
            raise UnknownTarget(f"no group {chat_id}")
        chat.bot_member = False
        self.state.notify()
        return chat

    def _set_blocked(self, user: UserRecord, blocked: bool) -> UserRecord:
        if user.blocked == blocked:
            return user
        user.blocked = blocked
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        self.state.push_update(
            "my_chat_member",
            {
                "chat": self.state.chats[user.id].to_api(),
                "from": user.to_api(),
                "date": int(time.time()),
                "old_chat_member": {"status": old, "user": self.state.bot_user},
                "new_chat_member": {"status": new, "user": self.state.bot_user}
                | ({"until_date": 0} if blocked else {}),
            },
        )
        return user

    # -- actions ---------------------------------------------------------------------------------

    def send_text(self, user_id: int, text: str, chat_id: int | None = None) -> dict[str, Any]:
        """The user writes ``text`` (commands get ``bot_command`` entities); returns the update."""
        user = self.user(user_id)
        if not text:
            raise DriverError("a message needs text")
        chat = self._chat(user, chat_id)
        if chat.kind is ChatKind.PRIVATE:
            if user.blocked:
                raise DriverError("the user has blocked the bot; unblock first")
            user.started = True
        record = self.state.add_message(chat, user.to_api(), from_bot=False)
        record.text, record.entities = text, command_entities(text)
        return self._push_message(record)

    def send_as_group(self, chat_id: int, text: str) -> dict[str, Any]:
        """An anonymous admin of group ``chat_id`` writes ``text``: Telegram shows it from the
        group itself (``sender_chat``), sent by its placeholder user GroupAnonymousBot."""
        chat = self.state.chats.get(chat_id)
        if chat is None or chat.kind is ChatKind.PRIVATE:
            raise UnknownTarget(f"no group {chat_id}")
        if not text:
            raise DriverError("a message needs text")
        record = self.state.add_message(chat, dict(_GROUP_ANONYMOUS_BOT), from_bot=False)
        record.text, record.entities, record.as_chat = text, command_entities(text), True
        return self._push_message(record)

    def edit_text(
        self, user_id: int, message_id: int, text: str, chat_id: int | None = None
    ) -> dict[str, Any]:
        """The user edits a message of theirs to ``text``; returns the ``edited_message`` update."""
        user = self.user(user_id)
        chat = self._chat(user, chat_id)
        record = self.state.find_message(chat.id, message_id)
        if record is None or record.from_bot or record.sender.get("id") != user.id:
            raise DriverError(f"user {user_id} wrote no message {message_id} in chat {chat.id}")
        if not text:
            raise DriverError("a message needs text")
        record.text, record.entities = text, command_entities(text)
        record.edit_date = int(time.time())
        update = self.state.push_update("edited_message", record.to_api())
        self.state.notify()
        return update or {}

    def join_group(self, user_id: int, chat_id: int) -> dict[str, Any]:
        """The user joins group ``chat_id``: a ``new_chat_members`` service message."""
        user = self.user(user_id)
        return self._service(user, chat_id, {"new_chat_members": [user.to_api()]})

    def leave_group(self, user_id: int, chat_id: int) -> dict[str, Any]:
        """The user leaves group ``chat_id``: a ``left_chat_member`` service message."""
        user = self.user(user_id)
        return self._service(user, chat_id, {"left_chat_member": user.to_api()})

    def rename_group(self, user_id: int, chat_id: int, title: str) -> dict[str, Any]:
        """The user renames group ``chat_id``: a ``new_chat_title`` service message."""
        user = self.user(user_id)
        chat = self._chat(user, chat_id)
        if chat.kind is ChatKind.PRIVATE or not title:
            raise DriverError("only a group can be renamed, to a title that is not empty")
        chat.title = title
        return self._service(user, chat_id, {"new_chat_title": title})

    def _service(self, user: UserRecord, chat_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(user, chat_id)
        if chat.kind is ChatKind.PRIVATE:
            raise DriverError(f"chat {chat_id} is not a group")
        record = self.state.add_message(chat, user.to_api(), from_bot=False)
        record.service = fields
        return self._push_message(record)

    def press_button(
        self, user_id: int, message_id: int, data: str, chat_id: int | None = None
    ) -> dict[str, Any]:
        """The user presses the button with ``data`` under a bot message; returns the update."""
        user = self.user(user_id)
        chat = self._chat(user, chat_id)
        record = self.state.find_message(chat.id, message_id)
        if record is None or not record.from_bot:
            raise DriverError(f"no bot message {message_id} in chat {chat.id}")
        if data not in _callback_data(record.reply_markup):
            raise DriverError(f"message {message_id} has no button with data {data!r}")
        query = CallbackQueryRecord(
            self.state.new_id(""), user.id, message_id, data, created=self.clock()
        )
        self.state.callback_queries[query.id] = query
        update = self.state.push_update(
            "callback_query",
            {
                "id": query.id,
                "from": user.to_api(),
                "message": record.to_api(),
                "chat_instance": str(-chat.id * 7919),
                "data": data,
            },
        )
        return update or {}

    def send_inline_query(self, user_id: int, query: str, offset: str = "") -> dict[str, Any]:
        """The user types ``@bot query`` (``offset``: scrolled to a page the bot offered, or
        forged); returns the update (the answer comes later)."""
        user = self.user(user_id)
        record = InlineQueryRecord(self.state.new_id(""), user.id, query, created=self.clock())
        self.state.inline_queries[record.id] = record
        update = self.state.push_update(
            "inline_query",
            {
                "id": record.id,
                "from": user.to_api(),
                "query": query,
                "offset": offset,
                "chat_type": "sender",
            },
        )
        return update or {}

    def _push_message(self, record: MessageRecord) -> dict[str, Any]:
        update = self.state.push_update("message", record.to_api())
        self.state.notify()
        return update or {}

    def _chat(self, user: UserRecord, chat_id: int | None) -> ChatRecord:
        chat = self.state.chats.get(user.id if chat_id is None else chat_id)
        if chat is None:
            raise UnknownTarget(f"no chat {chat_id}")
        return chat

    # -- reading ---------------------------------------------------------------------------------

    def transcript(self, chat_id: int) -> list[dict[str, Any]]:
        """The chat as its user sees it now, oldest first (deleted messages gone, edits applied)."""
        messages = self.state.messages.get(chat_id)
        if messages is None:
            raise UnknownTarget(f"no chat {chat_id}")
        return [transcript_entry(m) for m in messages.values() if not m.deleted]

    def latest_inline_query(self, user_id: int) -> InlineQueryRecord | None:
        """The user's most recent inline query with the bot's answer, if any."""
        mine = [q for q in self.state.inline_queries.values() if q.user_id == user_id]
        return mine[-1] if mine else None

    def commands_for(self, user_id: int) -> list[dict[str, Any]]:
        """The command menu the user's client shows: chat, private, default scope; own language."""
        user = self.user(user_id)
        scopes = (
            {"type": "chat", "chat_id": user.id},
            {"type": "all_private_chats"},
            {"type": "default"},
        )
        # Clients report IETF tags such as "zh-hans"; menus are keyed by the ISO 639-1 part.
        languages = [(user.language_code or "").split("-", 1)[0].lower(), ""]
        for scope in scopes:
            for language in languages:
                key = (scope_key(scope), language)
                if key in self.state.commands:
                    return list(self.state.commands[key])
        return []

    # -- waiting ---------------------------------------------------------------------------------

    async def wait_for(self, probe: Callable[[], T | None], timeout: float = 5.0) -> T:
        """Await the first non-None ``probe()``, checked after each state change; TimeoutError."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = probe()
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0 or not await self.state.wait_changed(remaining):
                found = probe()
                if found is not None:
                    return found
                raise TimeoutError(f"nothing arrived within {timeout} s")

    async def next_bot_message(self, chat_id: int, timeout: float = 5.0) -> dict[str, Any]:
        """The bot's next message in the chat not yet returned by this method (as it is now)."""

        def probe() -> MessageRecord | None:
            seen = self._read_upto.get(chat_id, 0)
            for record in self.state.messages.get(chat_id, {}).values():
                if record.from_bot and record.message_id > seen:
                    return record
            return None

        record = await self.wait_for(probe, timeout)
        self._read_upto[chat_id] = record.message_id
        return transcript_entry(record)

    async def callback_answer(self, query_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """The bot's answerCallbackQuery for ``query_id`` (text, show_alert, url)."""
        query = self.state.callback_queries.get(query_id)
        if query is None:
            raise UnknownTarget(f"no callback query {query_id}")
        return await self.wait_for(lambda: query.answer, timeout)

    async def inline_answer(self, query_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """The bot's answerInlineQuery for ``query_id`` (results and options)."""
        query = self.state.inline_queries.get(query_id)
        if query is None:
            raise UnknownTarget(f"no inline query {query_id}")
        return await self.wait_for(lambda: query.answer, timeout)


def _callback_data(markup: dict[str, Any] | None) -> set[str]:
    rows = (markup or {}).get("inline_keyboard") or []
    return {
        str(button["callback_data"])
        for row in rows
        for button in row
        if isinstance(button, dict) and "callback_data" in button
    }
