"""python-telegram-bot requests through the proxy the settings name (:mod:`digestbot.proxies`).

Every Bot API client gets the proxy explicitly, and httpx's own reading of the environment is
turned off (``ptb_request``), so python-telegram-bot's clients and the outbox sender never
disagree about the route.

Errors through a proxy are python-telegram-bot's ``NetworkError`` (``TimedOut`` for timeouts) and
name the proxy, its password left out: an unreachable proxy, a refused login or connection. An
error answer that is not the Bot API's JSON (a proxy's "403 Forbidden" or "407 Proxy
Authentication Required" to a plain-http request) is a ``NetworkError`` too, never ``Forbidden``,
which would read as "the user blocked the bot".
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest

from digestbot.monitoring.observe import RequestObserver, observe_request
from digestbot.proxies import redact_url

__all__ = ["ptb_request"]


def ptb_request(
    proxy: str | None, observer: RequestObserver | None = None, **kwargs: Any
) -> HTTPXRequest:
    """python-telegram-bot's HTTPXRequest through ``proxy`` (None: direct), ``kwargs`` as it
    takes them, each call told to ``observer``; httpx reads no proxy from the environment
    (``trust_env=False``).

    ``SSL_CERT_FILE`` and ``SSL_CERT_DIR`` stay honoured as httpx honours them by default:
    ``trust_env=False`` alone would drop them along with the proxy variables.
    """
    httpx_kwargs = {
        "verify": httpx.create_ssl_context(trust_env=True),
        **(kwargs.pop("httpx_kwargs", None) or {}),
        "trust_env": False,
    }
    if proxy is None:
        return _ObservedRequest(observer, httpx_kwargs=httpx_kwargs, **kwargs)
    return _ProxiedRequest(proxy, observer, httpx_kwargs=httpx_kwargs, **kwargs)


class _ObservedRequest(HTTPXRequest):
    """An HTTPXRequest that tells its observer about each call."""

    __slots__ = ("_observer",)

    def __init__(self, observer: RequestObserver | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._observer = observer

    async def do_request(self, url: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """HTTPXRequest's, observed."""
        return await observe_request(
            self._observer, url, lambda: self._exchange(url, *args, **kwargs)
        )

    async def _exchange(self, url: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        return await super().do_request(url, *args, **kwargs)


class _ProxiedRequest(_ObservedRequest):
    """An HTTPXRequest through a proxy whose network errors say which proxy (password left out)."""

    __slots__ = ("_shown",)

    def __init__(self, proxy: str, observer: RequestObserver | None, **kwargs: Any) -> None:
        super().__init__(observer, proxy=proxy, **kwargs)
        self._shown = redact_url(proxy)

    async def _exchange(self, url: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """HTTPXRequest's, with the proxy named in errors and non-Bot-API error answers."""
        try:
            status, body = await super()._exchange(url, *args, **kwargs)
        except TimedOut as exc:
            raise TimedOut(f"{exc.message} (through the proxy {self._shown})") from exc
        except NetworkError as exc:
            raise NetworkError(f"{exc.message} (through the proxy {self._shown})") from exc
        except Exception as exc:  # socksio's errors escape httpx; PTB makes them NetworkError too
            raise NetworkError(
                f"{type(exc).__name__}: {exc} (through the proxy {self._shown})"
            ) from exc
        if status >= HTTPStatus.BAD_REQUEST and not body.lstrip().startswith(b"{"):
            raise NetworkError(
                f"HTTP {_status_line(status)}, not an answer of the Bot API "
                f"(through the proxy {self._shown})"
            )
        return status, body


def _status_line(status: int) -> str:
    """``403 Forbidden``; the number alone when it is not a known status."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)
