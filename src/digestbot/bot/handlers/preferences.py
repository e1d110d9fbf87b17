"""Handlers: /tags, /subscribe, /unsubscribe, /settings and their buttons.

After "change time" or "change time zone" the question offers buttons (common times, zones for
the reader's language) and the next plain text of that user in that chat is the answer too
(:mod:`digestbot.bot.handlers.replies` hands it to :func:`answer_schedule`).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from typing import Any, TypeVar

from sqlalchemy.orm import Session
from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
)

from digestbot import messages
from digestbot.bot.context import Context
from digestbot.bot.conversation import await_answer, end_wait
from digestbot.bot.deps import BotDeps, run_db
from digestbot.bot.edits import edit_pressed
from digestbot.bot.ids import is_stored_id
from digestbot.bot.reader import Reader, load_reader
from digestbot.bot.schedule_input import (
    ScheduleInputError,
    parse_digest_time,
    parse_time_zone,
)
from digestbot.bot.views.preferences import (
    SCHEDULE_BUTTONS,
    SETTINGS_BUTTONS,
    TAG_BUTTONS,
    SettingsAction,
    parse_schedule_data,
    parse_settings_data,
    parse_tag_data,
    render_settings,
    render_tags,
    render_tags_done,
    render_time_choice,
    render_zone_choice,
    schedule_text,
)
from digestbot.bot.views.search import clip
from digestbot.bot.views.start import render_language_choice
from digestbot.i18n import Translator
from digestbot.store.models import SubscriberState
from digestbot.store.subscribers import (
    Profile,
    ensure_subscriber,
    get_profile,
    set_other_language,
    set_schedule,
    set_state,
    tag_catalog,
    toggle_tag_id,
)

__all__ = [
    "ANSWER_ECHO",
    "Subscription",
    "answer_schedule",
    "ensure_profile",
    "pressed_button",
    "register",
    "send_tags",
    "subscribe_reader",
]

T = TypeVar("T")
ANSWER_ECHO = 40  # characters of a wrong answer repeated back (a reply may be 4096 long)


@dataclass(frozen=True, slots=True)
class Subscription:
    """The reader's profile after subscribing: whether it is new, whether it was inactive."""

    profile: Profile
    created: bool
    resubscribed: bool

    @property
    def changed(self) -> bool:
        """Whether the chat was not receiving digests before."""
        return self.created or self.resubscribed


def _ensure(session: Session, deps: BotDeps, reader: Reader) -> tuple[Profile, bool]:
    digest = deps.settings.digest
    return ensure_subscriber(
        session,
        reader.chat_id,
        user_id=reader.user_id,
        language=reader.lang,
        script=reader.script,
        timezone=digest.timezone,
        digest_time=digest.time,
        now=deps.clock(),
    )


async def ensure_profile(deps: BotDeps, reader: Reader) -> Profile:
    """The reader's profile, created (subscribed, configured defaults) if they have none."""
    profile, _ = await run_db(deps, lambda session: _ensure(session, deps, reader))
    return profile


async def subscribe_reader(deps: BotDeps, reader: Reader) -> Subscription:
    """Make the reader's chat receive digests (creating the profile if needed)."""

    def work(session: Session) -> Subscription:
        profile, created = _ensure(session, deps, reader)
        resubscribed = profile.state is not SubscriberState.ACTIVE
        if resubscribed:
            profile = set_state(session, reader.chat_id, SubscriberState.ACTIVE)
        return Subscription(profile, created, resubscribed)

    return await run_db(deps, work)


async def send_tags(context: Context, chat_id: int, tr: Translator) -> None:
    """Send the /tags message (first page) to ``chat_id``."""
    deps = context.deps
    tags, profile = await run_db(deps, lambda s: (tag_catalog(s), get_profile(s, chat_id)))
    followed = profile.tags if profile is not None else ()
    text, keyboard = render_tags(tr, deps.settings.reader, tags, followed)
    await context.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=keyboard)


async def _reply(update: Update, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(
            text, parse_mode=ParseMode.HTML, reply_markup=keyboard
        )


async def _reader(update: Update, context: Context) -> Reader | None:
    return await load_reader(update, context.deps)


async def on_tags(update: Update, context: Context) -> None:
    """/tags: every tag as a toggle button."""
    reader = await _reader(update, context)
    if reader is not None:
        await ensure_profile(context.deps, reader)
        await send_tags(context, reader.chat_id, reader.tr)


async def on_subscribe(update: Update, context: Context) -> None:
    """/subscribe: the daily digest on (or say it already is)."""
    reader = await _reader(update, context)
    if reader is not None:
        subscription = await subscribe_reader(context.deps, reader)
        if subscription.changed:
            await _reply(
                update, schedule_text(reader.tr, messages.SUBSCRIBED, subscription.profile)
            )
        else:
            await _reply(update, reader.tr.gettext(messages.ALREADY_SUBSCRIBED))


async def _unsubscribe(deps: BotDeps, chat_id: int) -> bool:
    """Stop the chat's digest; whether it was on."""

    def work(session: Session) -> bool:
        profile = get_profile(session, chat_id)
        if profile is None or profile.state is not SubscriberState.ACTIVE:
            return False
        set_state(session, chat_id, SubscriberState.UNSUBSCRIBED)
        return True

    return await run_db(deps, work)


async def on_unsubscribe(update: Update, context: Context) -> None:
    """/unsubscribe: the daily digest off (or say it was not on)."""
    reader = await _reader(update, context)
    if reader is not None:
        stopped = await _unsubscribe(context.deps, reader.chat_id)
        message = messages.UNSUBSCRIBED if stopped else messages.NOT_SUBSCRIBED
        await _reply(update, reader.tr.gettext(message))


async def on_settings(update: Update, context: Context) -> None:
    """/settings: every setting with a button to change it."""
    reader = await _reader(update, context)
    if reader is not None:
        deps = context.deps
        profile = await ensure_profile(deps, reader)
        await _reply(update, *render_settings(reader.tr, deps.settings.reader, profile))


async def pressed_button(
    update: Update, context: Context, parse: Callable[[str], T | None]
) -> tuple[CallbackQuery, Reader, T] | None:
    """The pressed query, its reader and its parsed data; data it cannot parse is answered."""
    query = update.callback_query
    reader = await _reader(update, context)
    if query is None or reader is None:
        return None
    parsed = parse(query.data or "")
    if parsed is None:
        await query.answer(reader.tr.gettext(messages.BUTTON_EXPIRED))
        return None
    return query, reader, parsed


async def on_tag_button(update: Update, context: Context) -> None:
    """A /tags button: toggle a tag, turn the page, or finish; stale tags are said to be gone."""
    pressed = await pressed_button(update, context, parse_tag_data)
    if pressed is None:
        return
    query, reader, action = pressed
    deps = context.deps
    labels = deps.settings.reader
    profile = await ensure_profile(deps, reader)
    answer = ""
    if action.tag_id is not None:
        tag_id = action.tag_id
        toggled = (  # a forged number no tag can have is a tag that is gone
            await run_db(deps, lambda s: toggle_tag_id(s, reader.chat_id, tag_id))
            if is_stored_id(tag_id)
            else None
        )
        if toggled is None:
            answer = reader.tr.gettext(messages.TAG_GONE)
        else:
            profile, name = toggled
            done = messages.TAG_FOLLOWED if name in profile.tags else messages.TAG_UNFOLLOWED
            answer = reader.tr.gettext(
                done, tag=reader.tr.chinese(labels.tag_label(name, reader.lang))
            )
    if action.done:
        await edit_pressed(context.shown, query, render_tags_done(reader.tr, labels, profile.tags))
    else:
        tags = await run_db(deps, tag_catalog)
        await edit_pressed(
            context.shown, query, *render_tags(reader.tr, labels, tags, profile.tags, action.page)
        )
    await query.answer(answer)  # after the edit, so the reader sees the new state with it


async def on_settings_button(update: Update, context: Context) -> None:
    """A /settings button: change the language, tags, time, time zone, subscription or
    whether articles only in the other language are shown."""
    pressed = await pressed_button(update, context, parse_settings_data)
    if pressed is None:
        return
    query, reader, action = pressed
    if action in (SettingsAction.SUBSCRIBE, SettingsAction.UNSUBSCRIBE):
        await _toggle_subscription(query, context, reader, action)
        return
    if action in (SettingsAction.SHOW_OTHER_LANGUAGE, SettingsAction.HIDE_OTHER_LANGUAGE):
        await _set_other_language(query, context, reader, action)
        return
    await query.answer()
    if action is SettingsAction.LANGUAGE:
        text, keyboard = render_language_choice(reader.tr)
        await context.bot.send_message(reader.chat_id, text, reply_markup=keyboard)
    elif action is SettingsAction.TAGS:
        await send_tags(context, reader.chat_id, reader.tr)
    else:
        await await_answer(context.deps, reader.chat_id, reader.user_id, action)
        profile = await ensure_profile(context.deps, reader)
        render = render_time_choice if action is SettingsAction.TIME else render_zone_choice
        text, keyboard = render(reader.tr, profile)
        await context.bot.send_message(
            reader.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=keyboard
        )


async def on_schedule_button(update: Update, context: Context) -> None:
    """A time or zone button under the question: store it, or ask to type it ("other")."""
    pressed = await pressed_button(update, context, parse_schedule_data)
    if pressed is None:
        return
    query, reader, choice = pressed
    tr = reader.tr
    if choice.other:
        await await_answer(context.deps, reader.chat_id, reader.user_id, choice.action)
        typed = (
            messages.ASK_DIGEST_TIME_TYPED
            if choice.action is SettingsAction.TIME
            else messages.ASK_TIME_ZONE_TYPED
        )
        await edit_pressed(
            context.shown, query, f"{tr.gettext(typed)}\n{tr.gettext(messages.ASK_CANCEL_HINT)}"
        )
        await query.answer()
        return
    await end_wait(context.deps, reader.chat_id, reader.user_id)
    await edit_pressed(
        context.shown,
        query,
        *await _store_schedule(context, reader, choice.timezone, choice.digest_time),
    )
    await query.answer()


async def _toggle_subscription(
    query: CallbackQuery, context: Context, reader: Reader, action: SettingsAction
) -> None:
    """Subscribe or unsubscribe from /settings; the settings message follows."""
    deps = context.deps
    if action is SettingsAction.SUBSCRIBE:
        subscription = await subscribe_reader(deps, reader)
        changed, profile = subscription.changed, subscription.profile
        answer = (
            schedule_text(reader.tr, messages.SUBSCRIBED, profile)
            if changed
            else reader.tr.gettext(messages.ALREADY_SUBSCRIBED)
        )
    else:
        changed = await _unsubscribe(deps, reader.chat_id)
        profile = await ensure_profile(deps, reader)
        answer = reader.tr.gettext(messages.UNSUBSCRIBED if changed else messages.NOT_SUBSCRIBED)
    if changed:
        await edit_pressed(
            context.shown, query, *render_settings(reader.tr, deps.settings.reader, profile)
        )
    await query.answer(answer)


async def _set_other_language(
    query: CallbackQuery, context: Context, reader: Reader, action: SettingsAction
) -> None:
    """Show or hide articles only in the other language; the settings message follows."""
    deps = context.deps
    on = action is SettingsAction.SHOW_OTHER_LANGUAGE
    await ensure_profile(deps, reader)
    profile = await run_db(deps, lambda s: set_other_language(s, reader.chat_id, on))
    await edit_pressed(
        context.shown, query, *render_settings(reader.tr, deps.settings.reader, profile)
    )
    done = messages.OTHER_LANGUAGE_SHOWN if on else messages.OTHER_LANGUAGE_HIDDEN
    await query.answer(reader.tr.gettext(done))


async def answer_schedule(
    update: Update, context: Context, reader: Reader, awaiting: object, text: str
) -> bool:
    """Store the reply as the digest time or time zone; False (and why) when it is not one."""
    tr = reader.tr
    try:
        digest_time = parse_digest_time(text) if awaiting is SettingsAction.TIME else None
        timezone = parse_time_zone(text) if awaiting is SettingsAction.TIME_ZONE else None
    except ScheduleInputError as error:
        hint = tr.gettext(messages.ASK_CANCEL_HINT)
        value = html.escape(clip(error.value, ANSWER_ECHO))
        await _reply(update, f"{tr.gettext(error.message, value=value)}\n{hint}")
        return False
    await _reply(update, *await _store_schedule(context, reader, timezone, digest_time))
    return True


async def _store_schedule(
    context: Context, reader: Reader, timezone: str | None, digest_time: time | None
) -> tuple[str, InlineKeyboardMarkup]:
    """Store the new time or zone; the confirmation with the settings and their buttons."""
    deps = context.deps
    await ensure_profile(deps, reader)
    profile = await run_db(
        deps,
        lambda s: set_schedule(s, reader.chat_id, timezone=timezone, digest_time=digest_time),
    )
    done = schedule_text(reader.tr, messages.DIGEST_TIME_SET, profile)
    settings, keyboard = render_settings(reader.tr, deps.settings.reader, profile)
    return f"{done}\n\n{settings}", keyboard


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add this module's handlers to ``application``."""
    application.add_handler(CommandHandler("tags", on_tags))
    application.add_handler(CommandHandler("subscribe", on_subscribe))
    application.add_handler(CommandHandler("unsubscribe", on_unsubscribe))
    application.add_handler(CommandHandler("settings", on_settings))
    application.add_handler(CallbackQueryHandler(on_tag_button, pattern=TAG_BUTTONS))
    application.add_handler(CallbackQueryHandler(on_settings_button, pattern=SETTINGS_BUTTONS))
    application.add_handler(CallbackQueryHandler(on_schedule_button, pattern=SCHEDULE_BUTTONS))
