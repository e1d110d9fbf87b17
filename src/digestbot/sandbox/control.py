"""The ``/sandbox/`` JSON API: the driver over HTTP, for the web chat page and other processes.

Answers are plain JSON (no Bot API envelope); failures are ``{"error": "..."}`` with 400 or 404.

``GET /sandbox/`` lists every endpoint with what it does (indented JSON, for curl)::

    GET    /sandbox/                       -> {about, chat_page, bot_api, endpoints: [{method,
                                            path, description}]}
    POST   /sandbox/users                  {id, first_name, username?, language_code?} -> user
    GET    /sandbox/users                  -> [user]
    POST   /sandbox/users/{id}/messages    {text, chat_id?} -> update
    POST   /sandbox/users/{id}/callbacks   {message_id, data, wait?=2} -> {update, answer|null}
    POST   /sandbox/users/{id}/inline      {query} -> update
    GET    /sandbox/users/{id}/inline      ?wait=S -> {query_id, query, answer|null} (latest)
    POST   /sandbox/users/{id}/block       -> user       (and /unblock)
    GET    /sandbox/users/{id}/commands    -> the command menu this user sees
    GET    /sandbox/chats/{id}/messages    -> transcript, oldest first
    POST   /sandbox/faults                 {kind: 429|403|500|502|latency|drop, method?, chat_id?,
                                            count?, probability?, retry_after?, latency?} -> rule
    GET    /sandbox/faults                 -> [rule];  DELETE /sandbox/faults -> {removed}
    GET    /sandbox/latency                -> {latency, jitter}: every Bot API call waits
                                            latency + uniform(0, jitter) seconds
    POST   /sandbox/latency                {latency?, jitter?} (0..30; omitted ones stay) -> same
    GET    /sandbox/requests               ?since=SEQ -> recent Bot API exchanges, oldest first
    GET    /sandbox/events                 ?since=V&wait=S -> {version} once the state changes
    POST   /sandbox/webhook/balance        {urls: [url]} -> {urls, delivered}: webhook updates
                                            round robin to these URLs ([]: to setWebhook's)
    GET    /sandbox/webhook/balance        -> {urls, delivered: updates taken per URL}
    GET    /sandbox/ui/...                 static files of the web chat page (if shipped)

Whoever runs the emulator may add routes of its own under ``/sandbox/`` with
:meth:`ControlApi.add_route` (the sandboxed bot adds ``digests/send`` and ``clock``).
"""

from __future__ import annotations

import contextlib
import inspect
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from digestbot.sandbox.driver import Driver, DriverError, UnknownTarget
from digestbot.sandbox.faults import FaultSet, fault_rule_from_json
from digestbot.sandbox.record import Recorder
from digestbot.sandbox.wire import HttpRequest, HttpResponse, unless_hangup

__all__ = ["INDEX_PATH", "ControlApi", "Endpoint", "ExtraRoute"]

Route = Callable[[HttpRequest, re.Match[str]], Awaitable[Any]]
ExtraRoute = Callable[[dict[str, Any]], Awaitable[Any]]
"""An added route: takes the JSON body (``{}`` when empty), returns what to answer as JSON;
ValueError, KeyError and TypeError become 400."""
_ROUTE_NAME = re.compile(r"[a-z0-9_-]+(/[a-z0-9_-]+)*")
INDEX_PATH = "/sandbox/"
CALLBACK_WAIT = 2.0
MAX_WAIT = 30.0


class BadControlRequest(Exception):
    """The control request is malformed (400)."""


def _json(status: int, payload: Any, indent: int | None = None) -> HttpResponse:
    text = json.dumps(payload, ensure_ascii=False, indent=indent)
    return HttpResponse(status, (text + "\n" if indent else text).encode())


def _body(request: HttpRequest) -> dict[str, Any]:
    if not request.body:
        return {}
    try:
        data = json.loads(request.body)
    except ValueError as exc:
        raise BadControlRequest("the body must be a JSON object") from exc
    if not isinstance(data, dict):
        raise BadControlRequest("the body must be a JSON object")
    return data


def _query_float(request: HttpRequest, name: str, default: float) -> float:
    values = parse_qs(request.query).get(name)
    try:
        return min(max(float(values[0]), 0.0), MAX_WAIT) if values else default
    except ValueError as exc:
        raise BadControlRequest(f"{name} must be a number") from exc


def _query_int(request: HttpRequest, name: str, default: int) -> int:
    values = parse_qs(request.query).get(name)
    try:
        return int(values[0]) if values else default
    except ValueError as exc:
        raise BadControlRequest(f"{name} must be an integer") from exc


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One served route as ``GET /sandbox/`` lists it: method, path template, what it does."""

    method: str
    path: str
    description: str

    def to_json(self) -> dict[str, str]:
        """``{method, path, description}``."""
        return {"method": self.method, "path": self.path, "description": self.description}


_PLACEHOLDERS = {"user": r"(?P<id>\d+)", "chat": r"(?P<id>-?\d+)"}


def _pattern(template: str) -> re.Pattern[str]:
    """``/sandbox/users/{user}/messages`` -> a regex with the id as group ``id`` (requests are
    matched without their trailing slash)."""
    escaped = re.escape(template.rstrip("/"))
    for name, regex in _PLACEHOLDERS.items():
        escaped = escaped.replace(re.escape("{" + name + "}"), regex)
    return re.compile(escaped)


class ControlApi:
    """Routes ``/sandbox/...`` requests to the driver, faults, latency and the request record."""

    def __init__(self, driver: Driver, faults: FaultSet, recorder: Recorder) -> None:
        self.driver = driver
        self.faults = faults
        self.recorder = recorder
        self.routes: list[tuple[str, re.Pattern[str], Route]] = []
        self.endpoints: list[Endpoint] = []
        user = "/sandbox/users/{user}"
        table: list[tuple[str, str, Route, str]] = [
            ("GET", INDEX_PATH, self.index, "this list of the driver's endpoints"),
            (
                "POST",
                "/sandbox/users",
                self.create_user,
                "add a simulated user {id, first_name, username?, language_code?}",
            ),
            ("GET", "/sandbox/users", self.list_users, "every simulated user"),
            (
                "POST",
                user + "/messages",
                self.send_message,
                "the user writes {text, chat_id?} to the bot; returns the update",
            ),
            (
                "POST",
                user + "/callbacks",
                self.press_button,
                "the user presses an inline button {message_id, data, wait?=2}; "
                "returns {update, answer}",
            ),
            ("POST", user + "/inline", self.inline_query, "the user sends an inline query {query}"),
            (
                "GET",
                user + "/inline",
                self.inline_answer,
                "the user's latest inline query and the bot's answer (?wait=S)",
            ),
            ("POST", user + "/block", self.block, "the user blocks the bot"),
            ("POST", user + "/unblock", self.unblock, "the user unblocks the bot"),
            ("GET", user + "/commands", self.commands, "the command menu this user sees"),
            (
                "GET",
                "/sandbox/chats/{chat}/messages",
                self.transcript,
                "the chat as its user sees it, oldest first",
            ),
            (
                "POST",
                "/sandbox/faults",
                self.add_fault,
                "make Bot API calls fail {kind: 429|403|500|502|latency|drop, method?, chat_id?, "
                "count?, probability?, retry_after?, latency?}",
            ),
            ("GET", "/sandbox/faults", self.list_faults, "the active fault rules"),
            ("DELETE", "/sandbox/faults", self.clear_faults, "remove every fault rule"),
            (
                "POST",
                "/sandbox/latency",
                self.set_latency,
                "delay every Bot API call {latency?, jitter?} (seconds, 0..30)",
            ),
            ("GET", "/sandbox/latency", self.latency, "the delay every Bot API call waits"),
            (
                "GET",
                "/sandbox/requests",
                self.requests,
                "recent Bot API exchanges with their verdicts (?since=SEQ)",
            ),
            (
                "GET",
                "/sandbox/events",
                self.events,
                "wait for a state change (?since=V&wait=S); returns {version}",
            ),
            (
                "POST",
                "/sandbox/webhook/balance",
                self.balance_webhook,
                "a load balancer: webhook updates round robin to {urls: [url]} ([]: off)",
            ),
            (
                "GET",
                "/sandbox/webhook/balance",
                self.webhook_balance,
                "the balanced URLs and how many updates each took",
            ),
        ]
        for method, template, route, description in table:
            self._serve(method, template, route, description)

    def _serve(self, method: str, template: str, route: Route, description: str) -> None:
        self.routes.append((method, _pattern(template), route))
        self.endpoints.append(Endpoint(method, template, description))

    def add_route(
        self, method: str, name: str, handler: ExtraRoute, description: str | None = None
    ) -> None:
        """Serve ``METHOD /sandbox/<name>`` (e.g. ``POST``, ``digests/send``) with ``handler``;
        ``description`` (default: the handler's docstring) is what ``GET /sandbox/`` lists."""
        if not _ROUTE_NAME.fullmatch(name):
            raise ValueError(f"a route name is lower-case words joined by '/', not {name!r}")
        path = f"/sandbox/{name}"
        if any(verb == method and pattern.fullmatch(path) for verb, pattern, _ in self.routes):
            raise ValueError(f"{method} {path} is already served")

        async def route(request: HttpRequest, match: re.Match[str]) -> Any:
            return await handler(_body(request))

        if description is None:
            description = (inspect.getdoc(handler) or "").split("\n", 1)[0]
        self._serve(method, path, route, description)

    async def __call__(self, request: HttpRequest) -> HttpResponse:
        """Answer one ``/sandbox/`` request."""
        path = request.path.rstrip("/")
        allowed = False
        for verb, pattern, route in self.routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            allowed = True
            if verb == request.method:
                try:
                    answer = await route(request, match)
                except UnknownTarget as exc:
                    return _json(404, {"error": str(exc)})
                except (DriverError, BadControlRequest, KeyError, ValueError, TypeError) as exc:
                    return _json(400, {"error": str(exc) or type(exc).__name__})
                except TimeoutError as exc:
                    return _json(504, {"error": str(exc)})
                return answer if isinstance(answer, HttpResponse) else _json(200, answer)
        if allowed:
            return _json(405, {"error": "method not allowed"})
        return _json(404, {"error": f"not found; GET {INDEX_PATH} lists the endpoints"})

    async def index(self, request: HttpRequest, match: re.Match[str]) -> HttpResponse:
        """GET /sandbox/ -> every endpoint with what it does, indented for a reader with curl."""
        listing = {
            "about": "the digestbot sandbox driver: act as Telegram users over HTTP, JSON in and "
            "out; failures are {error} with 400, 404 or 405",
            "placeholders": "{user}: a user's id; {chat}: a chat's id (a user's private chat has "
            "the user's id, a group's is negative)",
            "chat_page": "/sandbox/ui/",
            "bot_api": "POST /bot<TOKEN>/<method>: the Telegram Bot API as the bot calls it",
            "endpoints": [endpoint.to_json() for endpoint in self.endpoints],
        }
        return _json(200, listing, indent=2)

    async def create_user(self, request: HttpRequest, match: re.Match[str]) -> Any:
        """POST /sandbox/users {id, first_name, username?, language_code?} -> the user."""
        body = _body(request)
        user = self.driver.create_user(
            int(body["id"]),
            str(body["first_name"]),
            body.get("username"),
            body.get("language_code"),
            last_name=body.get("last_name"),
        )
        return user.to_api() | {"blocked": user.blocked, "started": user.started}

    async def list_users(self, request: HttpRequest, match: re.Match[str]) -> Any:
        """GET /sandbox/users -> every user."""
        return [
            u.to_api() | {"blocked": u.blocked, "started": u.started}
            for u in self.driver.state.users.values()
        ]

    async def send_message(self, request: HttpRequest, match: re.Match[str]) -> Any:
        """POST /sandbox/users/{id}/messages {text, chat_id?} -> the update (private by default)."""
        body = _body(request)
        chat_id = body.get("chat_id")
        chat = None if chat_id is None else int(chat_id)
        return self.driver.send_text(int(match["id"]), str(body["text"]), chat)

    async def press_button(self, request: HttpRequest, match: re.Match[str]) -> Any:
        """POST .../callbacks {message_id, data, wait?} -> {update, answer} (answer waited for)."""
        body = _body(request)
        update = self.driver.press_button(
            int(match["id"]), int(body["message_id"]), str(body["data"])
        )
        wait = min(max(float(body.get("wait", CALLBACK_WAIT)), 0.0), MAX_WAIT)
        answer = None
        if wait > 0:
            try:
                answer = await self.driver.callback_answer(update["callback_query"]["id"], wait)
            except TimeoutError:
                answer = None
        return {"update": update, "answer": answer}

    async def inline_query(self, request: HttpRequest, match: re.Match[str]) -> Any:
        """POST .../inline {query} -> the update; the answer is at GET .../inline."""
        return self.driver.send_inline_query(int(match["id"]), str(_body(request)["query"]))

    async def inline_answer(self, request: HttpRequest, match: re.Match[str]) -> Any:
        """GET .../inline[?wait=S] -> {query_id, query, answer} of the latest inline query."""
        user_id = int(match["id"])
        latest = self.driver.latest_inline_query(user_id)
        if latest is None:
            raise UnknownTarget(f"user {user_id} has sent no inline query")
        wait = _query_float(request, "wait", 0.0)
        if wait > 0 and latest.answer is None:
            with contextlib.suppress(TimeoutError):
                await self.driver.inline_answer(latest.id, wait)
        return latest.to_view()

    async def block(self, request: HttpRequest, match: re.Match[str]) -> Any:
        """POST .../block -> the user."""
        user = self.driver.block(int(match["id"]))
        return user.to_api() | {"blocked": user.blocked, "started": user.started}

    async def unblock(self, request: HttpRequest, match: re.Match[str]) -> Any:
        """POST .../unblock -> the user."""
        user = self.driver.unblock(int(match["id"]))
        return user.to_api() | {"blocked": user.blocked, "started": user.started}

    async def commands(self, request: HttpRequest, match: re.Match[str]) -> Any:
        """GET .../commands -> the command menu this user sees."""
        return self.driver.commands_for(int(match["id"]))

    async def transcript(self, request: HttpRequest, match: re.Match[str]) -> Any:
        """GET /sandbox/chats/{id}/messages -> the transcript, oldest first."""
        return self.driver.transcript(int(match["id"]))

    async def add_fault(self, request: HttpRequest, match: re.Match[str]) -> Any:
        """POST /sandbox/faults {kind, method?, chat_id?, count?, probability?, ...} -> the rule."""
        return self.faults.add(fault_rule_from_json(_body(request))).to_json()

    async def list_faults(self, request: HttpRequest, match: re.Match[str]) -> Any:
        """GET /sandbox/faults -> the active rules."""
        return [rule.to_json() for rule in self.faults.rules]

    async def clear_faults(self, request: HttpRequest, match: re.Match[str]) -> Any:
        """DELETE /sandbox/faults -> {removed: N}."""
        return {"removed": self.faults.clear()}

    async def set_latency(self, request: HttpRequest, match: re.Match[str]) -> Any:
        """POST /sandbox/latency {latency?, jitter?} -> the delay now (omitted fields stay)."""
        self.faults.delay = self.faults.delay.updated(_body(request))
        return self.faults.delay.to_json()

    async def latency(self, request: HttpRequest, match: re.Match[str]) -> Any:
        """GET /sandbox/latency -> {latency, jitter}: what every Bot API call waits, in seconds."""
        return self.faults.delay.to_json()

    async def requests(self, request: HttpRequest, match: re.Match[str]) -> Any:
        """GET /sandbox/requests[?since=SEQ] -> recent Bot API exchanges with their verdicts."""
        return self.recorder.entries(_query_int(request, "since", 0))

    async def balance_webhook(self, request: HttpRequest, match: re.Match[str]) -> Any:
        """POST /sandbox/webhook/balance {urls} -> {urls, delivered}."""
        urls = _body(request).get("urls")
        if not isinstance(urls, list) or not all(isinstance(url, str) for url in urls):
            raise BadControlRequest("urls must be a list of URLs")
        return self.driver.balance_webhook(urls)

    async def webhook_balance(self, request: HttpRequest, match: re.Match[str]) -> Any:
        """GET /sandbox/webhook/balance -> {urls, delivered}."""
        return self.driver.webhook_balance()

    async def events(self, request: HttpRequest, match: re.Match[str]) -> Any:
        """GET /sandbox/events?since=V&wait=S -> {version} once the state version passes V."""
        since = _query_int(request, "since", -1)
        wait = _query_float(request, "wait", 25.0)
        state = self.driver.state
        if state.version <= since and wait > 0:
            await unless_hangup(state.wait_changed(wait), request)
        return {"version": state.version}
