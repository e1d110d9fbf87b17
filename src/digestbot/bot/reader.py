"""Who is talking to the bot and in which language, worked out once per update."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update

from digestbot.bot.deps import BotDeps, run_db
from digestbot.chinese_script import Script, script_from_telegram
from digestbot.i18n import Translator, lang_from_telegram, translator
from digestbot.model import Lang
from digestbot.store.subscribers import Profile, get_profile

__all__ = ["Reader", "load_reader"]


@dataclass(frozen=True, slots=True)
class Reader:
    """The reader behind an update: their chat, stored profile (if any) and language."""

    chat_id: int
    user_id: int | None
    first_name: str
    profile: Profile | None
    tr: Translator

    language_code: str | None = None  # Telegram's, for the region of a Traditional choice

    @property
    def lang(self) -> Lang:
        """The language every reply uses."""
        return self.tr.lang

    @property
    def other_language(self) -> bool:
        """Whether the reader is also offered articles not in their language (default: yes)."""
        return self.profile.other_language if self.profile is not None else True

    @property
    def script(self) -> Script:
        """How the reader reads Chinese (interface and content)."""
        return self.tr.script


async def load_reader(update: Update, deps: BotDeps) -> Reader | None:
    """The reader of ``update``; None for updates with neither a chat nor a user.

    The stored choice wins; before there is one, Telegram's ``language_code`` decides.
    Inline queries have no chat: the user's private chat (same id) holds their profile.
    """
    user = update.effective_user
    chat = update.effective_chat
    chat_id = chat.id if chat is not None else (user.id if user is not None else None)
    if chat_id is None:
        return None
    profile = await run_db(deps, lambda session: get_profile(session, chat_id))
    code = user.language_code if user is not None else None
    if profile is not None:
        lang, script = profile.language, profile.script
    else:
        lang = lang_from_telegram(code, deps.settings.reader.default_language)
        script = script_from_telegram(code)
    return Reader(
        chat_id=chat_id,
        user_id=user.id if user is not None else None,
        first_name=user.first_name if user is not None else "",
        profile=profile,
        tr=translator(lang, script),
        language_code=code,
    )
