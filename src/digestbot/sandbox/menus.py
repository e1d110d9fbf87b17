"""Bot API methods for the bot's menus: command lists per scope and language, the menu button."""

from __future__ import annotations

from typing import Any

from digestbot.sandbox.errors import bad_request
from digestbot.sandbox.methods import MethodHandler, Params, find_chat
from digestbot.sandbox.state import SandboxState, scope_key
from digestbot.sandbox.validate import check_commands

__all__ = ["SCOPE_TYPES", "MenuMethods"]

SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)


class MenuMethods:
    """setMyCommands, getMyCommands, deleteMyCommands and setChatMenuButton."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def table(self) -> dict[str, MethodHandler]:
        """Canonical method name -> handler."""
        return {
            "setChatMenuButton": self.set_chat_menu_button,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
        }

    async def set_chat_menu_button(self, params: Params) -> bool:
        """setChatMenuButton: for one chat, or the default when ``chat_id`` is absent."""
        chat_id = find_chat(self.state, params["chat_id"]).id if "chat_id" in params else None
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in {
            "default",
            "commands",
            "web_app",
        }:
            raise bad_request("can't parse menu button JSON object")
        self.state.menu_buttons[chat_id] = button
        self.state.notify()
        return True

    async def set_my_commands(self, params: Params) -> bool:
        """setMyCommands: per scope and language; an empty list deletes."""
        commands = check_commands(params.get("commands"))
        key = self._commands_key(params)
        if commands:
            self.state.commands[key] = [dict(c) for c in commands]
        else:
            self.state.commands.pop(key, None)
        self.state.notify()
        return True

    async def get_my_commands(self, params: Params) -> list[dict[str, Any]]:
        """getMyCommands: exactly the list for this scope and language (no fallback)."""
        return [dict(c) for c in self.state.commands.get(self._commands_key(params), [])]

    async def delete_my_commands(self, params: Params) -> bool:
        """deleteMyCommands: forget the list for this scope and language."""
        self.state.commands.pop(self._commands_key(params), None)
        self.state.notify()
        return True

    def _commands_key(self, params: Params) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in SCOPE_TYPES:
            raise bad_request("can't parse BotCommandScope JSON object")
        if "chat_id" in scope:
            scope = {**scope, "chat_id": find_chat(self.state, scope["chat_id"]).id}
        language = params.get("language_code") or ""
        if language and not (len(language) == 2 and language.isalpha()):
            raise bad_request("invalid language code specified")
        return scope_key(scope), language
