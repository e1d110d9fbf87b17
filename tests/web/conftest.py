"""The chat page in a real browser: Debian's Chromium driven by Playwright, never a download.

Tests here skip only when no Chromium is installed (``.ci/run`` installs Debian's ``chromium``).
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.async_api import Browser, Dialog, Page, async_playwright, expect

from digestbot.sandbox_app.host import SandboxedBot, sandboxed_bot
from tests.support.sandboxed import SEEDS, sandbox_settings

__all__ = ["CHROMIUM", "WAIT_MS", "BrowserPage", "needs_chromium", "open_page"]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed")
# How long a test waits for the page to show something (every ``expect``): generous, as Chromium
# on a loaded machine (make test's parallel workers) is slow; a wait ends once the page shows it.
WAIT_MS = 30_000


@dataclass
class BrowserPage:
    """The chat page open in Chromium, with what the page did that it should not."""

    page: Page
    url: str
    sandbox: SandboxedBot | None  # None: the emulator alone, no bot
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def articles_dir() -> Path:
    """The articles the sandbox loads (override the fixture to load others)."""
    return SEEDS


@pytest.fixture
async def sandbox(tmp_path: Path, articles_dir: Path) -> AsyncIterator[SandboxedBot]:
    """``digestbot sandbox`` in this process: the emulator and the bot, articles loaded, SQLite."""
    async with sandboxed_bot(sandbox_settings(tmp_path, articles_dir), port=0) as running:
        yield running


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Debian's headless Chromium (and every ``expect`` waiting up to ``WAIT_MS``)."""
    assert CHROMIUM is not None
    expect.set_options(timeout=WAIT_MS)
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            await launched.close()


async def open_page(
    browser: Browser,
    base_url: str,
    sandbox: SandboxedBot | None = None,
    *,
    width: int = 1400,
    height: int = 900,
) -> BrowserPage:
    """A new tab (its own storage) at ``/sandbox/ui/`` of ``base_url``; dialogs are recorded
    and dismissed, script errors recorded."""
    context = await browser.new_context(viewport={"width": width, "height": height})
    page = await context.new_page()
    opened = BrowserPage(page, f"{base_url}/sandbox/ui/", sandbox)

    async def on_dialog(dialog: Dialog) -> None:
        opened.dialogs.append(dialog.message)
        await dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    await page.goto(opened.url)
    return opened


@pytest.fixture
async def chat_page(browser: Browser, sandbox: SandboxedBot) -> BrowserPage:
    """Chromium showing ``/sandbox/ui/``; dialogs are recorded and dismissed."""
    return await open_page(browser, sandbox.emulator.base_url, sandbox)
