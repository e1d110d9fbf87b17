"""Getting updates to the bot: getUpdates long polling, and webhooks set, shown and delivered.

A long poll waits on the state's change event (no busy loop) and returns as soon as an update is
queued; a newer getUpdates terminates the older one with 409, as Telegram does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from itertools import islice
from typing import Any
from urllib.parse import urlsplit

import httpx

from digestbot.sandbox.errors import ApiError, bad_request, conflict_getupdates
from digestbot.sandbox.methods import MethodHandler, Params
from digestbot.sandbox.state import SandboxState, WebhookConfig
from digestbot.sandbox.validate import check_webhook_secret

__all__ = ["WEBHOOK_CONFLICT", "Described", "UpdateMethods", "WebhookSender"]

log = logging.getLogger(__name__)

WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
MAX_POLL_TIMEOUT = 50
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class Described:
    """A result that Telegram sends with a ``description`` beside it (``Webhook was set``)."""

    result: Any
    description: str


@dataclass
class _Poll:
    superseded: bool = False


class UpdateMethods:
    """getUpdates, setWebhook, deleteWebhook and getWebhookInfo."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self._poll: _Poll | None = None

    @property
    def waiting(self) -> bool:
        """True while a getUpdates long poll is waiting for an update."""
        return self._poll is not None

    def table(self) -> dict[str, MethodHandler]:
        """Canonical method name -> handler."""
        return {
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
        }

    async def get_updates(self, params: Params) -> list[dict[str, Any]]:
        """Confirm updates below ``offset``, then return up to ``limit``, waiting ``timeout`` s."""
        if self.state.webhook is not None:
            raise ApiError(409, WEBHOOK_CONFLICT)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = min(max(float(params.get("timeout") or 0), 0.0), MAX_POLL_TIMEOUT)
        self.state.set_allowed_updates(params.get("allowed_updates"))
        if params.get("offset") is not None:
            self.state.confirm_updates(int(params["offset"]))
        if self._poll is not None:
            self._poll.superseded = True
        poll = self._poll = _Poll()
        self.state.notify()  # wakes a superseded poll; lets tests see that a poll is waiting
        deadline = asyncio.get_running_loop().time() + timeout
        try:
            while True:
                if poll.superseded:
                    raise conflict_getupdates()
                if self.state.webhook is not None:
                    raise ApiError(409, WEBHOOK_CONFLICT)
                if self.state.updates:
                    return list(islice(self.state.updates, limit))
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    return []
                await self.state.wait_changed(remaining)
        finally:
            if self._poll is poll:
                self._poll = None
                self.state.notify()  # "no poll waiting" is news too (tests, the web page)

    async def set_webhook(self, params: Params) -> Described:
        """setWebhook: HTTPS, or plain HTTP to this machine; an empty URL removes the webhook."""
        url = str(params.get("url") or "")
        if not url:
            return await self.delete_webhook(params)
        _check_webhook_url(url)
        secret = params.get("secret_token")
        if secret is not None:
            check_webhook_secret(secret)
        max_connections = int(params.get("max_connections") or 40)
        if not 1 <= max_connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        if params.get("drop_pending_updates"):
            self.state.updates.clear()
        self.state.set_allowed_updates(params.get("allowed_updates"))
        self.state.webhook = WebhookConfig(
            url=url,
            secret_token=secret,
            max_connections=max_connections,
            ip_address=params.get("ip_address"),
        )
        self.state.notify()
        return Described(True, "Webhook was set")

    async def delete_webhook(self, params: Params) -> Described:
        """deleteWebhook: back to getUpdates; ``drop_pending_updates`` empties the queue."""
        if params.get("drop_pending_updates"):
            self.state.updates.clear()
        if self.state.webhook is None:
            return Described(True, "Webhook is already deleted")
        self.state.webhook = None
        self.state.notify()
        return Described(True, "Webhook was deleted")

    async def get_webhook_info(self, params: Params) -> dict[str, Any]:
        """getWebhookInfo: URL (empty without a webhook), pending count, last error."""
        hook = self.state.webhook
        info: dict[str, Any] = {
            "url": hook.url if hook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.state.updates),
        }
        if hook is not None:
            info["max_connections"] = hook.max_connections
            if hook.ip_address:
                info["ip_address"] = hook.ip_address
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
            info["allowed_updates"] = sorted(self.state.allowed_updates)
        return info


def _check_webhook_url(url: str) -> None:
    parts = urlsplit(url)
    secure = parts.scheme == "https" or (
        parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
    )
    if secure and parts.hostname:
        return
    raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")


class WebhookSender:
    """Posts queued updates, oldest first, to the webhook while one is set; retries on failure.
    With the state's balancer on, each update goes to the next of its URLs in turn."""

    def __init__(self, state: SandboxState, max_backoff: float = 5.0) -> None:
        self.state = state
        self.max_backoff = max_backoff
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None

    def start(self) -> None:
        """Start the background delivery task (the HTTP client is made on first delivery)."""
        self._task = asyncio.create_task(self._run(), name="sandbox-webhook-sender")

    async def stop(self) -> None:
        """Stop delivering and close the HTTP client."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _run(self) -> None:
        failures = 0
        while True:
            hook = self.state.webhook
            if hook is None or not self.state.updates:
                await self.state.wait_changed(None)
                continue
            update = self.state.updates[0]
            url, index = self.state.balancer.next_url(hook.url)
            error = await self._post(hook, url, update)
            if error is None:
                failures = 0
                if index is not None and index < len(self.state.balancer.delivered):
                    self.state.balancer.delivered[index] += 1
                if self.state.updates and self.state.updates[0] is update:
                    self.state.updates.popleft()
                self.state.notify()
                continue
            failures += 1
            hook.last_error_date = int(time.time())
            hook.last_error_message = error
            self.state.notify()
            await self.state.wait_changed(min(0.05 * 2**failures, self.max_backoff))

    async def _post(self, hook: WebhookConfig, url: str, update: dict[str, Any]) -> str | None:
        """Deliver one update to ``url``; None on a 2xx answer, else Telegram's
        ``last_error_message``."""
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=httpx.Timeout(10.0))
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        try:
            response = await self._client.post(url, json=update, headers=headers)
        except httpx.ConnectError:
            return "Connection refused"
        except httpx.TimeoutException:
            return "Read timeout expired"
        except httpx.HTTPError as exc:
            return f"Failed to deliver the update: {type(exc).__name__}"
        if 200 <= response.status_code < 300:
            return None
        return f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}"
