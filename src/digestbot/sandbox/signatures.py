"""The Bot API methods the sandbox serves and their parameters, as Telegram documents them.

Types use the Bot API's own words (``Integer``, ``String``, ``Boolean``, ``Float``, ``InputFile``,
an object type such as ``InlineKeyboardMarkup``, or ``Array of X``), so the table can be checked
against the published specification.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["METHODS", "MethodSpec", "ParamSpec", "canonical_method"]

SCALAR_TYPES = frozenset({"Integer", "String", "Boolean", "Float", "InputFile"})


@dataclass(frozen=True)
class ParamSpec:
    """One parameter: its name, the types it accepts (any of them) and whether it is required."""

    name: str
    types: tuple[str, ...]
    required: bool = False

    @property
    def is_json(self) -> bool:
        """True when the value travels as a JSON-serialized object or array."""
        return not SCALAR_TYPES.issuperset(self.types)


@dataclass(frozen=True)
class MethodSpec:
    """A method's canonical name and parameters, in the order the Bot API lists them."""

    name: str
    params: tuple[ParamSpec, ...] = ()

    def param(self, name: str) -> ParamSpec | None:
        """The parameter called ``name``, or None."""
        return next((p for p in self.params if p.name == name), None)


def _p(name: str, types: str, required: bool = False) -> ParamSpec:
    """Shorthand: ``types`` joins alternatives with ``|``, e.g. ``Integer|String``."""
    return ParamSpec(name, tuple(types.split("|")), required)


_REPLY_MARKUP = "InlineKeyboardMarkup|ReplyKeyboardMarkup|ReplyKeyboardRemove|ForceReply"
_SEND_COMMON = (
    _p("business_connection_id", "String"),
    _p("chat_id", "Integer|String", required=True),
    _p("message_thread_id", "Integer"),
    _p("direct_messages_topic_id", "Integer"),
)
_SEND_TAIL = (
    _p("disable_notification", "Boolean"),
    _p("protect_content", "Boolean"),
    _p("allow_paid_broadcast", "Boolean"),
    _p("message_effect_id", "String"),
    _p("suggested_post_parameters", "SuggestedPostParameters"),
    _p("reply_parameters", "ReplyParameters"),
    _p("reply_markup", _REPLY_MARKUP),
)
_EDIT_TARGET = (
    _p("business_connection_id", "String"),
    _p("chat_id", "Integer|String"),
    _p("message_id", "Integer"),
    _p("inline_message_id", "String"),
)
_COMMAND_SCOPE = (_p("scope", "BotCommandScope"), _p("language_code", "String"))

_TABLE = (
    MethodSpec("getMe"),
    MethodSpec("logOut"),
    MethodSpec("close"),
    MethodSpec(
        "getUpdates",
        (
            _p("offset", "Integer"),
            _p("limit", "Integer"),
            _p("timeout", "Integer"),
            _p("allowed_updates", "Array of String"),
        ),
    ),
    MethodSpec(
        "setWebhook",
        (
            _p("url", "String", required=True),
            _p("certificate", "InputFile"),
            _p("ip_address", "String"),
            _p("max_connections", "Integer"),
            _p("allowed_updates", "Array of String"),
            _p("drop_pending_updates", "Boolean"),
            _p("secret_token", "String"),
        ),
    ),
    MethodSpec("deleteWebhook", (_p("drop_pending_updates", "Boolean"),)),
    MethodSpec("getWebhookInfo"),
    MethodSpec(
        "setMyCommands", (_p("commands", "Array of BotCommand", required=True), *_COMMAND_SCOPE)
    ),
    MethodSpec("getMyCommands", _COMMAND_SCOPE),
    MethodSpec("deleteMyCommands", _COMMAND_SCOPE),
    MethodSpec(
        "sendMessage",
        (
            *_SEND_COMMON,
            _p("text", "String", required=True),
            _p("parse_mode", "String"),
            _p("entities", "Array of MessageEntity"),
            _p("link_preview_options", "LinkPreviewOptions"),
            *_SEND_TAIL,
        ),
    ),
    MethodSpec(
        "editMessageText",
        (
            *_EDIT_TARGET,
            _p("text", "String"),  # optional since Bot API 10.1 (rich_message), checked on use
            _p("parse_mode", "String"),
            _p("entities", "Array of MessageEntity"),
            _p("link_preview_options", "LinkPreviewOptions"),
            _p("rich_message", "InputRichMessage"),
            _p("reply_markup", "InlineKeyboardMarkup"),
        ),
    ),
    MethodSpec(
        "editMessageReplyMarkup", (*_EDIT_TARGET, _p("reply_markup", "InlineKeyboardMarkup"))
    ),
    MethodSpec(
        "deleteMessage",
        (
            _p("chat_id", "Integer|String", required=True),
            _p("message_id", "Integer", required=True),
        ),
    ),
    MethodSpec(
        "answerCallbackQuery",
        (
            _p("callback_query_id", "String", required=True),
            _p("text", "String"),
            _p("show_alert", "Boolean"),
            _p("url", "String"),
            _p("cache_time", "Integer"),
        ),
    ),
    MethodSpec(
        "answerInlineQuery",
        (
            _p("inline_query_id", "String", required=True),
            _p("results", "Array of InlineQueryResult", required=True),
            _p("cache_time", "Integer"),
            _p("is_personal", "Boolean"),
            _p("next_offset", "String"),
            _p("button", "InlineQueryResultsButton"),
        ),
    ),
    MethodSpec(
        "sendChatAction",
        (
            _p("business_connection_id", "String"),
            _p("chat_id", "Integer|String", required=True),
            _p("message_thread_id", "Integer"),
            _p("action", "String", required=True),
        ),
    ),
    MethodSpec("setChatMenuButton", (_p("chat_id", "Integer"), _p("menu_button", "MenuButton"))),
    MethodSpec("getChat", (_p("chat_id", "Integer|String", required=True),)),
    MethodSpec("getChatAdministrators", (_p("chat_id", "Integer|String", required=True),)),
    MethodSpec(
        "sendDocument",
        (
            *_SEND_COMMON,
            _p("document", "InputFile|String", required=True),
            _p("thumbnail", "InputFile|String"),
            _p("caption", "String"),
            _p("parse_mode", "String"),
            _p("caption_entities", "Array of MessageEntity"),
            _p("disable_content_type_detection", "Boolean"),
            *_SEND_TAIL,
        ),
    ),
)

METHODS: Mapping[str, MethodSpec] = MappingProxyType({m.name: m for m in _TABLE})
_BY_LOWER = MappingProxyType({name.lower(): name for name in METHODS})


def canonical_method(name: str) -> str | None:
    """The canonical spelling of a method name (Telegram ignores case), or None if unknown."""
    return _BY_LOWER.get(name.lower())
