"""The /start greeting and the language choice (pure); callback data ``lang:<zh|zh-hant|en>``."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from digestbot import messages
from digestbot.chinese_script import Script
from digestbot.i18n import Translator
from digestbot.model import Lang

__all__ = [
    "LanguageChoice",
    "language_data",
    "language_keyboard",
    "language_name",
    "parse_language_data",
    "render_greeting",
    "render_language_choice",
]

_PREFIX = "lang:"
LANGUAGE_BUTTONS = f"^{_PREFIX}"  # the callback-data pattern of the language buttons


LanguageChoice = tuple[Lang, bool | None]  # the language, and Traditional (None: as it was)
_CHOICES: dict[str, tuple[str, LanguageChoice]] = {  # callback value -> (label, choice)
    "zh": ("简体中文", (Lang.ZH, False)),
    "zh-hant": ("繁體中文", (Lang.ZH, True)),
    "en": (messages.LANGUAGE_NAMES[Lang.EN], (Lang.EN, None)),
}


def language_data(lang: Lang, traditional: bool = False) -> str:
    """Callback data of the button that chooses ``lang`` (Chinese in Traditional)."""
    return f"{_PREFIX}{lang.value}{'-hant' if traditional and lang is Lang.ZH else ''}"


def parse_language_data(data: str) -> LanguageChoice | None:
    """What a ``lang:`` button chooses, or None for anything else."""
    if not data.startswith(_PREFIX):
        return None
    found = _CHOICES.get(data.removeprefix(_PREFIX))
    return None if found is None else found[1]


def language_name(lang: Lang, script: Script) -> str:
    """The reader's language as its button names it: 简体中文, 繁體中文 or English."""
    if lang is Lang.EN:
        return messages.LANGUAGE_NAMES[lang]
    return _CHOICES["zh-hant" if script.traditional else "zh"][0]


def language_keyboard() -> InlineKeyboardMarkup:
    """Three buttons, 简体中文, 繁體中文 and English, each labelled in its own language."""
    buttons = [
        InlineKeyboardButton(label, callback_data=f"{_PREFIX}{value}")
        for value, (label, _) in _CHOICES.items()
    ]
    return InlineKeyboardMarkup([buttons])


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
    """The /language question with its three buttons."""
    return tr.gettext(messages.CHOOSE_LANGUAGE), language_keyboard()
