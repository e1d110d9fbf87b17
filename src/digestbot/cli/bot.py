"""``run``: the bot itself."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from digestbot.bot.run import run_bot
from digestbot.cli.context import settings_from
from digestbot.cli.sandbox import add_latency_options, cmd_sandbox
from digestbot.cli.values import port
from digestbot.config import Settings
from digestbot.logs import configure_logging
from digestbot.proxies import proxy_secrets

__all__ = ["add_bot_commands", "cmd_run", "cmd_worker"]


def cmd_run(args: argparse.Namespace) -> int:
    """Run the bot until Ctrl-C or SIGTERM."""
    settings = settings_from(args)
    token = settings.resolve_token()
    if not token and args.sandbox_without_token:
        print("no bot token configured: starting the local sandbox instead of Telegram")
        return cmd_sandbox(argparse.Namespace(**vars(args), no_bot=False))
    _configure_logging(settings, token, verbose=args.verbose)
    run_bot(settings, token)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """Plan and send digests until Ctrl-C or SIGTERM, receiving no updates."""
    settings = settings_from(args)
    token = settings.resolve_token()
    _configure_logging(settings, token, verbose=args.verbose)
    run_bot(settings, token, updates=False)
    return 0


def _configure_logging(settings: Settings, token: str, *, verbose: bool) -> None:
    configure_logging(
        logging.DEBUG if verbose else settings.logging.level,
        token,
        proxy_secrets(settings.telegram.proxy_url),
        json_lines=settings.logging.format == "json",
    )


def add_bot_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """Register ``run``."""
    run = commands.add_parser(
        "run",
        parents=[common],
        help="run the bot (long polling, or a webhook when webhook_url is set)",
        description="Run the bot until Ctrl-C or SIGTERM. The token comes from DIGESTBOT_TOKEN, "
        "[telegram] token_file or [telegram] token; DIGESTBOT_API_URL points it at another Bot "
        "API server such as the sandbox.",
    )
    run.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    run.add_argument(
        "--sandbox-without-token",
        action="store_true",
        help="when no token is configured, run the local sandbox instead (what `make run` does)",
    )
    run.add_argument("--host", default="127.0.0.1", help="sandbox address (127.0.0.1)")
    run.add_argument("--port", type=port, default=8081, help="sandbox port (8081)")
    add_latency_options(run, scope="in the sandbox, ")
    run.set_defaults(handler=cmd_run)

    worker = commands.add_parser(
        "worker",
        parents=[common],
        help="plan and send digests without receiving updates (beside `run`, on PostgreSQL)",
        description="Plan and send digests until Ctrl-C or SIGTERM, without receiving updates: "
        "add workers beside one `digestbot run` (or several behind a webhook) on a shared "
        "PostgreSQL database. Every process shares the outbox; one plans each tick.",
    )
    worker.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    worker.set_defaults(handler=cmd_worker)
