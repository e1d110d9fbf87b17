"""``sandbox --check``: the bot and the emulator in one process, a scripted chat and a digest.

A Chinese reader starts, picks 简体中文, searches 芯片, reads a hit, opens /settings and asks for a
digest; an English reader asks for /help and searches by plain text. Every step's answer is
checked, and so is every Bot API request: the emulator must have rejected none with 400.
"""

from __future__ import annotations

import asyncio
import logging
import re
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from digestbot import messages
from digestbot.config import Settings
from digestbot.doctor import Finding, Status
from digestbot.errors import DigestbotError
from digestbot.i18n import translator
from digestbot.logs import configure_logging
from digestbot.model import Lang
from digestbot.sandbox_app.host import SandboxedBot, sandboxed_bot, with_demo_articles
from digestbot.store.models import OutboxMessage, OutboxState

__all__ = ["check_sandbox", "run_check", "sandbox_check_settings"]

WEI, ANN = 7001, 7002  # the Chinese and the English reader
WAIT = 20.0  # seconds for any one answer
ZH, EN = translator(Lang.ZH), translator(Lang.EN)
_READ_LINK = re.compile(r"/read_(\d+)")


class StepFailed(DigestbotError):
    """A step's answer was not the one expected; the message says what came instead."""


@dataclass
class Conversation:
    """The running sandbox, the requests already checked and what earlier steps found."""

    running: SandboxedBot
    checked_seq: int = 0
    article_id: str = ""

    async def say(self, user_id: int, text: str) -> dict[str, Any]:
        """The user writes ``text``; the bot's next message in their chat."""
        self.running.emulator.driver.send_text(user_id, text)
        return await self.next_message(user_id)

    async def next_message(self, user_id: int) -> dict[str, Any]:
        """The bot's next message to ``user_id``."""
        return await self.running.emulator.driver.next_bot_message(user_id, WAIT)

    async def press(self, user_id: int, message: dict[str, Any], data: str) -> dict[str, Any]:
        """Press the button with ``data`` under ``message``; the bot's callback answer."""
        driver = self.running.emulator.driver
        update = driver.press_button(user_id, message["message_id"], data)
        return await driver.callback_answer(update["callback_query"]["id"], WAIT)

    def rejected_since_last(self) -> list[str]:
        """Requests the emulator answered with 400 since the previous call."""
        entries = self.running.emulator.recorder.entries(self.checked_seq)
        if entries:
            self.checked_seq = entries[-1]["seq"]
        return [
            f"{e['method']}: {(e['response'] or {}).get('description', '')}"
            for e in entries
            if e["status"] == 400
        ]

    def open_outbox(self, chat_id: int) -> tuple[int, int]:
        """(all, not yet sent) outbox rows of ``chat_id``."""
        query = select(func.count()).where(OutboxMessage.chat_id == chat_id)
        waiting = query.where(OutboxMessage.state.in_([OutboxState.PENDING, OutboxState.SENDING]))
        with self.running.deps.sessions() as session:
            return session.scalar(query) or 0, session.scalar(waiting) or 0


def expect(condition: bool, failure: str, message: dict[str, Any] | None = None) -> None:
    """Raise StepFailed with ``failure`` (and the start of the bot's text) unless ``condition``."""
    if not condition:
        seen = f" (the bot said: {message['text'][:80]!r})" if message is not None else ""
        raise StepFailed(failure + seen)


def plain(html: str) -> str:
    """A catalog message's text without its HTML tags, as the reader sees it."""
    return re.sub(r"<[^>]+>", "", html)


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, callback data) of every inline button under ``message``."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]


async def zh_start(chat: Conversation) -> str:
    """/start from a zh-hans client: a Chinese greeting with the three language buttons."""
    chat.running.emulator.driver.create_user(WEI, "魏", None, "zh-hans")
    greeting = await chat.say(WEI, "/start")
    expect(ZH.gettext(messages.GREETING, name="魏") in greeting["text"], "no greeting", greeting)
    labels = [label for label, _ in buttons(greeting)]
    expect(labels == ["简体中文", "繁體中文", "English"], "no language buttons")
    await chat.press(WEI, greeting, "lang:zh")
    prompt = await chat.next_message(WEI)
    expect(prompt["text"].startswith(ZH.gettext(messages.TAGS_PROMPT)), "no tag list", prompt)
    return "greeted in Chinese; 简体中文 pressed; the tag list followed"


async def zh_search(chat: Conversation) -> str:
    """/search 芯片: results with the hit in bold and /read links."""
    results = await chat.say(WEI, "/search 芯片")
    links = _READ_LINK.findall(results["text"])
    expect("<b>芯片</b>" in results["html"] and bool(links), "no results for 芯片", results)
    chat.article_id = links[0]
    return f"{len(links)} results, 芯片 in bold"


async def zh_read(chat: Conversation) -> str:
    """/read_<id> of the first hit: the Chinese full text, the English switch on its last part."""
    first = part = await chat.say(WEI, f"/read_{chat.article_id}")
    parts = 1
    while not buttons(part) and parts < 20:
        part, parts = await chat.next_message(WEI), parts + 1
    expect("芯片" in first["text"], "the article is not the one found", first)
    switch = ZH.gettext(messages.BUTTON_READ_IN_ENGLISH)
    expect(any(label == switch for label, _ in buttons(part)), "no language switch", part)
    return f"article {chat.article_id} in {parts} message(s) with the switch button"


async def zh_settings(chat: Conversation) -> str:
    """/settings in Chinese, language 简体中文."""
    shown = await chat.say(WEI, "/settings")
    header = plain(ZH.gettext(messages.SETTINGS_HEADER))
    expect(shown["text"].startswith(header) and "简体中文" in shown["text"], "no settings", shown)
    return f"{len(buttons(shown))} buttons"


async def en_help(chat: Conversation) -> str:
    """/help from an English client lists the commands."""
    chat.running.emulator.driver.create_user(ANN, "Ann", None, "en")
    shown = await chat.say(ANN, "/help")
    header = plain(EN.gettext(messages.HELP_HEADER))
    expect(shown["text"].startswith(header) and "/search" in shown["text"], "no help", shown)
    return "the command list in English"


async def en_plain_search(chat: Conversation) -> str:
    """Plain text is a search."""
    results = await chat.say(ANN, "chip")
    expect(results["text"].startswith("Results for chip:"), "no results for chip", results)
    return f"{len(_READ_LINK.findall(results['text']))} results"


async def zh_digest(chat: Conversation) -> str:
    """/digest: every planned message arrives in Chinese with the English switch (the last, after
    "……还有 N 篇文章", with the button for the rest too), all sent."""
    first = await chat.say(WEI, "/digest")
    expect("年" in first["text"].split("\n")[0], "no Chinese digest header", first)
    total, _ = chat.open_outbox(WEI)
    expect(total > 0, "nothing was planned", first)
    delivered = [first] + [await chat.next_message(WEI) for _ in range(total - 1)]
    switch = ZH.gettext(messages.BUTTON_READ_IN_ENGLISH)
    for message in delivered:
        expect([label for label, _ in buttons(message)][:1] == [switch], "no switch", message)
    more = ZH.gettext(messages.BUTTON_MORE_ARTICLES)
    has_more = [label for label, _ in buttons(delivered[-1])][1:] == [more]
    expect(has_more == ("还有" in delivered[-1]["text"]), "no button for the rest", delivered[-1])
    for _ in range(int(WAIT * 10)):
        if chat.open_outbox(WEI)[1] == 0:
            break
        await asyncio.sleep(0.1)  # the sender marks a row sent just after Telegram answers
    expect(chat.open_outbox(WEI)[1] == 0, f"outbox rows of chat {WEI} still unsent")
    return f"{total} message(s) delivered through the outbox"


Step = Callable[[Conversation], Awaitable[str]]
STEPS: Sequence[tuple[str, Step]] = (
    ("zh /start, press 简体中文", zh_start),
    ("zh /search 芯片", zh_search),
    ("zh /read_<id>", zh_read),
    ("zh /settings", zh_settings),
    ("en /help", en_help),
    ("en plain-text search", en_plain_search),
    ("zh /digest", zh_digest),
)


def sandbox_check_settings(settings: Settings, folder: Path, database: str | None) -> Settings:
    """``settings`` on ``database`` if given, else on a fresh SQLite database in ``folder``; the
    monitoring endpoint, if on, on a free port (a sandbox may be running beside the check)."""
    url = database or f"sqlite:///{(folder / 'sandbox-check.sqlite3').as_posix()}"
    monitoring = settings.monitoring
    if monitoring.address:
        monitoring = replace(monitoring, address="127.0.0.1:0")
    return replace(settings, database=replace(settings.database, url=url), monitoring=monitoring)


async def _converse(
    settings: Settings,
    report: Callable[[Finding], None],
    latency: float,
    jitter: float,
    demo: Path | None,
) -> bool:
    async with sandboxed_bot(settings, latency=latency, jitter=jitter) as running:
        loaded = running.loaded
        if loaded is None or loaded.total == 0:
            folder = settings.paths.articles_dir
            seen = f"{folder} is not a folder here" if folder else "no articles folder set"
            fix = "set [paths] articles_dir (e.g. --config config/digestbot.toml)"
            report(Finding("articles", Status.FAIL, f"nothing loaded: {seen}", fix))
            return False
        shown = f"the demo that comes with digestbot ({demo}), " if demo is not None else ""
        report(Finding("articles", Status.OK, shown + loaded.summary()))
        chat = Conversation(running)
        for name, step in STEPS:
            try:
                detail = await step(chat)
            except (DigestbotError, TimeoutError) as exc:
                report(Finding(name, Status.FAIL, str(exc) or type(exc).__name__))
                return False
            rejected = chat.rejected_since_last()
            if rejected:
                report(
                    Finding(name, Status.FAIL, "the emulator answered 400: " + "; ".join(rejected))
                )
                return False
            report(Finding(name, Status.OK, detail))
        limited = [e["method"] for e in running.emulator.recorder.entries() if e["status"] == 429]
        if limited:
            detail = f"Telegram's flood control answered 429 to {len(limited)} request(s)"
            report(Finding("pace", Status.FAIL, detail + ": " + ", ".join(sorted(set(limited)))))
            return False
        report(Finding("pace", Status.OK, "no request was refused with 429"))
    return True


def run_check(
    settings: Settings,
    report: Callable[[Finding], None],
    database: str | None = None,
    *,
    latency: float = 0.0,
    jitter: float = 0.0,
) -> bool:
    """Run the scripted session on a free port (every Bot API call taking ``latency`` to
    ``latency + jitter`` s), on the packaged demo articles when ``settings`` name no folder;
    True when every step passed."""
    settings, demo = with_demo_articles(settings)
    with tempfile.TemporaryDirectory(prefix="digestbot-check-") as folder:
        checked = sandbox_check_settings(settings, Path(folder), database)
        return asyncio.run(_converse(checked, report, latency, jitter, demo))


def check_sandbox(
    settings: Settings, database: str | None, *, latency: float = 0.0, jitter: float = 0.0
) -> int:
    """``sandbox --check`` (on ``--database`` or a fresh SQLite file): 0 when all passed."""
    configure_logging(logging.ERROR)
    passed = run_check(
        settings,
        lambda finding: print(finding.line(), flush=True),
        database,
        latency=latency,
        jitter=jitter,
    )
    print("sandbox check passed" if passed else "sandbox check FAILED")
    return 0 if passed else 1
