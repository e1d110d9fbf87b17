"""``sandbox``: the Bot API emulator on 127.0.0.1, with the bot running against it.

The sandbox uses the same database as every other command run with the same settings (SQLite at
``<data_dir>/digestbot.sqlite3`` by default), so ``digestbot search`` or ``stats`` see what it
loaded and who subscribed in it; its chats are kept beside that database. With no
``[paths] articles_dir`` it shows the demo articles that come with the package.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from digestbot.cli.context import settings_from
from digestbot.cli.sandbox_check import check_sandbox
from digestbot.logs import configure_logging, level_number
from digestbot.sandbox.emulator import DEFAULT_TOKEN, run_emulator_cli
from digestbot.sandbox.latency import seconds_problem
from digestbot.sandbox_app.host import (
    SandboxedBot,
    chats_file_for,
    database_name,
    run_sandboxed_bot,
    with_demo_articles,
)

__all__ = ["add_latency_options", "add_sandbox_commands", "announce_demo", "cmd_sandbox"]


def cmd_sandbox(args: argparse.Namespace) -> int:
    """Run the emulator alone (``--no-bot``) or with the bot on the settings' database."""
    if args.no_bot:
        return run_emulator_cli(
            host=args.host,
            port=args.port,
            token=args.token,
            record=args.record,
            latency=args.latency,
            jitter=args.jitter,
        )
    if getattr(args, "check", False):  # `run --sandbox-without-token` has no --check
        return check_sandbox(
            settings_from(args), args.database, latency=args.latency, jitter=args.jitter
        )
    settings, demo = with_demo_articles(settings_from(args))
    announce_demo(demo)
    chats_file = chats_file_for(settings)
    # quieter than `run` (the chat page is what one watches): warnings, or only errors when
    # [logging] level says so; -v: everything
    quiet = max(logging.WARNING, level_number(settings.logging.level))
    configure_logging(
        logging.DEBUG if args.verbose else quiet, json_lines=settings.logging.format == "json"
    )
    run_sandboxed_bot(
        settings,
        host=args.host,
        port=args.port,
        on_ready=_announce,
        latency=args.latency,
        jitter=args.jitter,
        chats_file=chats_file,
    )
    print("digestbot stopped", flush=True)
    return 0


def announce_demo(demo: Path | None) -> None:
    """Say, in one line, that the packaged demo articles stand in for an articles folder."""
    if demo is not None:
        print(
            "no [paths] articles_dir set: showing the demo articles that come with digestbot "
            f"({demo})",
            flush=True,
        )


def _announce(running: SandboxedBot) -> None:
    root = running.emulator.base_url
    if running.loaded is not None:
        print(f"articles: {running.loaded.summary()}")
    database = database_name(running.deps.settings.database_url)
    print(f"database: {database} (the other commands use it too, with the same settings)")
    print(f"digestbot is running against the sandbox Bot API at {root}")
    print(f"  chat with it in a browser: {root}/sandbox/ui/")
    print(f"  driver API (talk to the bot as a simulated user): {root}/sandbox/")
    print("Press Ctrl-C to stop.", flush=True)


def add_sandbox_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """Register ``sandbox``."""
    sandbox = commands.add_parser(
        "sandbox",
        parents=[common],
        help="run the bot against a local Telegram Bot API emulator (no token needed)",
        description="Start the Bot API emulator on 127.0.0.1 and the bot against it, with the "
        "articles folder (without [paths] articles_dir: the demo articles that come with "
        "digestbot) loaded into the database every command uses (<data_dir>/digestbot.sqlite3 "
        "unless --database or [database] url says otherwise). The emulator's chats are kept "
        "beside it, so a restart shows them again. With --no-bot, only the emulator runs.",
    )
    sandbox.add_argument("--no-bot", action="store_true", help="run the emulator alone")
    sandbox.add_argument(
        "--check",
        action="store_true",
        help="run a scripted conversation and a digest on a free port (a fresh SQLite database "
        "unless --database), print one line per step and exit 0 when all passed, 1 otherwise",
    )
    sandbox.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    sandbox.add_argument("--port", type=int, default=8081, help="port to listen on (8081)")
    sandbox.add_argument(
        "--token", default=DEFAULT_TOKEN, help="the bot token the emulator accepts (--no-bot)"
    )
    sandbox.add_argument(
        "--record", type=Path, metavar="FILE", help="append every request to FILE (JSON lines)"
    )
    add_latency_options(sandbox)
    sandbox.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sandbox.set_defaults(handler=cmd_sandbox)


def add_latency_options(parser: argparse.ArgumentParser, scope: str = "") -> None:
    """Add ``--latency`` and ``--jitter`` (seconds, 0..30): the emulator's network delay."""
    parser.add_argument(
        "--latency",
        type=_seconds,
        default=0.0,
        metavar="SECONDS",
        help=f"{scope}every Bot API call takes this long, as a far-away Telegram or a proxy "
        "would (0; at most 30)",
    )
    parser.add_argument(
        "--jitter",
        type=_seconds,
        default=0.0,
        metavar="SECONDS",
        help=f"{scope}every Bot API call takes a random 0..SECONDS more on top of --latency "
        "(0; at most 30)",
    )


def _seconds(text: str) -> float:
    """An argparse type: a non-negative float of seconds, at most 30."""
    try:
        value: object = float(text)
    except ValueError:
        value = text
    problem = seconds_problem(value)
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    return float(text)
