"""Running the bot until SIGINT/SIGTERM: long polling, or a webhook when one is configured."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

from sqlalchemy import Engine
from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError

from digestbot.bot.app import build_application
from digestbot.bot.deps import BotDeps
from digestbot.bot.runtime import Runtime
from digestbot.bot.serve import long_polling, no_updates, serving, until_signalled, webhook
from digestbot.config import Settings, TelegramSettings
from digestbot.delivery.proxy import ptb_request
from digestbot.delivery.tick import standalone_bot
from digestbot.errors import ConfigError, DigestbotError
from digestbot.logs import redact_also, settings_secrets
from digestbot.proxies import redact_url
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema
from digestbot.store.leases import Lease

__all__ = ["check_token", "run_bot", "webhook_settings"]

log = logging.getLogger(__name__)

NO_TOKEN = (
    "no bot token configured: set DIGESTBOT_TOKEN, [telegram] token_file or [telegram] token "
    "in the config file (or try the bot without one: digestbot sandbox)"
)


def run_bot(settings: Settings, token: str, *, updates: bool = True) -> None:
    """Serve until SIGINT/SIGTERM (one during the start stops it too); raises DigestbotError
    with a clear message when it cannot. ``updates``: receive them (``digestbot run``), else
    only plan and send (``digestbot worker``)."""
    if not token:
        raise ConfigError(NO_TOKEN)
    redact_also(*settings_secrets(settings))
    engine = create_engine_for(settings.database_url, echo=settings.database.echo)
    upgrade_schema(engine)
    server = settings.telegram.api_url or "Telegram"
    try:
        asyncio.run(until_signalled(_bot(settings, token, engine, updates=updates)))
    except InvalidToken:
        raise ConfigError(f"the Bot API server ({server}) rejected the bot token") from None
    except NetworkError as exc:
        raise DigestbotError(f"cannot reach the Bot API server ({server}): {exc.message}") from None
    except TelegramError as exc:  # such as setWebhook refused: a clear line, not a traceback
        raise DigestbotError(f"the Bot API server ({server}) said: {exc.message}") from None
    finally:
        engine.dispose()


@asynccontextmanager
async def _bot(
    settings: Settings, token: str, engine: Engine, *, updates: bool
) -> AsyncIterator[Runtime]:
    """Check the token through both clients, then serve: by the webhook, by long polling while
    this process holds the database's updates lease, or (not ``updates``) without updates."""
    telegram = settings.telegram
    proxy = telegram.proxy_url or None
    if proxy is not None:
        log.info("every Bot API call goes through the proxy %s", redact_url(proxy))
    username = await check_token(token, telegram.api_url, proxy=proxy)
    log.info("the Bot API server knows this bot as @%s", username)
    deps = BotDeps(settings=settings, sessions=session_factory(engine))
    application = build_application(deps, token, api_url=telegram.api_url, proxy=proxy)
    if not updates:
        receive = no_updates()
    elif telegram.webhook_url:
        log.info("starting with a webhook at %s", telegram.webhook_url)
        receive = webhook(webhook_settings(telegram))
    else:
        log.info("starting with long polling against %s", telegram.api_url or "Telegram")
        receive = long_polling(lease=Lease(engine, "updates"))
    async with serving(application, receive) as runtime:
        yield runtime


def webhook_settings(telegram: TelegramSettings) -> TelegramSettings:
    """``telegram`` with a webhook secret in force: the configured one, else a random one for
    this start (Telegram sends back whatever setWebhook gave it), with a warning, since several
    processes sharing one webhook need one fixed secret. The secret is never logged."""
    if telegram.webhook_secret:
        return telegram
    secret = secrets.token_urlsafe(32)  # A-Z, a-z, 0-9, _ and -: what Telegram accepts
    redact_also(secret)
    log.warning(
        "no [telegram] webhook_secret configured: this run uses a random one, so only Telegram "
        "can post updates; set one when several processes share the webhook"
    )
    return replace(telegram, webhook_secret=secret)


async def check_token(token: str, api_url: str = "", *, proxy: str | None = None) -> str:
    """The bot's username per ``getMe``, asked through both clients the bot uses (the
    application's and the outbox sender's, each through ``proxy`` when one is set); a one-line
    DigestbotError when either cannot get an answer or the server says no."""
    server = api_url or "Telegram"
    base_url = f"{api_url}/bot" if api_url else "https://api.telegram.org/bot"
    bot = Bot(
        token,
        base_url=base_url,
        request=ptb_request(proxy),
        get_updates_request=ptb_request(proxy, connection_pool_size=1),
    )
    sender = standalone_bot(token, api_url, proxy=proxy)
    try:
        # both getMe at once: on a slow link the start waits for one round trip, not two
        outcomes = await asyncio.gather(
            bot.initialize(), sender.initialize(), return_exceptions=True
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        return bot.username
    except InvalidToken:
        raise ConfigError(f"the Bot API server ({server}) rejected the bot token") from None
    except NetworkError as exc:
        raise DigestbotError(f"cannot reach the Bot API server ({server}): {exc.message}") from None
    finally:
        await asyncio.gather(bot.shutdown(), sender.shutdown())
