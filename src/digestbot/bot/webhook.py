"""The webhook server: Telegram's POSTs to ``[telegram] webhook_url`` become updates.

digestbot serves its webhook itself rather than through ``Updater.start_webhook``: PTB 22 builds
its tornado server as ``HTTPServer(app, ssl_options=...)``, so tornado's default body limit of
100 MB applies (read into memory before any check) and PTB has no parameter to change it. Here
a request is judged on its headers, before its body is read:

- 413 when its ``Content-Length`` is over :data:`MAX_BODY_BYTES` (a chunked body is cut off at
  that size too: tornado answers 400 and closes the connection);
- 403 when a secret is in force and the ``X-Telegram-Bot-Api-Secret-Token`` header is missing
  or different (compared in constant time);
- 415 when it is not JSON, 400 when the JSON is not an update.

An accepted update goes onto the application's update queue, as PTB's own server does.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
from typing import Any

from telegram import Bot, Update
from telegram.error import NetworkError
from telegram.ext import ExtBot
from tornado.http1connection import HTTP1Connection
from tornado.httpserver import HTTPServer
from tornado.web import Application, HTTPError, RequestHandler, stream_request_body

__all__ = ["MAX_BODY_BYTES", "SECRET_HEADER", "WebhookReceiver", "set_webhook"]

MAX_BODY_BYTES = 1 << 20  # Telegram's updates are a few kB; 1 MiB leaves ample room
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_log = logging.getLogger(__name__)


class WebhookReceiver:
    """The HTTP server on ``listen:port`` that takes updates POSTed to ``path``."""

    def __init__(
        self,
        bot: Bot,
        queue: asyncio.Queue[object],
        *,
        path: str,
        secret: str | None,
        listen: str,
        port: int,
    ) -> None:
        self.bot = bot
        self.queue = queue
        self.secret = secret
        self._address = (listen, port)
        route = f"/{re.escape(path.strip('/'))}/?" if path.strip("/") else "/"
        handlers = [(route, _UpdateHandler, {"receiver": self})]
        application = Application(handlers, log_function=_log_refusal)
        self._server = HTTPServer(application, max_body_size=MAX_BODY_BYTES)

    async def start(self) -> None:
        """Listen (raises OSError when the address is taken)."""
        host, port = self._address
        self._server.listen(port, address=host)

    async def stop(self) -> None:
        """Stop listening and close the open connections."""
        self._server.stop()
        await self._server.close_all_connections()

    def secret_matches(self, given: str | None) -> bool:
        """Whether a request carrying ``given`` in the secret header may deliver an update."""
        if self.secret is None:
            return True
        return given is not None and hmac.compare_digest(given.encode(), self.secret.encode())

    async def accept(self, body: bytes) -> None:
        """Queue the update in ``body``; HTTPError(400) when it is not one."""
        try:
            data = json.loads(body)
        except ValueError:  # not JSON, or not UTF-8
            raise HTTPError(400, reason="not JSON") from None
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            raise HTTPError(400, reason="not an update")
        update = Update.de_json(data, self.bot)
        if isinstance(self.bot, ExtBot):
            self.bot.insert_callback_data(update)
        await self.queue.put(update)


@stream_request_body
class _UpdateHandler(RequestHandler):
    """One POST from Telegram: checked on its headers, then its body read and queued."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(self, receiver: WebhookReceiver) -> None:
        """Tornado's per-request set-up."""
        self.receiver = receiver
        self.body = bytearray()

    def prepare(self) -> None:
        """Refuse on the headers alone: too large, without the secret, not JSON."""
        headers = self.request.headers
        length = headers.get("Content-Length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            raise HTTPError(413)
        if not self.receiver.secret_matches(headers.get(SECRET_HEADER)):
            raise HTTPError(403)
        if headers.get("Content-Type", "").partition(";")[0].strip() != "application/json":
            raise HTTPError(415)
        if isinstance(self.request.connection, HTTP1Connection):
            self.request.connection.set_max_body_size(MAX_BODY_BYTES)

    def data_received(self, chunk: bytes) -> None:
        """Collect the body (at most MAX_BODY_BYTES: tornado stops a longer one)."""
        self.body += chunk

    async def post(self) -> None:
        """Queue the update; Telegram only needs a 200."""
        await self.receiver.accept(bytes(self.body))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """A refusal as one line of text (tornado's default is an HTML page)."""
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{status_code} {self._reason}\n")


def _log_refusal(handler: RequestHandler) -> None:
    """Tornado's request log: only refusals, at debug level, without the path (it may hold the
    token)."""
    status = handler.get_status()
    if status >= 400:
        _log.debug("webhook: refused a request from %s: %d", handler.request.remote_ip, status)


async def set_webhook(bot: Bot, url: str, secret: str | None, *, retries: int) -> None:
    """``setWebhook`` for every update type, tried again ``retries`` times (1 s apart) when the
    network fails."""
    for attempt in range(retries + 1):
        try:
            await bot.set_webhook(url=url, secret_token=secret, allowed_updates=Update.ALL_TYPES)
            return
        except NetworkError as exc:
            if attempt == retries:
                raise
            _log.warning("setWebhook failed (%s); trying again", exc.message)
            await asyncio.sleep(1.0)
