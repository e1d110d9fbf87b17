"""The Telegram Bot API sandbox: an emulator faithful enough for end-to-end tests."""

from digestbot.sandbox.driver import Driver, DriverError
from digestbot.sandbox.emulator import (
    DEFAULT_BOT_USERNAME,
    DEFAULT_TOKEN,
    Emulator,
    run_emulator_cli,
)
from digestbot.sandbox.faults import FaultKind, FaultRule
from digestbot.sandbox.ratelimit import RateLimitConfig

__all__ = [
    "DEFAULT_BOT_USERNAME",
    "DEFAULT_TOKEN",
    "Driver",
    "DriverError",
    "Emulator",
    "FaultKind",
    "FaultRule",
    "RateLimitConfig",
    "run_emulator_cli",
]
