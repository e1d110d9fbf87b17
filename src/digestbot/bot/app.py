"""Building the python-telegram-bot Application: handlers, the error handler, the runtime.

Handler modules each expose ``register(application)``; their order below is the order PTB tries
them in. Callback data is ``<prefix>:<payload>`` (at most 64 bytes); each prefix belongs to one
module: ``lang`` (start), ``rh`` (rhythm), ``tag``/``set``/``sub``/``time``/``tz`` (preferences),
``s`` (search),
``r`` (read), ``d`` (digest). The fallback module answers any other callback query and unknown
commands.
"""

from __future__ import annotations

from typing import Any, cast

from telegram.ext import Application

from digestbot.bot.context import CONTEXT_TYPES, BotApplication
from digestbot.bot.deps import BotDeps
from digestbot.bot.errors import on_error
from digestbot.bot.handlers import (
    admin,
    alerts,
    digest,
    fallback,
    group_admin,
    help,
    inline,
    preferences,
    read,
    replies,
    rhythm,
    search,
    start,
)
from digestbot.bot.rate_limit import PacedRateLimiter
from digestbot.bot.runtime import Runtime
from digestbot.bot.updates import PerChatUpdateProcessor
from digestbot.delivery.pacing import ChatPace, send_rate
from digestbot.delivery.proxy import ptb_request
from digestbot.delivery.tick import standalone_bot
from digestbot.monitoring.bot_api import ApiWatch
from digestbot.monitoring.metrics import Client, Metrics
from digestbot.monitoring.store_metrics import StoreCollector

__all__ = ["HANDLER_MODULES", "BotApplication", "PtbApplication", "build_application"]

PtbApplication = BotApplication

HANDLER_MODULES = (
    group_admin, replies, start, help, rhythm, preferences, search, read, inline, digest, admin,
    alerts, fallback,
)  # fmt: skip


def build_application(
    deps: BotDeps, token: str, *, api_url: str = "", proxy: str | None = None
) -> BotApplication:
    """The bot, ready to be served (:func:`digestbot.bot.serve.serving`).

    ``api_url`` is a Bot API server root other than Telegram's (the sandbox, a self-hosted
    telegram-bot-api); the bot appends ``/bot<token>/<method>`` to it. ``proxy`` (the settings'
    ``telegram.proxy_url``, resolved at load) carries every Bot API call: the application's and
    the outbox sender's. Both send on one :class:`ChatPace`.
    """
    delivery = deps.settings.delivery
    rate = send_rate(delivery.rate_per_second, paid_broadcast=delivery.paid_broadcast)
    pace = ChatPace.for_rate(rate, delivery.per_chat_interval)
    metrics = Metrics()
    metrics.registry.register(StoreCollector(deps.sessions, deps.clock))
    api_watch = ApiWatch(metrics)
    watch_bot = api_watch.observer(Client.BOT)
    watch_sender = api_watch.observer(Client.SENDER)
    limiter = PacedRateLimiter(pace, metrics)
    builder = (
        Application.builder()
        .token(token)
        .context_types(CONTEXT_TYPES)
        .rate_limiter(limiter)
        .concurrent_updates(PerChatUpdateProcessor())
        .request(ptb_request(proxy, watch_bot))
        .get_updates_request(ptb_request(proxy, watch_bot, connection_pool_size=1))
    )
    if api_url:
        builder = builder.base_url(f"{api_url}/bot").base_file_url(f"{api_url}/file/bot")
    application = cast(BotApplication, builder.build())  # PTB cannot infer the JobQueue's type

    def sender_bot() -> Any:
        return standalone_bot(token, api_url, proxy=proxy, observer=watch_sender)

    application.bot_data.deps = deps
    application.bot_data.metrics = metrics
    application.bot_data.api_watch = api_watch
    runtime = Runtime(deps, application.job_queue, sender_bot, pace, metrics)
    limiter.on_flood_wait = runtime.on_flood_wait
    application.bot_data.runtime = runtime
    for module in HANDLER_MODULES:
        module.register(application)
    application.add_error_handler(on_error)
    return application
