"""Routing for the emulator's HTTP server: ``/bot<TOKEN>/<method>``, ``/sandbox/...`` and the UI.

A Bot API call goes: the network delay, token check (401), method lookup (404), parameters
decoded and type-checked (400), injected faults, the method handler, then the envelope exactly as
Telegram writes it (with a ``Retry-After`` header for 429) and a record of the exchange.

The network delay (``FaultSet.delay``, 0 by default) models a far-away server: the request
travels, then is handled, so the whole wait comes before anything runs. Each request sleeps on
its own, so concurrent calls wait in parallel. A client that hangs up during the wait has lost
its request on the way: it is never handled nor recorded. ``/sandbox/`` routes are not delayed.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import time
from collections.abc import Awaitable, Callable
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from digestbot.sandbox.bodies import decode_params, json_safe
from digestbot.sandbox.errors import ApiError, not_found_method, unauthorized
from digestbot.sandbox.faults import FaultKind, FaultSet
from digestbot.sandbox.methods import MethodHandler
from digestbot.sandbox.record import Recorder
from digestbot.sandbox.updates import Described
from digestbot.sandbox.validate import canonical_method, coerce_params
from digestbot.sandbox.wire import DropConnection, HttpRequest, HttpResponse, unless_hangup

__all__ = ["BAD_GATEWAY_HTML", "Router", "json_response"]

BAD_GATEWAY_HTML = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
UI_PREFIX = "/sandbox/ui/"
FAVICON_PATH = "/favicon.ico"  # what browsers ask for when a page names no icon
FAVICON_FILE = "favicon.svg"
LONG_POLLS = frozenset({"getUpdates"})  # abandoned when the client hangs up


def json_response(
    status: int, payload: Any, headers: tuple[tuple[str, str], ...] = ()
) -> HttpResponse:
    """A compact UTF-8 JSON response."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return HttpResponse(status, body, "application/json", headers)


def _error_response(error: ApiError) -> HttpResponse:
    headers: tuple[tuple[str, str], ...] = ()
    retry_after = (error.parameters or {}).get("retry_after")
    if retry_after is not None:
        headers = (("Retry-After", str(retry_after)),)
    return json_response(error.error_code, error.to_envelope(), headers)


class Router:
    """Dispatches HTTP requests to the Bot API, the ``/sandbox/`` control API or static UI files."""

    def __init__(
        self,
        token: str,
        methods: dict[str, MethodHandler],
        faults: FaultSet,
        recorder: Recorder,
        control: Callable[[HttpRequest], Awaitable[HttpResponse]] | None = None,
        ui_files: Traversable | None = None,
    ) -> None:
        self.token = token
        self.methods = methods
        self.faults = faults
        self.recorder = recorder
        self.control = control
        self.ui_files = ui_files if ui_files is not None else _package_ui()

    async def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one request."""
        path = request.path
        if path.startswith("/bot"):
            return await self._bot_api(request, path[4:])
        if path.startswith(UI_PREFIX):
            return self._static(path[len(UI_PREFIX) :])
        if path in {"/", UI_PREFIX.rstrip("/")} and self.ui_files is not None:
            return HttpResponse(302, b"", "text/plain", (("Location", UI_PREFIX),))
        if path == FAVICON_PATH:
            return self._static(FAVICON_FILE)
        if (path.startswith("/sandbox/") or path == "/sandbox") and self.control is not None:
            return await self.control(request)
        return json_response(404, {"ok": False, "error_code": 404, "description": "Not Found"})

    async def _bot_api(self, request: HttpRequest, rest: str) -> HttpResponse:
        delay = self.faults.next_delay()
        if delay > 0:
            await unless_hangup(asyncio.sleep(delay), request)  # DropConnection on hang-up
        token, _, name = rest.partition("/")
        if token != self.token:
            return _error_response(unauthorized())
        method = canonical_method(name) if name and "/" not in name else None
        handler = self.methods.get(method) if method is not None else None
        if method is None or handler is None:
            return _error_response(not_found_method())
        started = time.perf_counter()
        raw: dict[str, Any] = {}
        response: dict[str, Any] | None = None
        status = 200
        try:
            raw = decode_params(
                request.query, request.headers.get("content-type", ""), request.body
            )
            http = await self._apply_faults(method, raw)
            if http is not None:
                status = http.status
                response = (
                    json.loads(http.body) if http.content_type == "application/json" else None
                )
                return http
            work = handler(coerce_params(method, raw))
            result = await (unless_hangup(work, request) if method in LONG_POLLS else work)
            envelope: dict[str, Any] = {"ok": True}
            if isinstance(result, Described):
                envelope["result"] = result.result
                envelope["description"] = result.description
            else:
                envelope["result"] = result
            response = envelope
            return json_response(200, envelope)
        except ApiError as error:
            status = error.error_code
            response = error.to_envelope()
            return _error_response(error)
        except DropConnection:
            status = 0
            raise
        finally:
            self.recorder.record(method, json_safe(raw), status, response, started)

    async def _apply_faults(self, method: str, raw: dict[str, Any]) -> HttpResponse | None:
        """Apply matching fault rules: sleep for latency, then fail, drop, or let it through."""
        rules = self.faults.pick(method, _chat_id(raw.get("chat_id")))
        for rule in rules:
            if rule.kind is FaultKind.LATENCY:
                await asyncio.sleep(rule.latency)
        for rule in rules:
            if rule.kind is FaultKind.DROP:
                raise DropConnection
            if rule.kind is FaultKind.BAD_GATEWAY:
                return HttpResponse(502, BAD_GATEWAY_HTML, "text/html")
            if rule.kind is not FaultKind.LATENCY:
                return _error_response(rule.to_error())
        return None

    def _static(self, relative: str) -> HttpResponse:
        """A file of the web chat page (``digestbot/sandbox/web/``), if the package ships one."""
        parts = [p for p in relative.split("/") if p] or ["index.html"]
        if self.ui_files is None or any(p in {".", ".."} or "\\" in p for p in parts):
            return json_response(404, {"error": "not found"})
        target = self.ui_files.joinpath(*parts)
        if target.is_dir():
            target = target.joinpath("index.html")
        if not target.is_file():
            return json_response(404, {"error": "not found"})
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type.endswith("javascript"):
            content_type += "; charset=utf-8"
        return HttpResponse(200, target.read_bytes(), content_type)


def _chat_id(value: Any) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


def _package_ui() -> Traversable | None:
    folder = resources.files("digestbot.sandbox").joinpath("web")
    return folder if folder.is_dir() else None
