"""Fixtures for every test: the sandbox and bot harnesses, logging put back after each test, and
Hypothesis without wall-clock checks in parallel workers."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

pytest_plugins = [
    "tests.support.sandbox",
    "tests.support.bot",
    "tests.support.proxy",
    "tests.support.tcp_gate",
]


def pytest_configure(config: pytest.Config) -> None:
    """In a parallel worker (``make test``), turn off Hypothesis's wall-clock checks (the deadline
    per example, "data generation is too slow"): there the clock measures the machine's load,
    not the code. Hypothesis's own "ci" profile does the same."""
    if hasattr(config, "workerinput"):  # set by pytest-xdist in its workers
        settings.register_profile(
            "parallel", deadline=None, suppress_health_check=[HealthCheck.too_slow]
        )
        settings.load_profile("parallel")


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
