"""Reading a command out of a message's text: ``/Name@SomeBot args`` (pure)."""

from __future__ import annotations

__all__ = ["command_for", "parse_command"]


def parse_command(text: str) -> tuple[str, str] | None:
    """``(name, addressee)`` of a text starting with ``/name@addressee``, both lower case (the
    addressee empty when none is named); None when the text is no command."""
    first = text.split(maxsplit=1)[0] if text.strip() else ""
    if not first.startswith("/") or len(first) == 1:
        return None
    name, _, addressee = first[1:].partition("@")
    return name.lower(), addressee.lower()


def command_for(text: str, bot_username: str) -> str | None:
    """The command's name when it is for this bot (named, or no bot named; groups may hold
    several bots); None for other texts."""
    parsed = parse_command(text)
    if parsed is None or parsed[1] not in ("", bot_username.lower()):
        return None
    return parsed[0]
