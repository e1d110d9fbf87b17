"""Fixtures for every test: the sandbox and bot harnesses, and logging put back after each test."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

pytest_plugins = [
    "tests.support.sandbox",
    "tests.support.bot",
    "tests.support.proxy",
    "tests.support.tcp_gate",
]


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """Undo ``configure_logging`` (commands run in-process call it): the root logger's handlers
    and level, and the capture of warnings, which would outlive the test's own warning filters."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    logging.captureWarnings(False)
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.captureWarnings(False)
