"""``doctor``: check the installation and say what is wrong and how to fix it."""

from __future__ import annotations

import argparse
from typing import Any

from digestbot.cli.context import settings_from
from digestbot.config import Settings
from digestbot.doctor import Finding, Status, check_catalogs, settings_findings
from digestbot.errors import ConfigError, DigestbotError
from digestbot.logs import redact, settings_secrets

__all__ = ["add_doctor_command", "cmd_doctor"]


def cmd_doctor(args: argparse.Namespace) -> int:
    """Print one line per check, never the token or another secret of the settings (its
    output is the Docker health check's, which ``docker inspect`` shows); 0 when nothing
    failed, 1 otherwise."""
    token = ""
    secrets: tuple[str, ...] = ()
    try:
        settings = settings_from(args)
    except ConfigError as exc:
        fix = "correct the file (config/digestbot.toml documents every setting)"
        findings = [Finding("config", Status.FAIL, str(exc), fix), check_catalogs()]
    else:
        token, secrets = _secrets(settings)
        source = str(settings.source) if settings.source else "built-in defaults"
        findings = [
            Finding("config", Status.OK, f"loaded {source}"),
            *settings_findings(settings, ask_server=not args.quick),
        ]
    for finding in findings:
        print(redact(finding.line(), token, secrets), flush=True)
    failed = sum(f.status is Status.FAIL for f in findings)
    warned = sum(f.status is Status.WARN for f in findings)
    print(f"{failed} failed, {warned} to look at, {len(findings) - failed - warned} ok")
    return 1 if failed else 0


def _secrets(settings: Settings) -> tuple[str, tuple[str, ...]]:
    """The token (empty when it cannot be read) and the other secrets, to keep out of output."""
    try:
        token = settings.resolve_token()
    except DigestbotError:
        token = ""
    return token, settings_secrets(settings)


def add_doctor_command(commands: Any, common: argparse.ArgumentParser) -> None:
    """Register ``doctor``."""
    doctor = commands.add_parser(
        "doctor",
        parents=[common],
        help="check the configuration, database, catalogs and token; say how to fix problems",
        description="Check the settings (paths, articles folder, schedule, webhook), the "
        "database (opens, schema current), the translation catalogs and the bot token (asks "
        "the configured Bot API server with getMe unless --quick). One line per check: ok, "
        "warn or FAIL with how to fix it. Exit status: 0 nothing failed, 1 something did.",
    )
    doctor.add_argument(
        "--quick",
        action="store_true",
        help="do not contact the Bot API server (for health checks without network)",
    )
    doctor.set_defaults(handler=cmd_doctor)
