"""Hostile text on the chat page: article and user text shows as text, never as HTML."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.async_api import expect

from tests.web.conftest import BrowserPage, needs_chromium
from tests.web.test_chat_page import add_user, bot_message, say

pytestmark = needs_chromium

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
HOSTILE_ARTICLE = f"""---
title: Markets {SCRIPT} rally
date: 2026-03-01T08:00:00Z
tags:
- tech
author: "{IMG}"
description: Stocks rose {IMG} on Monday.
---

# Markets {SCRIPT} rally

Stocks rose {IMG} on Monday as investors {SCRIPT} bought chip makers.
"""


@pytest.fixture
def articles_dir(tmp_path: Path) -> Path:
    """One article whose title, author and body carry script and img tags."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "hostile.md").write_text(HOSTILE_ARTICLE, encoding="utf-8")
    return folder


async def assert_nothing_ran(chat_page: BrowserPage) -> None:
    page = chat_page.page
    await expect(page.locator(".messages img")).to_have_count(0)
    await expect(page.locator(".messages script")).to_have_count(0)
    assert await page.evaluate("document.images.length") == 0
    assert chat_page.dialogs == []
    assert chat_page.errors == []


@needs_chromium
async def test_hostile_article_text_is_shown_as_text(chat_page: BrowserPage) -> None:
    loaded = chat_page.sandbox.loaded
    assert loaded is not None
    assert loaded.new == 1, loaded.summary()
    page = chat_page.page
    ann = await add_user(page, "Ann", "en")
    await say(ann, "/start")
    await expect(bot_message(ann, "Hello Ann!")).to_be_visible()

    await say(ann, "/read_1")
    article = bot_message(ann, f"Markets {SCRIPT} rally")
    await expect(article).to_be_visible()
    await expect(article).to_contain_text(f"Stocks rose {IMG} on Monday")
    await expect(article.locator("strong").first).to_have_text(f"Markets {SCRIPT} rally")

    await page.click("#send-digests")
    digest = bot_message(ann, "new article")
    await expect(digest).to_contain_text(f"Markets {SCRIPT} rally")
    await expect(digest).to_contain_text(IMG)
    await assert_nothing_ran(chat_page)


@needs_chromium
async def test_hostile_user_text_and_names_are_shown_as_text(chat_page: BrowserPage) -> None:
    page = chat_page.page
    column = await add_user(page, IMG, "en")
    await expect(column.locator(".chat-title")).to_have_text(IMG)
    await say(column, f"/search {SCRIPT} {IMG}")
    await expect(column.locator(".msg.user .text")).to_have_text(f"/search {SCRIPT} {IMG}")
    await expect(column.locator(".msg.bot")).to_have_count(1)
    await assert_nothing_ran(chat_page)


@needs_chromium
async def test_entities_become_elements_edits_apply_in_place_and_deletions_vanish(
    chat_page: BrowserPage,
) -> None:
    page = chat_page.page
    ann = await add_user(page, "Ann", "en")
    await say(ann, "/start")
    await expect(bot_message(ann, "Hello Ann!")).to_be_visible()
    emulator = chat_page.sandbox.emulator
    html = (
        "<b>bold</b> <i>italic</i> <u>under</u> <s>struck</s> <code>x = 1</code> "
        '<pre><code class="language-python">print(1)</code></pre>'
        '<a href="https://example.com/a">safe link</a> '
        '<a href="javascript:alert(1)">evil link</a> '
        "<blockquote>quoted</blockquote><tg-spoiler>hidden</tg-spoiler> "
        "<b>bold <i>and italic</i></b> &lt;img src=x onerror=alert(1)&gt; try /help"
    )
    async with httpx.AsyncClient() as client:
        sent = await client.post(
            f"{emulator.bot_base_url}{emulator.token}/sendMessage",
            json={
                "chat_id": 1001,
                "text": html,
                "parse_mode": "HTML",
                "reply_markup": {
                    "inline_keyboard": [[{"text": IMG, "url": "https://example.com/b"}]]
                },
            },
        )
    assert sent.json()["ok"] is True, sent.text
    message = bot_message(ann, "safe link")
    await expect(message.locator("strong").first).to_have_text("bold")
    await expect(message.locator("em").first).to_have_text("italic")
    await expect(message.locator("u")).to_have_text("under")
    await expect(message.locator("s")).to_have_text("struck")
    await expect(message.locator(".text > code")).to_have_text("x = 1")
    await expect(message.locator("pre code")).to_have_text("print(1)")
    await expect(message.locator("pre code")).to_have_attribute("data-language", "python")
    safe = message.get_by_role("link", name="safe link")
    await expect(safe).to_have_attribute("href", "https://example.com/a")
    await expect(safe).to_have_attribute("rel", "noopener noreferrer")
    await expect(safe).to_have_attribute("target", "_blank")
    await expect(message).to_contain_text("evil link")  # Telegram drops the javascript: link
    await expect(message.locator('a[href^="javascript:"]')).to_have_count(0)
    await expect(message.locator("blockquote")).to_have_text("quoted")
    spoiler = message.locator(".spoiler")
    await expect(spoiler).to_have_text("hidden")
    await spoiler.click()
    await expect(spoiler).to_have_class("spoiler revealed")
    await expect(message.locator("strong em")).to_have_text("and italic")
    await expect(message).to_contain_text(IMG)
    url_button = message.get_by_role("button", name=IMG)
    await expect(url_button).to_have_attribute("href", "https://example.com/b")
    await expect(url_button).to_have_attribute("target", "_blank")

    message_id = int(await message.get_attribute("data-message-id") or 0)
    async with httpx.AsyncClient() as client:
        edited = await client.post(
            f"{emulator.bot_base_url}{emulator.token}/editMessageText",
            json={
                "chat_id": 1001,
                "message_id": message_id,
                "text": "now <i>edited</i> /help",
                "parse_mode": "HTML",
            },
        )
        assert edited.json()["ok"] is True, edited.text
        message = ann.locator(f'.msg[data-message-id="{message_id}"]')
        await expect(message.locator(".text")).to_have_text("now edited /help")
        await expect(message.locator(".text em")).to_have_text("edited")
        await expect(message.locator(".meta")).to_contain_text("edited")

        await message.locator("a.command", has_text="/help").click()
        await expect(bot_message(ann, "What I can do")).to_be_visible()
        deleted = await client.post(
            f"{emulator.bot_base_url}{emulator.token}/deleteMessage",
            json={"chat_id": 1001, "message_id": message_id},
        )
        assert deleted.json()["ok"] is True, deleted.text
    await expect(message).to_have_count(0)
    await assert_nothing_ran(chat_page)
