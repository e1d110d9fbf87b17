"""One handler per Bot API method about chats and messages, answering with Telegram's objects.

Parameters arrive already decoded and type-checked by ``validate.coerce_params``; handlers apply
the rules that need the server's state (unknown chats, blocked users, missing messages, flood
limits) and raise :class:`ApiError` with Telegram's exact texts.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from digestbot.sandbox.bodies import UploadedFile
from digestbot.sandbox.errors import ApiError, bad_request, forbidden, too_many_requests
from digestbot.sandbox.html import FormattedText
from digestbot.sandbox.ratelimit import RateLimiter
from digestbot.sandbox.state import (
    CallbackQueryRecord,
    ChatKind,
    ChatRecord,
    DocumentRecord,
    InlineQueryRecord,
    MessageRecord,
    SandboxState,
)
from digestbot.sandbox.validate import (
    check_callback_answer_text,
    check_message_text,
    check_reply_markup,
)

__all__ = ["CHAT_ACTIONS", "MessageMethods", "MethodHandler", "Params", "find_chat"]

Params = dict[str, Any]
MethodHandler = Callable[[Params], Awaitable[Any]]
QueryT = TypeVar("QueryT", CallbackQueryRecord, InlineQueryRecord)

QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
CAPTION_MAX = 1024
# The rights a ChatMemberAdministrator always states (python-telegram-bot requires each).
_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)
INLINE_RESULTS_MAX = 50


def find_chat(state: SandboxState, chat_id: Any) -> ChatRecord:
    """The chat by id (``@title`` for public groups), else 400 ``chat not found``."""
    chat: ChatRecord | None = None
    if isinstance(chat_id, int):
        chat = state.chats.get(chat_id)
    elif isinstance(chat_id, str):
        if chat_id.lstrip("-").isdigit():
            chat = state.chats.get(int(chat_id))
        elif chat_id.startswith("@"):
            name = chat_id[1:].lower()
            chat = next((c for c in state.chats.values() if (c.title or "").lower() == name), None)
    if chat is None:
        raise bad_request("chat not found")
    return chat


class MessageMethods:
    """The Bot API methods that read or change chats, messages, commands and queries."""

    def __init__(
        self,
        state: SandboxState,
        limiter: RateLimiter,
        query_timeout: float = 15.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.state = state
        self.limiter = limiter
        self.query_timeout = query_timeout
        self.clock = clock

    def table(self) -> dict[str, MethodHandler]:
        """Canonical method name -> handler."""
        return {
            "getMe": self.get_me,
            "sendMessage": self.send_message,
            "editMessageText": self.edit_message_text,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "answerCallbackQuery": self.answer_callback_query,
            "answerInlineQuery": self.answer_inline_query,
            "sendChatAction": self.send_chat_action,
            "logOut": self.log_out,
            "close": self.log_out,
            "getChat": self.get_chat,
            "getChatAdministrators": self.get_chat_administrators,
            "sendDocument": self.send_document,
        }

    # -- chats ---------------------------------------------------------------------------------

    def find_chat(self, chat_id: Any) -> ChatRecord:
        """The chat by id (``@username`` for public chats), else 400 ``chat not found``."""
        return find_chat(self.state, chat_id)

    def writable_chat(self, chat_id: Any, *, initiating: bool = True) -> ChatRecord:
        """A chat the bot may write to now, else the 400/403 Telegram answers with."""
        chat = self.find_chat(chat_id)
        user = chat.user
        if user is not None:
            if user.deactivated:
                raise forbidden("user is deactivated")
            if user.blocked:
                raise forbidden("bot was blocked by the user")
            if initiating and not user.started:
                raise forbidden("bot can't initiate conversation with a user")
        elif not chat.bot_member:
            raise forbidden("bot was kicked from the group chat")
        return chat

    def _throttle(self, chat: ChatRecord, params: Params) -> None:
        paid = bool(params.get("allow_paid_broadcast", False))
        retry_after = self.limiter.acquire(chat.id, chat.kind is not ChatKind.PRIVATE, paid=paid)
        if retry_after:
            raise too_many_requests(retry_after)

    def _open_query(self, queries: Mapping[str, QueryT], query_id: Any) -> QueryT:
        """An unanswered query younger than the timeout, else Telegram's ``query is too old``."""
        query = queries.get(str(query_id))
        if (
            query is None
            or query.answer is not None
            or self.clock() - query.created > self.query_timeout
        ):
            raise bad_request(QUERY_TOO_OLD)
        return query

    def _bot_message(self, params: Params) -> tuple[ChatRecord, MessageRecord]:
        """Find the bot's own live message named by ``chat_id`` and ``message_id`` for an edit."""
        if "inline_message_id" in params and "chat_id" not in params:
            raise bad_request("message to edit not found")
        chat = self.writable_chat(params.get("chat_id"), initiating=False)
        record = self.state.find_message(chat.id, int(params.get("message_id", 0)))
        if record is None:
            raise bad_request("message to edit not found")
        if not record.from_bot:
            raise bad_request("message can't be edited")
        return chat, record

    # -- methods -------------------------------------------------------------------------------

    async def get_me(self, params: Params) -> dict[str, Any]:
        """getMe: the bot's User with ``username``."""
        return dict(self.state.bot_user)

    async def log_out(self, params: Params) -> bool:
        """logOut and close: nothing to release in the sandbox."""
        return True

    async def send_message(self, params: Params) -> dict[str, Any]:
        """sendMessage: text checked and parsed as Telegram does, stored, returned as Message."""
        chat = self.writable_chat(params.get("chat_id"))
        formatted = check_message_text(
            str(params.get("text") or ""), params.get("parse_mode"), params.get("entities")
        )
        markup = _markup(params)
        self._throttle(chat, params)
        record = self.state.add_message(chat, self.state.bot_user, from_bot=True)
        record.text, record.entities, record.reply_markup = (
            formatted.text,
            formatted.entities,
            markup,
        )
        record.reply_to = _reply_to(params)
        self.state.notify()
        return record.to_api()

    async def edit_message_text(self, params: Params) -> dict[str, Any]:
        """editMessageText: the keyboard goes unless ``reply_markup`` is sent again."""
        _, record = self._bot_message(params)
        if record.document is not None:
            raise bad_request("there is no text in the message to edit")
        formatted = check_message_text(
            str(params.get("text") or ""), params.get("parse_mode"), params.get("entities")
        )
        markup = _markup(params)
        if (formatted.text, formatted.entities, markup) == (
            record.text,
            record.entities,
            record.reply_markup,
        ):
            raise bad_request(NOT_MODIFIED)
        record.text, record.entities, record.reply_markup = (
            formatted.text,
            formatted.entities,
            markup,
        )
        return self._edited(record)

    async def edit_message_reply_markup(self, params: Params) -> dict[str, Any]:
        """editMessageReplyMarkup: replace or (without ``reply_markup``) remove the keyboard."""
        _, record = self._bot_message(params)
        markup = _markup(params)
        if markup == record.reply_markup:
            raise bad_request(NOT_MODIFIED)
        record.reply_markup = markup
        return self._edited(record)

    def _edited(self, record: MessageRecord) -> dict[str, Any]:
        record.edit_date = int(time.time())
        self.state.notify()
        return record.to_api()

    async def delete_message(self, params: Params) -> bool:
        """deleteMessage: the message disappears from the chat."""
        chat = self.find_chat(params.get("chat_id"))
        record = self.state.find_message(chat.id, int(params.get("message_id", 0)))
        if record is None:
            raise bad_request("message to delete not found")
        record.deleted = True
        self.state.notify()
        return True

    async def answer_callback_query(self, params: Params) -> bool:
        """answerCallbackQuery: once per query, within the timeout."""
        text = params.get("text")
        check_callback_answer_text(text)
        query = self._open_query(self.state.callback_queries, params.get("callback_query_id"))
        query.answer = {
            "text": text,
            "show_alert": bool(params.get("show_alert", False)),
            "url": params.get("url"),
        }
        self.state.notify()
        return True

    async def answer_inline_query(self, params: Params) -> bool:
        """answerInlineQuery: at most 50 results with distinct ids, stored for the driver."""
        results = params.get("results") or []
        if not isinstance(results, list):
            raise bad_request("can't parse inline query results JSON object")
        if len(results) > INLINE_RESULTS_MAX:
            raise bad_request("RESULTS_TOO_MUCH")
        ids = [r.get("id") for r in results if isinstance(r, dict)]
        if len(ids) != len(results) or any(not i for i in ids):
            raise bad_request("RESULT_ID_INVALID")
        if len(set(ids)) != len(ids):
            raise bad_request("RESULT_ID_DUPLICATE")
        query = self._open_query(self.state.inline_queries, params.get("inline_query_id"))
        query.answer = {
            key: params[key]
            for key in ("results", "cache_time", "is_personal", "next_offset", "button")
            if key in params
        }
        query.answer["results"] = results
        self.state.notify()
        return True

    async def send_chat_action(self, params: Params) -> bool:
        """sendChatAction: remembered per chat (the web page shows "typing...")."""
        chat = self.writable_chat(params.get("chat_id"))
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self.state.chat_actions[chat.id] = str(action)
        self.state.notify()
        return True

    async def get_chat(self, params: Params) -> dict[str, Any]:
        """getChat: a ChatFullInfo with the fields python-telegram-bot requires."""
        chat = self.find_chat(params.get("chat_id"))
        info = chat.to_api()
        info.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        return info

    async def get_chat_administrators(self, params: Params) -> list[dict[str, Any]]:
        """getChatAdministrators: a group's owner and administrators (people, not bots)."""
        chat = self.find_chat(params.get("chat_id"))
        if chat.kind is ChatKind.PRIVATE:
            raise bad_request("there are no administrators in the private chat")
        if not chat.bot_member:
            raise forbidden("bot was kicked from the group chat")
        members = []
        for user_id, owner in chat.admins.items():
            member: dict[str, Any] = {
                "status": "creator" if owner else "administrator",
                "user": self.state.users[user_id].to_api(),
                "is_anonymous": False,
            }
            if not owner:
                member.update(dict.fromkeys(_ADMIN_RIGHTS, True), can_be_edited=False)
            members.append(member)
        return members

    async def send_document(self, params: Params) -> dict[str, Any]:
        """sendDocument: an uploaded file, a known file_id or a URL, with an optional caption."""
        chat = self.writable_chat(params.get("chat_id"))
        document = self._document(params.get("document"), params)
        caption = _caption(params)
        markup = _markup(params)
        self._throttle(chat, params)
        record = self.state.add_message(chat, self.state.bot_user, from_bot=True)
        record.document, record.text, record.entities = document, caption.text, caption.entities
        record.reply_markup = markup
        self.state.notify()
        return record.to_api()

    def _document(self, value: Any, params: Params) -> DocumentRecord:
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value.removeprefix("attach://"))
        if isinstance(value, UploadedFile):
            return self._store_document(value.filename, value.content_type, value.content)
        if isinstance(value, str) and value in self.state.documents:
            return self.state.documents[value]
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            name = value.rsplit("/", 1)[-1] or "file"
            return self._store_document(name, None, b"")
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _store_document(self, name: str | None, mime: str | None, content: bytes) -> DocumentRecord:
        file_id = self.state.new_id("BQACAgIAAx")
        record = DocumentRecord(file_id, self.state.new_id("AgAD"), name, mime, content)
        self.state.documents[file_id] = record
        return record


def _markup(params: Params) -> dict[str, Any] | None:
    markup = params.get("reply_markup")
    return None if markup is None else check_reply_markup(markup)


def _reply_to(params: Params) -> int | None:
    reply = params.get("reply_parameters")
    if isinstance(reply, dict) and isinstance(reply.get("message_id"), int):
        return int(reply["message_id"])
    legacy = params.get("reply_to_message_id")
    return int(legacy) if isinstance(legacy, int) else None


def _caption(params: Params) -> FormattedText:
    caption = params.get("caption")
    if not caption:
        return FormattedText("")
    try:
        formatted = check_message_text(
            caption, params.get("parse_mode"), params.get("caption_entities")
        )
    except ApiError as exc:
        if "message is too long" not in exc.description:
            raise
        formatted = FormattedText("x" * (CAPTION_MAX + 1))
    if len(formatted.text) > CAPTION_MAX:
        raise bad_request("message caption is too long")
    return formatted
