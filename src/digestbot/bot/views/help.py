"""The /help text (pure): every command of the menu with what it does, in the reader's language."""

from __future__ import annotations

from digestbot import messages
from digestbot.i18n import Translator

__all__ = ["render_help"]


def render_help(tr: Translator, schedule: str = "") -> str:
    """Header, one line per command, the plain-text search hint and the other-language note;
    ``schedule`` (a subscribed reader's HELP_SCHEDULE: when their digest comes) after them."""
    lines = [tr.gettext(messages.HELP_HEADER)]
    lines += [
        tr.gettext(messages.HELP_LINE, command=name, description=tr.gettext(description))
        for name, description in messages.COMMANDS
    ]
    lines += ["", tr.gettext(messages.HELP_FOOTER), tr.gettext(messages.HELP_OTHER_LANGUAGE)]
    if schedule:
        lines.append(schedule)
    return "\n".join(lines)
