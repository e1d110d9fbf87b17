"""``healthcheck``: ask a running bot's monitoring endpoint (``GET /readyz``) whether it is ready.

Docker's HEALTHCHECK runs it beside the bot. It only asks the bot process over HTTP (stdlib
urllib, no proxy: the endpoint is local), so it costs no database connection and no Bot API call;
the bot's own readiness checks say whether those work.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from digestbot.cli.context import settings_from
from digestbot.cli.output import quoted
from digestbot.config import parse_address
from digestbot.errors import ConfigError

__all__ = [
    "Verdict",
    "add_healthcheck_command",
    "ask_ready",
    "cmd_healthcheck",
    "probe_url",
    "read_answer",
]

READY_PATH = "/readyz"
_MAX_BODY = 64 * 1024  # a readiness answer is a few hundred bytes
_MAX_SHOWN = 200  # characters of an unexpected body shown in the line
# A listen address that means "every interface" is asked on the loopback of the same family.
_LOOPBACK = {"0.0.0.0": "127.0.0.1", "::": "::1"}


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether the bot is ready, and the one line that says so (or why not)."""

    ready: bool
    line: str


def probe_url(address: str) -> str:
    """The readiness URL for the monitoring listen ``address`` (``host:port``)."""
    host, port = parse_address(address, "the monitoring address")
    host = _LOOPBACK.get(host, host)
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}{READY_PATH}"


def read_answer(status: int, body: bytes) -> Verdict:
    """The verdict on an HTTP answer: 200 is ready; otherwise the failing checks of the JSON
    body (``{"ready": ..., "checks": {name: {"ok": ..., "detail": ...}}}``), else what came."""
    if status == 200:
        return Verdict(True, "ready")
    failing = _failing_checks(body)
    if failing:
        return Verdict(False, f"not ready: {'; '.join(failing)}")
    shown = _one_line(body.decode("utf-8", errors="replace"))
    if len(shown) > _MAX_SHOWN:
        shown = shown[: _MAX_SHOWN - 1] + "…"
    return Verdict(False, f"not ready: HTTP {status}" + (f": {shown}" if shown else ""))


def ask_ready(url: str, timeout: float) -> Verdict:
    """GET ``url`` within ``timeout`` seconds and judge the answer; never raises for network
    trouble (that is a verdict too)."""
    try:
        status, body = _fetch(url, timeout)
    except (OSError, http.client.HTTPException) as exc:
        reason = _why_unreachable(exc, timeout)
        return Verdict(False, f"cannot reach the monitoring endpoint at {url}: {reason}")
    return read_answer(status, body)


def cmd_healthcheck(args: argparse.Namespace) -> int:
    """Print one line; 0 when the bot answered 200 (ready), 1 otherwise."""
    if args.address is not None:
        address, source = args.address.strip(), "--address"
    else:
        address, source = settings_from(args).monitoring.address.strip(), "[monitoring] address"
    if not address:
        print(f"monitoring is off ({source} is empty): there is no endpoint to ask")
        return 1
    verdict = ask_ready(probe_url(address), args.timeout)
    print(verdict.line)
    return 0 if verdict.ready else 1


def add_healthcheck_command(commands: Any, common: argparse.ArgumentParser) -> None:
    """Register ``healthcheck``."""
    health = commands.add_parser(
        "healthcheck",
        parents=[common],
        help="ask the running bot's monitoring endpoint whether it is ready (for Docker)",
        description="GET /readyz from the bot's monitoring endpoint ([monitoring] address, or "
        "$DIGESTBOT_MONITORING_ADDRESS; a 0.0.0.0 or :: listen address is asked on 127.0.0.1 or "
        "::1) and print one line: 'ready', 'not ready: ' and the failing checks, or why the "
        "endpoint cannot be reached. Exit status: 0 ready (HTTP 200), 1 anything else, "
        "monitoring off included.",
    )
    health.add_argument(
        "--address",
        type=_address,
        metavar="HOST:PORT",
        help="the monitoring address to ask (default: [monitoring] address from the settings)",
    )
    health.add_argument(
        "--timeout",
        type=_seconds,
        default=5.0,
        metavar="SECONDS",
        help="give up when no answer came within this many seconds (default: 5)",
    )
    health.set_defaults(handler=cmd_healthcheck)


def _fetch(url: str, timeout: float) -> tuple[int, bytes]:
    """The status and (the start of) the body of ``GET url``; network trouble raises."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.read(_MAX_BODY)
    except urllib.error.HTTPError as exc:  # an answer all the same, such as 503
        try:
            return exc.code, exc.read(_MAX_BODY)
        finally:
            exc.close()


def _failing_checks(body: bytes) -> list[str]:
    """``name: detail`` of each check the readiness JSON marks not ok (none if not that JSON)."""
    try:
        answer = json.loads(body)
    except ValueError:
        return []
    checks = answer.get("checks") if isinstance(answer, dict) else None
    if not isinstance(checks, dict):
        return []
    failing = []
    for name, check in checks.items():
        if isinstance(check, dict) and check.get("ok") is not True:
            detail = _one_line(str(check.get("detail") or ""))
            failing.append(f"{name}: {detail}" if detail else str(name))
    return failing


def _why_unreachable(exc: BaseException, timeout: float) -> str:
    """A short reason for a failed request, without a traceback."""
    if isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, BaseException):
        exc = exc.reason
    if isinstance(exc, TimeoutError):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "the connection was closed without an answer"
    if isinstance(exc, http.client.BadStatusLine):
        return f"not an HTTP answer: {_one_line(str(exc))[:_MAX_SHOWN]!r}"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return _one_line(str(exc)) or type(exc).__name__


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _address(text: str) -> str:
    """``--address``: ``host:port``, or empty for "monitoring is off"."""
    if text.strip():
        try:
            parse_address(text, "--address")
        except ConfigError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from exc
    return text


def _seconds(text: str) -> float:
    """``--timeout``: a positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < math.inf:  # also refuses nan
        raise argparse.ArgumentTypeError(
            f"expected a number of seconds above 0, got {quoted(text)}"
        )
    return value
