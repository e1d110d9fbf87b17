"""Telegram's checks on reply markup (inline keyboards) and on bot command lists.

Decisions where Telegram is not documented: like TDLib, an inline keyboard keeps at most 12
buttons a row and 300 in all, dropping the rest silently; a button with more than one action is
rejected rather than silently reduced to the first.
"""

from __future__ import annotations

import re
from typing import Any

from digestbot.sandbox.errors import bad_request
from digestbot.sandbox.links import checked_link

__all__ = [
    "BUTTON_ACTIONS",
    "MAX_BUTTONS",
    "MAX_COMMANDS",
    "MAX_ROW_BUTTONS",
    "check_commands",
    "check_reply_markup",
]

MAX_ROW_BUTTONS = 12
MAX_BUTTONS = 300
MAX_CALLBACK_DATA_BYTES = 64
MAX_COMMANDS = 100
MAX_COMMAND_CHARS = 32
MAX_DESCRIPTION_CHARS = 256
BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_COMMAND = re.compile(r"[a-z0-9_]+")
_OTHER_KEYBOARDS = ("keyboard", "remove_keyboard", "force_reply")


def _button_error(detail: str) -> Exception:
    return bad_request(f"can't parse inline keyboard button: {detail}")


def _check_button(button: Any) -> dict[str, Any]:
    if not isinstance(button, dict):
        raise _button_error("InlineKeyboardButton must be an Object")
    if "text" not in button:
        raise _button_error('Can\'t find field "text"')
    if not isinstance(button["text"], str):
        raise _button_error('Field "text" must be of type String')
    if not button["text"]:
        raise bad_request("BUTTON_TEXT_EMPTY")
    actions = [key for key in BUTTON_ACTIONS if key in button]
    if not actions:
        raise bad_request("text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise _button_error(f"only one of {', '.join(actions)} may be used")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str):
            raise _button_error('Field "callback_data" must be of type String')
        if not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or checked_link(url) is None:
            raise bad_request("BUTTON_URL_INVALID")
    return dict(button)


def _check_inline_keyboard(rows: Any) -> list[list[dict[str, Any]]]:
    if not isinstance(rows, list):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    kept: list[list[dict[str, Any]]] = []
    total = 0
    for row in rows:
        if not isinstance(row, list):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        buttons = [_check_button(button) for button in row][:MAX_ROW_BUTTONS]
        buttons = buttons[: max(MAX_BUTTONS - total, 0)]
        total += len(buttons)
        if buttons:
            kept.append(buttons)
    return kept


def check_reply_markup(markup: Any) -> dict[str, Any]:
    """Validate a reply_markup object; returns it as Telegram keeps it (keyboards trimmed)."""
    if not isinstance(markup, dict):
        raise bad_request("object expected as reply markup")
    if "inline_keyboard" in markup:
        return {**markup, "inline_keyboard": _check_inline_keyboard(markup["inline_keyboard"])}
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays'
            )
        return dict(markup)
    if any(key in markup for key in _OTHER_KEYBOARDS):
        return dict(markup)
    raise bad_request(
        "unsupported reply markup: expected inline_keyboard, keyboard, remove_keyboard "
        "or force_reply"
    )


def _command_field(command: dict[str, Any], name: str) -> str:
    if name not in command:
        raise bad_request(f"can't parse BotCommand: Can't find field \"{name}\"")
    value = command[name]
    if not isinstance(value, str):
        raise bad_request(f'can\'t parse BotCommand: Field "{name}" must be of type String')
    return value


def _check_command(item: Any) -> dict[str, str]:
    if not isinstance(item, dict):
        raise bad_request("can't parse BotCommand: expected an Object")
    command = _command_field(item, "command").strip().removeprefix("/")
    description = _command_field(item, "description").strip()
    if not command:
        raise bad_request("command must be non-empty")
    if len(command) > MAX_COMMAND_CHARS:
        raise bad_request(f"command length must not exceed {MAX_COMMAND_CHARS}")
    if not description:
        raise bad_request("command description must be non-empty")
    if len(description) > MAX_DESCRIPTION_CHARS:
        raise bad_request(f"command description length must not exceed {MAX_DESCRIPTION_CHARS}")
    if not _COMMAND.fullmatch(command):
        raise bad_request("BOT_COMMAND_INVALID")
    return {"command": command, "description": description}


def check_commands(commands: Any) -> list[dict[str, str]]:
    """Validate a setMyCommands list; returns the commands as Telegram stores them (trimmed)."""
    if not isinstance(commands, list):
        raise bad_request("expected an Array of BotCommand")
    checked = [_check_command(item) for item in commands]
    if len(checked) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    return checked
