"""The sandbox chat page in Chromium: a first session as a Chinese reader, from /start to a digest.

``DIGESTBOT_SCREENSHOT=docs/sandbox.png`` makes the test save the README's screenshot there.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.async_api import Locator, Page, Response, expect

from tests.web.conftest import BrowserPage, needs_chromium

pytestmark = needs_chromium

ROOT = Path(__file__).resolve().parents[2]


async def add_user(page: Page, name: str, language: str) -> Locator:
    """Fill the page's "add user" form; returns the new chat column."""
    await page.fill("#user-name", name)
    await page.select_option("#user-language", language)
    await page.click("#add-user-button")
    column = page.locator(".chat", has=page.locator(".chat-title", has_text=name))
    await expect(column).to_be_visible()
    return column


async def say(column: Locator, text: str) -> None:
    """Type ``text`` in the column's message box and send it."""
    await column.locator(".message-input").fill(text)
    await column.locator(".message-input").press("Enter")


def bot_message(column: Locator, text: str | re.Pattern[str]) -> Locator:
    """The bot's message in this chat containing ``text``."""
    return column.locator(".msg.bot", has_text=text)


@needs_chromium
async def test_a_chinese_reader_starts_follows_searches_reads_and_gets_a_digest(
    chat_page: BrowserPage, tmp_path: Path
) -> None:
    page = chat_page.page
    li = await add_user(page, "李雷", "zh-hans")
    await expect(li.locator(".chat-language")).to_have_text("zh-hans")

    await say(li, "/start")
    greeting = bot_message(li, "你好，李雷！")
    await expect(greeting).to_be_visible()
    await greeting.get_by_role("button", name="简体中文").click()
    await expect(page.locator(".toast", has_text="好的，之后我会用中文和你交流。")).to_be_visible()
    await expect(greeting).to_have_count(0)  # edited in place: the greeting became the answer
    await expect(bot_message(li, "好的，之后我会用中文和你交流。")).to_contain_text("edited")

    tags = bot_message(li, "请选择你想关注的标签")
    await tags.get_by_role("button", name=re.compile(r"^科技 ")).click()
    await expect(tags.get_by_role("button", name=re.compile(r"^✅ 科技 "))).to_be_visible()
    await expect(tags).to_contain_text("你关注的标签：科技")

    await li.locator(".menu-button").click()  # the command menu, as the bot set it
    await expect(li.locator(".command-row", has_text="/search")).to_be_visible()
    await li.locator(".menu-button").click()
    await expect(li.locator(".command-menu")).to_be_hidden()

    await say(li, "/search 阿里巴巴")
    results = bot_message(li, "阿里巴巴的搜索结果")
    await expect(results.locator("strong", has_text="阿里巴巴").first).to_be_visible()
    first_hit = results.locator("a.command", has_text=re.compile(r"^/read_\d+$")).first
    await first_hit.click()
    title = "阿里巴巴借助云业务成为中国领先的 AI 投资者"
    article = li.locator(".msg.bot").filter(has=page.locator("strong", has_text=title)).last
    await expect(article).to_be_visible()

    switch = li.get_by_role("button", name="阅读英文版").last
    await switch.click()
    english = "Alibaba leverages cloud business to become a leading AI investor in China"
    await expect(li.locator(".msg.bot", has_text=english).first).to_be_visible()

    await page.click("#send-digests")
    await expect(page.locator(".toast", has_text="Planned 1 digest (")).to_be_visible()
    digest = bot_message(li, re.compile(r"的文章摘要：\d+篇新文章"))
    await expect(digest).to_be_visible()
    await page.click("#send-digests")  # again: the toast says why nothing went out
    again = page.locator(".toast", has_text="nothing new for the 1 reader since their last digest")
    await expect(again).to_be_visible()
    await expect(page.locator(".toast", has_text="Planned 0")).to_have_count(0)
    await expect(digest.get_by_role("button", name="阅读英文版")).to_be_visible()
    await expect(digest.locator("a.link").first).to_have_attribute("rel", "noopener noreferrer")
    await expect(digest.locator("a.link").first).to_have_attribute("target", "_blank")

    log = page.locator("#request-log")
    await expect(log.locator(".request.ok", has_text="sendMessage").first).to_be_attached()
    await expect(log.locator(".request.ok", has_text="editMessageText").first).to_be_attached()
    await expect(log.locator(".request.ok", has_text="answerCallbackQuery").first).to_be_attached()

    ann = await add_user(page, "Ann", "en")
    await say(ann, "/start")
    await bot_message(ann, "Hello Ann!").get_by_role("button", name="English").click()
    await expect(bot_message(ann, "Pick the tags you want to follow.")).to_be_visible()

    await expect(page.locator(".toast")).to_have_count(0)  # they fade after a few seconds
    target = Path(os.environ.get("DIGESTBOT_SCREENSHOT") or tmp_path / "sandbox.png")
    await page.screenshot(path=str(target if target.is_absolute() else ROOT / target))
    assert chat_page.dialogs == []
    assert chat_page.errors == []
    rejected = [
        entry for entry in chat_page.sandbox.emulator.recorder.entries() if entry["status"] == 400
    ]
    assert rejected == []


def _clock_post(response: Response) -> bool:
    return response.url.endswith("/sandbox/clock") and response.request.method == "POST"


@needs_chromium
async def test_the_clock_controls_move_the_bots_clock(chat_page: BrowserPage) -> None:
    page = chat_page.page
    shown = page.locator("#clock-now")
    await expect(shown).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d UTC$"))
    today = (await shown.text_content() or "")[:10]
    async with page.expect_response(_clock_post) as advanced:
        await page.click("#advance-day")
    assert (await (await advanced.value).json())["speed"] == 1
    await expect(page.locator(".toast", has_text="no chat is an active reader yet")).to_be_visible()
    await expect(shown).not_to_have_text(re.compile(f"^{today}"))
    assert chat_page.sandbox.deps.clock() > datetime.now(UTC) + timedelta(hours=23)

    async with page.expect_response(_clock_post) as sped_up:
        await page.select_option("#clock-speed", "60")
    assert (await (await sped_up.value).json())["speed"] == 60
    await expect(page.locator("#clock-speed")).to_have_value("60")
