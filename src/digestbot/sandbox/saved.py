"""The emulator's users, chats and messages kept in a JSON file, so a restarted sandbox shows the
chats its database remembers (the bot's readers are those users: they must not be forgotten).

Kept: users, chats (with a group's admins), every message (a document with its content) and each
chat's next message id. Not kept: what is in flight (updates the bot has not fetched, button presses
and inline queries awaiting an answer) and what the bot sets again at start (commands, menus).
The file is written whole to a temporary name and renamed, so it is never half written.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
from pathlib import Path
from typing import Any

from digestbot.errors import DigestbotError
from digestbot.sandbox.entities import Entity
from digestbot.sandbox.state import (
    ChatKind,
    ChatRecord,
    DocumentRecord,
    MessageRecord,
    SandboxState,
    UserRecord,
)

__all__ = ["FORMAT", "SavedChats", "SavedChatsError", "restore_chats", "snapshot_chats"]

FORMAT = 1  # the file's "format"; another one is not read
SAVE_EVERY = 1.0  # seconds between two saves while the chats change


class SavedChatsError(DigestbotError):
    """The saved chats file cannot be read back."""


def snapshot_chats(state: SandboxState) -> dict[str, Any]:
    """Everything :func:`restore_chats` needs, as JSON-ready values."""
    return {
        "format": FORMAT,
        "bot_id": state.bot_user["id"],
        "users": [_user(user) for user in state.users.values()],
        "chats": [_chat(chat) for chat in state.chats.values()],
        "documents": [_document(doc) for doc in state.documents.values()],
        "messages": [
            _message(message) for chat in state.messages.values() for message in chat.values()
        ],
        "next_message_id": {str(chat): n for chat, n in state._next_message_id.items()},
    }


def restore_chats(state: SandboxState, saved: dict[str, Any]) -> None:
    """Put the users, chats and messages of ``saved`` into an empty ``state``.

    Raises SavedChatsError when ``saved`` is not a snapshot of this emulator's bot.
    """
    if saved.get("format") != FORMAT:
        raise SavedChatsError(f"unknown format {saved.get('format')!r} (expected {FORMAT})")
    if saved.get("bot_id") != state.bot_user["id"]:
        raise SavedChatsError(f"the chats are another bot's (id {saved.get('bot_id')!r})")
    try:
        for data in saved["users"]:
            user = UserRecord(**data)
            state.users[user.id] = user
        for data in saved["chats"]:
            chat = _chat_record(data, state.users)
            state.chats[chat.id] = chat
            state.messages.setdefault(chat.id, {})
        for data in saved["documents"]:
            doc = _document_record(data)
            state.documents[doc.file_id] = doc
        for data in saved["messages"]:
            message = _message_record(data, state)
            state.messages[message.chat.id][message.message_id] = message
        for chat_id, next_id in saved["next_message_id"].items():
            state._next_message_id[int(chat_id)] = int(next_id)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SavedChatsError(f"a malformed entry: {exc!r}") from exc
    state.notify()


class SavedChats:
    """Keeps ``state`` in ``path``: read at :meth:`load`, written a second after each change
    while :meth:`run` runs, and once more at :meth:`save`."""

    def __init__(self, state: SandboxState, path: Path) -> None:
        self.state = state
        self.path = path
        self._saved_version = state.version  # nothing to write until something changes

    def load(self) -> bool:
        """Restore the file's chats into the (empty) state; False when there is no file."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise SavedChatsError(f"cannot read {self.path}: {exc.strerror or exc}") from exc
        try:
            saved = json.loads(text)
            if not isinstance(saved, dict):
                raise SavedChatsError("not a JSON object")
            restore_chats(self.state, saved)
        except (json.JSONDecodeError, SavedChatsError) as exc:
            raise SavedChatsError(
                f"cannot read the sandbox's chats from {self.path}: {exc}; delete the file and "
                "the database beside it to start afresh"
            ) from exc
        self._saved_version = self.state.version
        return True

    def save(self) -> None:
        """Write the chats now (nothing when unchanged since the last save)."""
        if self.state.version == self._saved_version:
            return
        version = self.state.version
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(json.dumps(snapshot_chats(self.state)), encoding="utf-8")
        os.replace(temporary, self.path)
        self._saved_version = version

    async def run(self) -> None:
        """Save after every change, at most once every ``SAVE_EVERY`` seconds, until cancelled."""
        while True:
            await self.state.wait_changed(None)
            await asyncio.sleep(SAVE_EVERY)
            with contextlib.suppress(OSError):  # a full disk: the save at the stop will say so
                self.save()


def _user(user: UserRecord) -> dict[str, Any]:
    return {
        "id": user.id,
        "first_name": user.first_name,
        "username": user.username,
        "language_code": user.language_code,
        "last_name": user.last_name,
        "started": user.started,
        "blocked": user.blocked,
        "deactivated": user.deactivated,
    }


def _chat(chat: ChatRecord) -> dict[str, Any]:
    return {
        "id": chat.id,
        "kind": chat.kind.value,
        "title": chat.title,
        "user": None if chat.user is None else chat.user.id,
        "bot_member": chat.bot_member,
        "admins": {str(user): owner for user, owner in chat.admins.items()},
    }


def _chat_record(data: dict[str, Any], users: dict[int, UserRecord]) -> ChatRecord:
    return ChatRecord(
        id=int(data["id"]),
        kind=ChatKind(data["kind"]),
        title=data["title"],
        user=None if data["user"] is None else users[int(data["user"])],
        bot_member=bool(data["bot_member"]),
        admins={int(user): bool(owner) for user, owner in data["admins"].items()},
    )


def _document(doc: DocumentRecord) -> dict[str, Any]:
    return {
        "file_id": doc.file_id,
        "file_unique_id": doc.file_unique_id,
        "file_name": doc.file_name,
        "mime_type": doc.mime_type,
        "content": base64.b64encode(doc.content).decode("ascii"),
    }


def _document_record(data: dict[str, Any]) -> DocumentRecord:
    return DocumentRecord(
        file_id=str(data["file_id"]),
        file_unique_id=str(data["file_unique_id"]),
        file_name=data["file_name"],
        mime_type=data["mime_type"],
        content=base64.b64decode(data["content"]),
    )


def _message(message: MessageRecord) -> dict[str, Any]:
    return {
        "message_id": message.message_id,
        "chat": message.chat.id,
        "date": message.date,
        "sender": message.sender,
        "from_bot": message.from_bot,
        "text": message.text,
        "entities": [entity.to_dict() for entity in message.entities],
        "reply_markup": message.reply_markup,
        "document": None if message.document is None else message.document.file_id,
        "edit_date": message.edit_date,
        "deleted": message.deleted,
        "reply_to": message.reply_to,
        "as_chat": message.as_chat,
    }


def _message_record(data: dict[str, Any], state: SandboxState) -> MessageRecord:
    document = data["document"]
    return MessageRecord(
        message_id=int(data["message_id"]),
        chat=state.chats[int(data["chat"])],
        date=int(data["date"]),
        sender=dict(data["sender"]),
        from_bot=bool(data["from_bot"]),
        text=str(data["text"]),
        entities=tuple(Entity.from_dict(entity) for entity in data["entities"]),
        reply_markup=data["reply_markup"],
        document=None if document is None else state.documents[document],
        edit_date=data["edit_date"],
        deleted=bool(data["deleted"]),
        reply_to=data["reply_to"],
        as_chat=bool(data["as_chat"]),
    )
