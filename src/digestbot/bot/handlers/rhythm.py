"""Handlers: the rhythm screen behind /settings (``rh:`` buttons): digest days, pauses, instant
tags, quiet hours. Each press stores the change and redraws the screen in place. "Other date…"
awaits the pause's end as the reader's next text (:func:`answer_pause_end`, called by
:mod:`digestbot.bot.handlers.replies`), read in the reader's zone by
:mod:`digestbot.bot.pause_input`."""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy.orm import Session
from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler

from digestbot import messages
from digestbot.bot.context import Context
from digestbot.bot.conversation import await_answer, end_wait
from digestbot.bot.deps import BotDeps, run_db
from digestbot.bot.edits import edit_pressed
from digestbot.bot.handlers.preferences import ANSWER_ECHO, ensure_profile, pressed_button
from digestbot.bot.ids import is_stored_id
from digestbot.bot.pause_input import parse_pause_end, pause_allowed
from digestbot.bot.reader import Reader
from digestbot.bot.schedule_input import ScheduleInputError
from digestbot.bot.views.preferences import render_settings
from digestbot.bot.views.rhythm import (
    RHYTHM_BUTTONS,
    TYPE_PAUSE_DATA,
    RhythmAction,
    RhythmKind,
    RhythmScreen,
    parse_rhythm_data,
    render_rhythm,
    rhythm_name,
)
from digestbot.bot.views.search import clip
from digestbot.config import ReaderSettings
from digestbot.digest.schedule import local_now
from digestbot.i18n import Translator
from digestbot.model import ReaderRhythm, Rhythm
from digestbot.store.rhythm import FollowedTag, followed_tags, set_rhythm, toggle_instant
from digestbot.store.subscribers import Profile, get_profile

__all__ = ["answer_pause_end", "on_rhythm_button", "register"]

_PICKERS = (RhythmKind.PICK_DAY, RhythmKind.PICK_PAUSE, RhythmKind.TYPE_PAUSE)
_ENDING_WAIT = (  # presses after which a typed pause date is no longer awaited
    RhythmKind.BACK,
    RhythmKind.SET,
    RhythmKind.WEEKLY,
    RhythmKind.PAUSE,
    RhythmKind.RESUME,
)


@dataclass(frozen=True, slots=True)
class _Outcome:
    """After a press: the reader's profile and tags, what to say, which picker stays open."""

    profile: Profile
    tags: tuple[FollowedTag, ...]
    answer: str = ""
    picking: RhythmKind | None = None


def _new_rhythm(current: ReaderRhythm, action: RhythmAction) -> ReaderRhythm | None:
    """The rhythm a press asks for (None: the press changes no rhythm)."""
    match action.kind:
        case RhythmKind.SET if action.rhythm is not None:
            return replace(current, rhythm=action.rhythm, paused_until=None)
        case RhythmKind.WEEKLY if action.day is not None:
            return replace(current, rhythm=Rhythm.WEEKLY, weekly_day=action.day, paused_until=None)
        case RhythmKind.PAUSE:
            return replace(current, rhythm=Rhythm.PAUSED, paused_until=action.until)
        case RhythmKind.RESUME:
            return replace(current, rhythm=Rhythm.DAILY, paused_until=None)
        case RhythmKind.QUIET:
            return replace(current, quiet_hours=not current.quiet_hours)
        case _:
            return None


def _apply(
    session: Session,
    tr: Translator,
    labels: ReaderSettings,
    profile: Profile,
    action: RhythmAction,
    today: date,
) -> _Outcome:
    """Store what the press changes; the outcome to show."""
    chat_id = profile.chat_id
    answer, picking = "", action.kind if action.kind in _PICKERS else None
    if action.kind is RhythmKind.PAUSE and (
        action.until is None or not pause_allowed(action.until, today)
    ):
        answer, picking = tr.gettext(messages.BUTTON_EXPIRED), RhythmKind.PICK_PAUSE
    elif action.kind is RhythmKind.INSTANT and action.tag_id is not None:
        answer = _toggle_instant(session, tr, labels, chat_id, action.tag_id)
    elif (rhythm := _new_rhythm(profile.rhythm, action)) is not None:
        set_rhythm(session, chat_id, rhythm)
        if rhythm.rhythm != profile.rhythm.rhythm or action.kind is not RhythmKind.QUIET:
            answer = tr.gettext(messages.RHYTHM_DIGESTS, rhythm=rhythm_name(tr, rhythm))
    fresh = get_profile(session, chat_id) or profile
    return _Outcome(fresh, followed_tags(session, chat_id), answer, picking)


def _toggle_instant(
    session: Session, tr: Translator, labels: ReaderSettings, chat_id: int, tag_id: int
) -> str:
    names = {t.id: t.name for t in followed_tags(session, chat_id)}
    instant = toggle_instant(session, chat_id, tag_id) if is_stored_id(tag_id) else None
    if instant is None:
        return tr.gettext(messages.TAG_GONE)
    label = tr.chinese(labels.tag_label(names[tag_id], tr.lang))
    return tr.gettext(messages.INSTANT_ON if instant else messages.INSTANT_OFF, tag=label)


async def on_rhythm_button(update: Update, context: Context) -> None:
    """A rhythm button: open the screen, change the rhythm or a tag, or go back to /settings."""
    pressed = await pressed_button(update, context, parse_rhythm_data)
    if pressed is None:
        return
    query, reader, action = pressed
    deps = context.deps
    labels = deps.settings.reader
    profile = await ensure_profile(deps, reader)
    if action.kind is RhythmKind.TYPE_PAUSE:
        await await_answer(deps, reader.chat_id, reader.user_id, TYPE_PAUSE_DATA)
    elif action.kind in _ENDING_WAIT:
        await end_wait(deps, reader.chat_id, reader.user_id)
    if action.kind is RhythmKind.BACK:
        await edit_pressed(context.shown, query, *render_settings(reader.tr, labels, profile))
        await query.answer()
        return
    now = local_now(deps.clock(), profile.timezone)
    outcome = await run_db(
        deps, lambda s: _apply(s, reader.tr, labels, profile, action, now.date())
    )
    await edit_pressed(context.shown, query, *_render(deps, reader, outcome))
    await query.answer(outcome.answer)  # after the edit, so the reader sees the new state with it


def _render(deps: BotDeps, reader: Reader, outcome: _Outcome) -> tuple[str, InlineKeyboardMarkup]:
    """The rhythm screen after ``outcome``, at the reader's local now."""
    profile = outcome.profile
    screen = RhythmScreen(
        profile.rhythm,
        outcome.tags,
        local_now(deps.clock(), profile.timezone),
        profile.digest_time,
        outcome.picking,
    )
    return render_rhythm(reader.tr, deps.settings.reader, screen)


async def answer_pause_end(context: Context, reader: Reader, message: Message) -> bool:
    """The reader typed the day their pause ends: store it and reply with the rhythm screen;
    False (and why, with examples) when the text is no such day."""
    deps, tr = context.deps, reader.tr
    profile = await ensure_profile(deps, reader)
    today = local_now(deps.clock(), profile.timezone).date()
    try:
        until = parse_pause_end(message.text or "", today)
    except ScheduleInputError as error:
        value = html.escape(clip(error.value, ANSWER_ECHO))
        why = tr.gettext(error.message, value=value, today=tr.format_date(today))
        hint = tr.gettext(messages.ASK_CANCEL_HINT)
        await message.reply_text(f"{why}\n{hint}", parse_mode=ParseMode.HTML)
        return False
    action = RhythmAction(RhythmKind.PAUSE, until=until)
    outcome = await run_db(
        deps, lambda s: _apply(s, tr, deps.settings.reader, profile, action, today)
    )
    text, keyboard = _render(deps, reader, outcome)
    await message.reply_text(
        f"{outcome.answer}\n\n{text}", parse_mode=ParseMode.HTML, reply_markup=keyboard
    )
    return True


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add this module's handlers to ``application``."""
    application.add_handler(CallbackQueryHandler(on_rhythm_button, pattern=RHYTHM_BUTTONS))
