"""Telegram's checks on request parameters and message content, raising ``ApiError`` like Telegram.

Parameters arrive as strings (query string, form, multipart; python-telegram-bot JSON-encodes
every non-string value) or typed (a JSON body). Like the Bot API server, ``coerce_params`` first
turns every value into the string Telegram would see, then reads it by the table's type.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from digestbot.sandbox.errors import ApiError, bad_request, utf8_bytes
from digestbot.sandbox.fixtext import explicit_entities, trim_text
from digestbot.sandbox.html import FormattedText, parse_html
from digestbot.sandbox.markup import check_commands, check_reply_markup
from digestbot.sandbox.signatures import METHODS, MethodSpec, ParamSpec, canonical_method

__all__ = [
    "MAX_CALLBACK_ANSWER_CHARS",
    "MAX_CAPTION_CHARS",
    "MAX_MESSAGE_CHARS",
    "MAX_RAW_TEXT_BYTES",
    "METHODS",
    "MethodSpec",
    "ParamSpec",
    "canonical_method",
    "check_callback_answer_text",
    "check_caption",
    "check_commands",
    "check_message_text",
    "check_reply_markup",
    "check_webhook_secret",
    "coerce_params",
]

MAX_MESSAGE_CHARS = 4096
MAX_RAW_TEXT_BYTES = 32768
MAX_CALLBACK_ANSWER_CHARS = 200
MAX_CAPTION_CHARS = 1024
MAX_SECRET_CHARS = 256
_INTEGER = re.compile(r"-?[0-9]+")
_FLOAT = re.compile(r"-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?")
_SECRET = re.compile(r"[A-Za-z0-9_-]+")
_TRUE_WORDS = frozenset({"true", "yes", "1"})
_INT64 = 2**63

# Telegram's text when a required parameter is missing or empty.
_MISSING = {
    "chat_id": "chat_id is empty",
    "text": "message text is empty",
    "message_id": "message identifier is not specified",
    "callback_query_id": "query is too old and response timeout expired or query ID is invalid",
    "inline_query_id": "query is too old and response timeout expired or query ID is invalid",
    "action": "wrong parameter action in request",
    "document": "there is no document in the request",
    "results": "can't parse inline query results JSON object",
}
# Telegram's text when a JSON-serialized parameter is not valid JSON.
_JSON_NAMES = {
    "reply_markup": "reply keyboard markup",
    "entities": "entities",
    "caption_entities": "entities",
    "commands": "commands",
    "scope": "BotCommandScope",
    "allowed_updates": "allowed updates",
    "results": "inline query results",
}
# Parameters Telegram reads as empty when missing, although the documentation marks them required.
_EMPTY_WHEN_MISSING = {"commands": "[]", "url": ""}


def _as_wire_string(value: Any) -> str | None:
    """The string the Bot API server would see for a value taken from a JSON body."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _read_integer(param: ParamSpec, raw: str) -> int:
    if not _INTEGER.fullmatch(raw) or not -_INT64 <= int(raw) < _INT64:
        raise bad_request(f'field "{param.name}" must be of type Integer')
    return int(raw)


def _read_chat_id(raw: str) -> int | str:
    """An integer id or an ``@username``; anything else names no chat."""
    if _INTEGER.fullmatch(raw):
        return int(raw)
    if raw.startswith("@") and len(raw) > 1:
        return raw
    raise bad_request("chat not found")


def _read_json(param: ParamSpec, raw: str) -> Any:
    try:
        value = json.loads(raw)
    except ValueError:
        name = _JSON_NAMES.get(param.name, param.types[0])
        raise bad_request(f"can't parse {name} JSON object") from None
    array_type = next((t for t in param.types if t.startswith("Array of ")), None)
    if array_type is not None and not isinstance(value, list):
        raise bad_request(f"expected an {array_type}")
    if array_type is None and not isinstance(value, dict):
        if param.name == "reply_markup":
            raise bad_request("object expected as reply markup")
        raise bad_request(f"can't parse {param.types[0]}: expected an Object")
    return value


def _read(param: ParamSpec, raw: str) -> Any:
    """Read one wire string by the parameter's declared type."""
    if param.is_json:
        return _read_json(param, raw)
    if param.types == ("Integer", "String"):
        return _read_chat_id(raw)
    if param.types == ("Integer",):
        return _read_integer(param, raw)
    if param.types == ("Boolean",):
        return raw.lower() in _TRUE_WORDS
    if param.types == ("Float",):
        if not _FLOAT.fullmatch(raw):
            raise bad_request(f'field "{param.name}" must be of type Float')
        return float(raw)
    return raw


def _method_spec(method: str) -> MethodSpec:
    name = canonical_method(method)
    if name is None:
        raise ApiError(404, "Not Found: method not found")
    return METHODS[name]


def _required_default(param: ParamSpec) -> str:
    """What Telegram reads for a missing required parameter; most are an error."""
    if param.name in _EMPTY_WHEN_MISSING:
        return _EMPTY_WHEN_MISSING[param.name]
    raise bad_request(_MISSING.get(param.name, f"parameter {param.name} is required"))


def coerce_params(method: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Decode and type-check a request's parameters; unknown ones are dropped, as by Telegram.

    ``reply_markup`` and ``commands`` are also checked (``check_reply_markup``, ``check_commands``).
    """
    spec = _method_spec(method)
    result: dict[str, Any] = {}
    for param in spec.params:
        value = raw.get(param.name)
        if value is None and not param.required:
            continue  # absent: as an empty value, nothing to read
        if "InputFile" in param.types and value is not None and not isinstance(value, str):
            result[param.name] = value  # an uploaded file, passed through untouched
            continue
        wire = _as_wire_string(value) or ""
        utf8_bytes(wire)
        if not wire:
            if not param.required:
                continue
            wire = _required_default(param)
        result[param.name] = _check_shape(param.name, _read(param, wire)) if wire else wire
    return result


def _check_shape(name: str, value: Any) -> Any:
    """Telegram checks keyboards and command lists while reading the request, before the method."""
    if name == "reply_markup":
        return check_reply_markup(value)
    if name == "commands":
        return check_commands(value)
    return value


def _format(text: str, parse_mode: str | None, entities: list[Any] | None) -> FormattedText:
    """Parse ``text`` by ``parse_mode`` (HTML or none), or take the explicit ``entities``."""
    if len(utf8_bytes(text)) > MAX_RAW_TEXT_BYTES:
        raise bad_request("text is too long")
    mode = (parse_mode or "").lower()
    if mode == "html":
        formatted = parse_html(text)
    elif mode in ("markdown", "markdownv2"):
        raise bad_request(f"parse_mode {parse_mode} is not supported by the sandbox; use HTML")
    elif mode not in ("", "none"):
        raise bad_request("unsupported parse_mode")
    else:
        formatted = FormattedText(text, explicit_entities(entities or [], text))
    return formatted


def check_message_text(
    text: str | None, parse_mode: str | None, entities: list[Any] | None
) -> FormattedText:
    """Telegram's checks on a message text: raw size, parsing, trimming, emptiness, 4096 limit.

    The limit counts Unicode code points, as TDLib does (clients may split at UTF-16 units).
    """
    if not text:
        raise bad_request("message text is empty")
    formatted = trim_text(_format(text, parse_mode, entities))
    if not formatted.text:
        raise bad_request("text must be non-empty")
    if len(formatted.text) > MAX_MESSAGE_CHARS:
        raise bad_request("message is too long")
    return formatted


def check_caption(
    caption: str | None, parse_mode: str | None, entities: list[Any] | None
) -> FormattedText:
    """A media caption: may be empty; at most 1024 characters after parsing."""
    if not caption:
        return FormattedText("")
    formatted = trim_text(_format(caption, parse_mode, entities))
    if len(formatted.text) > MAX_CAPTION_CHARS:
        raise bad_request("message caption is too long")
    return formatted


def check_callback_answer_text(text: str | None) -> str:
    """An answerCallbackQuery text: 0-200 characters."""
    text = text or ""
    if len(text) > MAX_CALLBACK_ANSWER_CHARS:
        raise bad_request("MESSAGE_TOO_LONG")
    return text


def check_webhook_secret(token: str | None) -> str | None:
    """A setWebhook ``secret_token``: 1-256 characters of ``A-Z a-z 0-9 _ -``, or none."""
    if token is None or token == "":
        return None
    if len(token) > MAX_SECRET_CHARS:
        raise bad_request("secret token is too long")
    if not _SECRET.fullmatch(token):
        raise bad_request("secret token contains unallowed characters")
    return token
