"""The monitoring endpoint of one bot process (tornado, already there for the webhook):

- ``GET /healthz``: 200 ``ok`` while the event loop answers (liveness);
- ``GET /readyz``: 200 or 503 with ``{"ready": ..., "checks": {name: {"ok", "detail"}}}``;
- ``GET /metrics``: Prometheus' text format.

It starts before the bot (so a slow start is visible: live, not ready) and stops after it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client.exposition import CONTENT_TYPE_LATEST
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

from digestbot.errors import ConfigError
from digestbot.monitoring.metrics import Metrics
from digestbot.monitoring.readiness import Check, readiness_body

__all__ = ["MonitoringServer", "Readiness"]

Readiness = Callable[[], Awaitable[dict[str, Check]]]
_log = logging.getLogger(__name__)


class _Health(RequestHandler):
    def get(self) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish("ok\n")


class _Ready(RequestHandler):
    def initialize(self, readiness: Readiness) -> None:
        self.readiness = readiness

    async def get(self) -> None:
        ready, body = readiness_body(await self.readiness())
        self.set_status(200 if ready else 503)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, ensure_ascii=False))


class _Metrics(RequestHandler):
    def initialize(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def get(self) -> None:
        # store figures are read from the database: on a thread, off the event loop
        text = await asyncio.to_thread(self.metrics.exposition)
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.finish(text)


class MonitoringServer:
    """``/healthz``, ``/readyz`` and ``/metrics`` on ``host:port`` (port 0: any free one)."""

    def __init__(self, host: str, port: int, metrics: Metrics, readiness: Readiness) -> None:
        self.host = host
        self.port = port
        routes: list[Any] = [
            (r"/healthz", _Health),
            (r"/readyz", _Ready, {"readiness": readiness}),
            (r"/metrics", _Metrics, {"metrics": metrics}),
        ]
        self._server = HTTPServer(Application(routes, log_function=_quiet))

    async def start(self) -> None:
        """Listen; a busy or unusable address is a one-line ConfigError naming the setting."""
        try:
            sockets = bind_sockets(self.port, self.host, family=socket.AF_UNSPEC)
        except OSError as exc:
            raise ConfigError(
                f"[monitoring] address {self.host}:{self.port} cannot be used: "
                f"{exc.strerror or exc} (set another, or empty to turn monitoring off)"
            ) from None
        self.port = sockets[0].getsockname()[1]
        self._server.add_sockets(sockets)
        _log.info("monitoring at http://%s:%d/ (healthz, readyz, metrics)", self.host, self.port)

    async def stop(self) -> None:
        """Stop listening and close open connections."""
        self._server.stop()
        await self._server.close_all_connections()


def _quiet(handler: RequestHandler) -> None:
    """No access log: Prometheus and health checks ask every few seconds."""
