"""Handlers: (to be written)."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

__all__ = ["register"]


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add this module's handlers to ``application``."""
