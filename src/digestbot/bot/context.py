"""The bot's one callback context: handlers and jobs reach what they need through typed attributes.

python-telegram-bot builds a :class:`BotContext` for every update and job (``ContextTypes``), and
keeps one :class:`BotData` per application as its ``bot_data``; :func:`~digestbot.bot.app.
build_application` fills it once. A handler reads ``context.deps.settings`` or calls
``context.runtime.wake()``: no string keys, no casts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from digestbot.bot.deps import BotDeps
from digestbot.bot.edits import ShownMessages
from digestbot.monitoring.bot_api import ApiWatch
from digestbot.monitoring.metrics import Metrics
from digestbot.monitoring.server import MonitoringServer

if TYPE_CHECKING:
    from digestbot.bot.runtime import Runtime

__all__ = ["CONTEXT_TYPES", "BotApplication", "BotContext", "BotData", "Context"]


class BotData:
    """What the whole application shares: its dependencies and its runtime, set once at build."""

    __slots__ = ("_deps", "_runtime", "api_watch", "metrics", "monitoring", "shown")

    def __init__(self) -> None:
        self._deps: BotDeps | None = None
        self._runtime: Runtime | None = None
        self.metrics = Metrics()  # build_application gives it the HTTP clients' observers
        self.api_watch = ApiWatch(self.metrics)
        self.monitoring: MonitoringServer | None = None  # while serving with monitoring on
        self.shown = ShownMessages()  # what the bot last edited each message to show

    @property
    def deps(self) -> BotDeps:
        """Settings, the store and the clock."""
        if self._deps is None:
            raise RuntimeError("the application was not built by build_application")
        return self._deps

    @deps.setter
    def deps(self, deps: BotDeps) -> None:
        self._deps = deps

    @property
    def runtime(self) -> Runtime:
        """The sender, tick, rescan and clean-up (:class:`~digestbot.bot.runtime.Runtime`)."""
        if self._runtime is None:
            raise RuntimeError("the application was not built by build_application")
        return self._runtime

    @runtime.setter
    def runtime(self, runtime: Runtime) -> None:
        self._runtime = runtime


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """python-telegram-bot's context with the application's dependencies and runtime."""

    @property
    def deps(self) -> BotDeps:
        """Settings, the store and the clock."""
        return self.bot_data.deps

    @property
    def runtime(self) -> Runtime:
        """The background work: wake the sender, run a tick."""
        return self.bot_data.runtime

    @property
    def metrics(self) -> Metrics:
        """The process's Prometheus metrics."""
        return self.bot_data.metrics

    @property
    def shown(self) -> ShownMessages:
        """What the bot last edited each message to show (edits to the same are skipped)."""
        return self.bot_data.shown


Context = BotContext
BotApplication = Application[
    ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], BotData, JobQueue[BotContext]
]
CONTEXT_TYPES = ContextTypes(context=BotContext, bot_data=BotData)
