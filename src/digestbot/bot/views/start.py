"""The /start greeting and the language choice (pure); callback data ``lang:<zh|en>``."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from digestbot import messages
from digestbot.i18n import Translator
from digestbot.model import Lang

__all__ = [
    "language_data",
    "language_keyboard",
    "parse_language_data",
    "render_greeting",
    "render_language_choice",
]

_PREFIX = "lang:"
LANGUAGE_BUTTONS = f"^{_PREFIX}"  # the callback-data pattern of the language buttons


def language_data(lang: Lang) -> str:
    """Callback data of the button that chooses ``lang``."""
    return f"{_PREFIX}{lang.value}"


def parse_language_data(data: str) -> Lang | None:
    """The language a ``lang:`` button chooses, or None for anything else."""
    if not data.startswith(_PREFIX):
        return None
    try:
        return Lang(data.removeprefix(_PREFIX))
    except ValueError:
        return None


def language_keyboard() -> InlineKeyboardMarkup:
    """Two buttons, ``中文`` and ``English``, each labelled in its own language."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    messages.LANGUAGE_NAMES[lang], callback_data=language_data(lang)
                )
                for lang in (Lang.ZH, Lang.EN)
            ]
        ]
    )


def render_greeting(
    tr: Translator, first_name: str, *, new: bool, resubscribed: str = "", schedule: str = ""
) -> tuple[str, InlineKeyboardMarkup]:
    """The /start reply: hello (or welcome back) by name, when the digest comes (``schedule``,
    for a new reader), then the language question."""
    name = html.escape(first_name)
    if new:
        lines = [tr.gettext(messages.GREETING, name=name), schedule]
    else:
        lines = [tr.gettext(messages.GREETING_AGAIN, name=name), resubscribed]
    lines.append(tr.gettext(messages.CHOOSE_LANGUAGE))
    return "\n".join(line for line in lines if line), language_keyboard()


def render_language_choice(tr: Translator) -> tuple[str, InlineKeyboardMarkup]:
    """The /language question with its two buttons."""
    return tr.gettext(messages.CHOOSE_LANGUAGE), language_keyboard()
