"""``digest send``: one tick and a whole drain of the outbox, for cron or a manual catch-up."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import Any

from telegram.error import InvalidToken, NetworkError

from digestbot.cli.context import open_store, settings_from
from digestbot.cli.values import seconds
from digestbot.delivery.sender import SenderError
from digestbot.delivery.tick import TELEGRAM_API, send_once, standalone_bot
from digestbot.errors import ConfigError
from digestbot.logs import configure_logging, level_number
from digestbot.proxies import proxy_secrets

__all__ = ["add_send_action", "cmd_digest_send"]


def cmd_digest_send(args: argparse.Namespace) -> int:
    """Plan what is due (``--now``: every active reader), send it all, print a summary line."""
    settings = settings_from(args)
    token = settings.resolve_token()
    if not token:
        raise ConfigError(
            "no bot token: set DIGESTBOT_TOKEN, DIGESTBOT_TOKEN_FILE, or [telegram] token or "
            "token_file in the config file"
        )
    # the sender's warnings (or only errors when [logging] level says so), the token and a
    # proxy's password redacted
    configure_logging(
        max(logging.WARNING, level_number(settings.logging.level)),
        token,
        proxy_secrets(settings.telegram.proxy_url),
        json_lines=settings.logging.format == "json",
    )
    sessions = open_store(settings)
    bot = standalone_bot(
        token, settings.telegram.api_url, proxy=settings.telegram.proxy_url or None
    )

    async def send() -> Any:
        try:
            await bot.initialize()
        except InvalidToken as exc:
            raise ConfigError("Telegram rejected the bot token") from exc
        except NetworkError as exc:
            where = settings.telegram.api_url or TELEGRAM_API
            raise SenderError(f"cannot reach the Bot API at {where}: {exc}") from exc
        try:
            return await send_once(settings, sessions, bot, force=args.now, linger=args.wait)
        finally:
            await bot.shutdown()

    report = asyncio.run(send())
    if report.sent_elsewhere:
        print(
            "another digestbot process is sending from this database: what was planned here "
            "goes out through the running bot, or with the next digest send",
            file=sys.stderr,
        )
    if report.planned is None:
        print("another process is planning; only the outbox was sent", file=sys.stderr)
    elif report.planned.digests:
        planned = report.planned
        print(f"planned {planned.digests} digests, {planned.messages} messages", file=sys.stderr)
    print(report.summary())
    return 1 if report.drained.failed else 0


def add_send_action(actions: Any, common: argparse.ArgumentParser) -> None:
    """Register ``digest send`` on the ``digest`` group's actions."""
    send = actions.add_parser(
        "send",
        parents=[common],
        help="plan due digests, send the outbox and exit",
        description="Run one tick: plan the digests that are due (--now: one for every active "
        "reader), then send every pending message at the configured rate, retrying as the bot "
        "does, and print 'sent N, failed N, blocked N, deferred N'. Deferred messages wait for a "
        "retry later than --wait and go out with the next send or the running bot. At start it "
        "takes back messages a killed run left in flight (SQLite: all of them; PostgreSQL: those "
        "of a process that has been gone for 3 s, while it sends). Beside a running bot on the "
        "same SQLite file it only plans, and the bot sends: one process sends from a SQLite "
        "outbox at a time. "
        "Needs the bot "
        "token (DIGESTBOT_TOKEN...) and uses DIGESTBOT_API_URL / [telegram] api_url if set. "
        "Exit status: 0 done, 1 some message failed for good.",
    )
    send.add_argument(
        "--now", action="store_true", help="a digest now for every active reader, due or not"
    )
    send.add_argument(
        "--wait",
        type=seconds,
        default=60.0,
        metavar="SECONDS",
        help="how long to wait for retries coming due before stopping (60)",
    )
    send.set_defaults(handler=cmd_digest_send)
