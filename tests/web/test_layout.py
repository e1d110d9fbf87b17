"""The chat page at common window widths, measured with bounding boxes in Chromium.

These run against the emulator alone (no bot): the test writes the bot's messages through the
Bot API, so every chat holds exactly what it measures. Screenshots go to pytest's tmp dir (the
path is printed; ``pytest -s`` shows it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from digestbot.sandbox.emulator import Emulator
from tests.web.conftest import WAIT_MS, BrowserPage, needs_chromium, open_page

pytestmark = needs_chromium

HEIGHT = 900
SLACK = 1.0  # px: sub-pixel rounding
USERS = ((1001, "李雷", "zh-hans"), (1002, "Ann", "en"), (1003, "Bob", "en"))
BOT_MESSAGES = 12  # enough to overflow every chat's message list
# How many chats must fit side by side with the request log open, at each width.
WIDTHS = {420: 1, 1000: 2, 1400: 3, 1900: 3}

MEASURE = """() => {
  const box = (node) => {
    const r = node.getBoundingClientRect();
    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom};
  };
  const chats = document.getElementById("chats");
  return {
    viewport: {left: 0, top: 0, right: window.innerWidth, bottom: window.innerHeight},
    chats: box(chats),
    sideways: chats.scrollWidth > chats.clientWidth
      && ["auto", "scroll"].includes(getComputedStyle(chats).overflowX),
    panel: box(document.querySelector(".requests")),
    columns: [...chats.querySelectorAll(".chat")].map((chat) => {
      const list = chat.querySelector(".messages");
      return {
        name: chat.querySelector(".chat-title").textContent,
        box: box(chat),
        list: box(list),
        newest: list.lastElementChild ? box(list.lastElementChild) : null,
      };
    }),
  };
}"""


@dataclass(frozen=True)
class Box:
    """A bounding rectangle in CSS pixels."""

    left: float
    top: float
    right: float
    bottom: float

    @classmethod
    def of(cls, rect: dict[str, float]) -> Box:
        """From ``getBoundingClientRect()`` as measured."""
        return cls(rect["left"], rect["top"], rect["right"], rect["bottom"])

    def overlaps(self, other: Box) -> bool:
        """Whether the two share more than a rounding error of area."""
        return (
            min(self.right, other.right) - max(self.left, other.left) > SLACK
            and min(self.bottom, other.bottom) - max(self.top, other.top) > SLACK
        )

    def clip(self, other: Box) -> Box | None:
        """The part of this box inside ``other`` (what a scroll box shows), None if nothing."""
        clipped = Box(
            max(self.left, other.left),
            max(self.top, other.top),
            min(self.right, other.right),
            min(self.bottom, other.bottom),
        )
        return clipped if clipped.right > clipped.left and clipped.bottom > clipped.top else None

    def within(self, other: Box) -> bool:
        """Whether this box lies wholly inside ``other``."""
        return (
            self.left >= other.left - SLACK
            and self.top >= other.top - SLACK
            and self.right <= other.right + SLACK
            and self.bottom <= other.bottom + SLACK
        )


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    """The emulator serving the page, without a bot."""
    async with Emulator(rate_limits=False) as emu:
        yield emu


async def bot_says(emulator: Emulator, chat_id: int, text: str, **extra: Any) -> None:
    """The bot sends ``text`` to ``chat_id`` through the Bot API, as a bot would."""
    async with httpx.AsyncClient() as client:
        url = f"{emulator.bot_base_url}{emulator.token}/sendMessage"
        answer = await client.post(url, json={"chat_id": chat_id, "text": text} | extra)
        assert answer.json()["ok"], answer.text


async def fill_chats(emulator: Emulator) -> None:
    """Three users who said /start, each chat longer than the window, the newest message last
    with a keyboard under it."""
    for user_id, name, language in USERS:
        emulator.driver.create_user(user_id, name, None, language)
        emulator.driver.send_text(user_id, "/start")
        for n in range(BOT_MESSAGES):
            await bot_says(emulator, user_id, f"Message {n} for {name}\nsecond line\nthird line")
        await bot_says(
            emulator,
            user_id,
            f"The newest for {name}",
            reply_markup={"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]},
        )


async def measure(page: Page) -> dict[str, Any]:
    """Boxes of the chats' scroll box, the request panel, each chat, its list and newest message."""
    result: dict[str, Any] = await page.evaluate(MEASURE)
    return result


def assert_nothing_covers_a_chat(layout: dict[str, Any]) -> None:
    """No chat's visible part lies under the panel or another chat; the chats' box neither."""
    panel, area = Box.of(layout["panel"]), Box.of(layout["chats"])
    assert not area.overlaps(panel), layout
    assert panel.within(Box.of(layout["viewport"])), layout
    boxes = [Box.of(column["box"]) for column in layout["columns"]]
    for index, box in enumerate(boxes):
        shown = box.clip(area)
        assert shown is None or not shown.overlaps(panel), (index, layout)
        for other in boxes[index + 1 :]:
            assert not box.overlaps(other), (index, layout)
    if any(not box.within(area) for box in boxes):
        assert layout["sideways"], "chats that do not fit must scroll sideways"


def assert_newest_messages_shown(layout: dict[str, Any]) -> None:
    """Each chat's newest message (with its keyboard) is wholly inside its scroll box."""
    for column in layout["columns"]:
        assert column["newest"] is not None, column
        newest, listed = Box.of(column["newest"]), Box.of(column["list"])
        assert newest.top >= listed.top - SLACK, column
        assert newest.bottom <= listed.bottom + SLACK, column


def fully_shown(layout: dict[str, Any]) -> int:
    """How many chats are wholly inside the chats' box and the window."""
    area, window = Box.of(layout["chats"]), Box.of(layout["viewport"])
    return sum(
        Box.of(c["box"]).within(area) and Box.of(c["box"]).within(window) for c in layout["columns"]
    )


async def loaded(page: Page, count: int = len(USERS)) -> None:
    """Wait for every chat with its newest message."""
    await expect(page.locator(".chat")).to_have_count(count, timeout=WAIT_MS)
    for _, name, _ in USERS[:count]:
        await expect(page.locator(".msg", has_text=f"The newest for {name}")).to_be_visible(
            timeout=WAIT_MS
        )


@pytest.mark.parametrize("width", sorted(WIDTHS))
async def test_chats_fit_scroll_sideways_and_show_their_newest_message(
    browser: Browser, emulator: Emulator, tmp_path: Path, width: int
) -> None:
    await fill_chats(emulator)
    opened = await open_page(browser, emulator.base_url, width=width, height=HEIGHT)
    page = opened.page
    await loaded(page)
    layout = await measure(page)
    assert_nothing_covers_a_chat(layout)
    assert_newest_messages_shown(layout)
    assert fully_shown(layout) >= WIDTHS[width], layout
    shot = tmp_path / f"chat-page-{width}.png"
    await page.screenshot(path=str(shot))
    print(f"screenshot: {shot}")

    await page.reload()  # the newest message must not end half hidden after a reload
    await loaded(page)
    assert_newest_messages_shown(await measure(page))

    for user_id, name, _ in USERS:
        await bot_says(emulator, user_id, f"One more for {name}\nwith\nfour\nlines")
    for _, name, _ in USERS:
        await expect(page.locator(".msg", has_text=f"One more for {name}")).to_be_attached(
            timeout=WAIT_MS
        )
    await page.wait_for_function(
        "() => [...document.querySelectorAll('.messages')].every("
        "(l) => l.lastElementChild.textContent.includes('One more'))"
    )
    assert_newest_messages_shown(await measure(page))

    last = page.locator(".chat").last
    await last.scroll_into_view_if_needed()  # the chats scroll sideways to any chat
    layout = await measure(page)
    assert Box.of(layout["columns"][-1]["box"]).within(Box.of(layout["chats"])), layout
    assert_nothing_covers_a_chat(layout)
    assert_no_page_trouble(opened)


def assert_no_page_trouble(opened: BrowserPage) -> None:
    """No dialogs, no script errors."""
    assert opened.dialogs == []
    assert opened.errors == []


@pytest.mark.parametrize("width", [420, 1000])
async def test_the_request_log_folds_away_and_stays_folded(
    browser: Browser, emulator: Emulator, tmp_path: Path, width: int
) -> None:
    await fill_chats(emulator)
    opened = await open_page(browser, emulator.base_url, width=width, height=HEIGHT)
    page = opened.page
    await loaded(page)
    fold = page.locator("#fold-requests")
    log = page.locator("#request-log")
    if width < 760:  # a narrow window starts with the log folded under the chats
        await expect(log).to_be_hidden()
        await fold.click()
    await expect(log).to_be_visible()
    await expect(fold).to_have_attribute("aria-expanded", "true")
    open_layout = await measure(page)
    assert_nothing_covers_a_chat(open_layout)

    await fold.click()
    await expect(log).to_be_hidden()
    await expect(fold).to_have_attribute("aria-expanded", "false")
    folded = await measure(page)
    assert_nothing_covers_a_chat(folded)
    grew = Box.of(folded["chats"])
    was = Box.of(open_layout["chats"])
    assert (grew.right - grew.left) * (grew.bottom - grew.top) > (was.right - was.left) * (
        was.bottom - was.top
    )
    assert_newest_messages_shown(folded)
    await page.screenshot(path=str(tmp_path / f"folded-{width}.png"))

    await page.reload()
    await loaded(page)
    await expect(log).to_be_hidden()  # remembered in this browser
    await expect(fold).to_have_text("Show")
    assert_no_page_trouble(opened)


async def test_a_stopped_server_is_said_in_words_until_it_answers_again(
    browser: Browser,
) -> None:
    first = Emulator(rate_limits=False)
    await first.start()
    port = first.port
    try:
        first.driver.create_user(1001, "Ann", None, "en")
        opened = await open_page(browser, first.base_url, width=1000)
        page = opened.page
        banner = page.locator("#offline")
        await expect(page.locator(".chat")).to_have_count(1, timeout=WAIT_MS)
        await expect(banner).to_be_hidden()
    finally:
        await first.stop()
    await expect(banner).to_be_visible(timeout=WAIT_MS)
    await expect(banner).to_contain_text("The sandbox server stopped")
    await expect(banner).to_contain_text("make run")
    await expect(page.locator(".toast.alert")).to_have_count(0)  # the banner says it all

    async with Emulator(rate_limits=False, port=port) as second:
        second.driver.create_user(1002, "Bob", None, "en")
        await expect(banner).to_be_hidden(timeout=WAIT_MS)
        await expect(page.locator(".chat-title")).to_have_text(["Bob"], timeout=WAIT_MS)
    assert_no_page_trouble(opened)


async def test_the_page_has_a_favicon(browser: Browser, emulator: Emulator) -> None:
    opened = await open_page(browser, emulator.base_url)
    href = await opened.page.locator("link[rel=icon]").get_attribute("href")
    assert href is not None
    icon = await opened.page.request.get(f"{emulator.base_url}{href}")
    assert icon.status == 200
    assert icon.headers["content-type"].startswith("image/")
