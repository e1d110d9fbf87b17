"""Argument types: each turns an option's text into a value or says in plain words what it expects.

argparse prints an ``ArgumentTypeError`` as ``argument --limit: <message>``; the messages here
read ``expected ..., got '...'`` with the input cut short, never a Python type name.
"""

from __future__ import annotations

import argparse
import math
from datetime import date, datetime

from digestbot.cli.output import quoted
from digestbot.model import Lang

__all__ = ["day", "language", "port", "positive_int", "seconds", "tag_list"]


def _whole(text: str, what: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {quoted(text)}") from None


def positive_int(text: str) -> int:
    """A whole number of 1 or more (``--limit``)."""
    what = "a whole number of 1 or more"
    number = _whole(text, what)
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected {what}, got {quoted(text)}")
    return number


def port(text: str) -> int:
    """A TCP port, 1..65535 (``--port``)."""
    what = "a port number from 1 to 65535"
    number = _whole(text, what)
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"expected {what}, got {quoted(text)}")
    return number


def seconds(text: str) -> float:
    """A number of seconds, 0 or more and finite (``--wait``)."""
    what = "a number of seconds (0 or more)"
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 <= value < math.inf:  # also refuses nan
        raise argparse.ArgumentTypeError(f"expected {what}, got {quoted(text)}")
    return value


def language(text: str) -> Lang:
    """``zh`` or ``en`` (``--lang``), in any case."""
    try:
        return Lang(text.strip().lower())
    except ValueError:
        choices = " or ".join(lang.value for lang in Lang)
        raise argparse.ArgumentTypeError(f"expected {choices}, got {quoted(text)}") from None


def tag_list(text: str) -> list[str]:
    """Comma-separated tags (``--tags a,b``), lower-cased, blanks dropped."""
    return [tag.strip().lower() for tag in text.split(",") if tag.strip()]


def day(text: str) -> date:
    """A calendar date written ``YYYY-MM-DD`` (``--since``)."""
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date like 2024-05-12, got {quoted(text)}"
        ) from None
