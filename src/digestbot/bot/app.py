"""Building the python-telegram-bot Application: handlers, command menus, the error handler.

Handler modules each expose ``register(application)``; their order below is the order PTB tries
them in. Callback data is ``<prefix>:<payload>`` (at most 64 bytes); each prefix belongs to one
module: ``lang`` (start), ``tag``/``set``/``sub`` (preferences), ``s`` (search), ``r`` (read),
``d`` (digest). The fallback module answers any other callback query and unknown commands.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

from digestbot.bot.deps import DEPS_KEY, BotDeps
from digestbot.bot.errors import on_error
from digestbot.bot.handlers import (
    admin,
    digest,
    fallback,
    group_admin,
    help,
    inline,
    preferences,
    read,
    search,
    start,
)
from digestbot.bot.menu import register_command_menus
from digestbot.delivery.jobs import register as register_delivery_jobs

__all__ = ["HANDLER_MODULES", "PtbApplication", "build_application"]

PtbApplication = Application[Any, Any, Any, Any, Any, Any]

HANDLER_MODULES = (
    group_admin, start, help, preferences, search, read, inline, digest, admin, fallback,
)  # fmt: skip


def build_application(deps: BotDeps, token: str, *, api_url: str = "") -> PtbApplication:
    """The bot, ready for ``run_polling``/``run_webhook`` (or ``async with`` in tests).

    ``api_url`` is a Bot API server root other than Telegram's (the sandbox, a self-hosted
    telegram-bot-api); the bot appends ``/bot<token>/<method>`` to it.
    """
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        Application.builder()
        .token(token)
        .rate_limiter(AIORateLimiter(max_retries=5))
        .post_init(_post_init)
    )
    if api_url:
        builder = builder.base_url(f"{api_url}/bot").base_file_url(f"{api_url}/file/bot")
    application = builder.build()
    application.bot_data[DEPS_KEY] = deps
    for module in HANDLER_MODULES:
        module.register(application)
    register_delivery_jobs(application)
    application.add_error_handler(on_error)
    return application


async def _post_init(application: PtbApplication) -> None:
    await register_command_menus(application.bot)
