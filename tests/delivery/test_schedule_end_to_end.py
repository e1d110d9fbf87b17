"""Scheduled digests through the sandbox with a controlled clock: each reader at their own 08:00,
in their language, with their tags; never twice (second tick, restart); one after downtime."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time

from sqlalchemy import func, select

from digestbot.bot.app import build_application
from digestbot.delivery.sender import OutboxSender
from digestbot.model import Article, ArticleText, Lang
from digestbot.store.articles import article_tags, save_article
from digestbot.store.models import Digest, OutboxMessage, OutboxState
from digestbot.store.subscribers import set_schedule, set_tags
from tests.support.bot import ANN, LI, BotHarness
from tests.support.shown import shown_article_ids

MAY_25 = datetime(2026, 5, 25, tzinfo=UTC)


def _utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 5, day, hour, minute, tzinfo=UTC)


async def _tick(bot: BotHarness, now: datetime) -> list[int]:
    """Run one tick at ``now``, wait until everything it planned is sent; the chats planned."""
    bot.clock.now = now
    report = await bot.runtime.tick()
    assert report is not None
    await _sender(bot).wait_idle()
    return sorted(p.chat_id for p in report.planned)


def _bot_messages(bot: BotHarness, chat_id: int) -> list[str]:
    return [m["text"] for m in bot.driver.transcript(chat_id) if m["from_bot"]]


def _digests(bot: BotHarness, chat_id: int) -> list[tuple[date, set[str]]]:
    """(local date, union of the tags of its articles) of each digest the reader got."""
    with bot.sessions() as session:
        digests = session.scalars(
            select(Digest).where(Digest.chat_id == chat_id).order_by(Digest.id)
        ).all()
        result = []
        for digest in digests:
            ids = shown_article_ids(session, digest_id=digest.id)
            tags = article_tags(session, ids)
            result.append((digest.local_date, {t for i in ids for t in tags[i]}))
        return result


def _all_written(bot: BotHarness) -> bool:
    """Whether every outbox message is recorded as sent."""
    with bot.sessions() as session:
        return (
            session.execute(
                select(func.count()).where(OutboxMessage.state != OutboxState.SENT)
            ).scalar_one()
            == 0
        )


async def test_two_readers_get_their_digest_at_their_own_eight_oclock(bot: BotHarness) -> None:
    bot.clock.now = _utc(24, 12)  # they sign up the day before (the bot's clock is the sign-up's)
    await bot.say(LI, "/start")  # Chinese, from Telegram's language_code
    await bot.say(ANN, "/start")  # English
    with bot.sessions.begin() as session:
        set_schedule(session, LI, timezone="Asia/Shanghai", digest_time=time(8, 0))
        set_tags(session, LI, ["tech"])
        set_schedule(session, ANN, timezone="Europe/London", digest_time=time(8, 0))
        set_tags(session, ANN, ["world"])
    before = {chat: len(_bot_messages(bot, chat)) for chat in (LI, ANN)}

    assert await _tick(bot, _utc(24, 23, 59)) == []  # 07:59 in Shanghai
    assert await _tick(bot, _utc(25, 0, 0)) == [LI]  # 08:00 in Shanghai, 01:00 in London
    assert await _tick(bot, _utc(25, 0, 1)) == []  # a second tick plans nothing twice
    assert await _tick(bot, _utc(25, 6, 59)) == []  # 07:59 in London (BST)
    assert await _tick(bot, _utc(25, 7, 0)) == [ANN]  # 08:00 in London

    await bot.driver.wait_for(lambda: len(_bot_messages(bot, ANN)) > before[ANN] or None, 10)
    li_digest = _bot_messages(bot, LI)[before[LI] :]
    ann_digest = _bot_messages(bot, ANN)[before[ANN] :]
    assert li_digest
    assert ann_digest
    assert "2026年5月25日" in li_digest[0]  # Chinese, dated in the reader's zone
    assert "May 25, 2026" in ann_digest[0]
    [(li_date, li_tags)] = _digests(bot, LI)
    [(ann_date, ann_tags)] = _digests(bot, ANN)
    assert (li_date, ann_date) == (date(2026, 5, 25), date(2026, 5, 25))
    assert "tech" in li_tags
    assert "world" in ann_tags
    with bot.sessions() as session:
        for chat_id, tag in ((LI, "tech"), (ANN, "world")):
            ids = shown_article_ids(session, chat_id=chat_id)
            assert all(tag in tags for tags in article_tags(session, ids).values())

    # A restart: a second application on the same database plans and sends nothing again (on
    # SQLite its sender waits for the first one's outbox lock, so there only planning is tried).
    # First every outcome written: Telegram has a message a moment before the outbox says SENT.
    for _ in range(100):
        if _all_written(bot):
            break
        await asyncio.sleep(0.1)
    sent = {chat: len(_bot_messages(bot, chat)) for chat in (LI, ANN)}
    restarted = build_application(bot.deps, bot.emulator.token, api_url=bot.emulator.base_url)
    async with restarted:
        await restarted.start()
        bot.clock.now = _utc(25, 7, 5)
        report = await restarted.bot_data.runtime.tick()
        await restarted.stop()
    assert report is not None
    assert report.planned == ()
    with bot.sessions() as session:
        pending = session.scalars(
            select(OutboxMessage).where(OutboxMessage.state != OutboxState.SENT)
        ).all()
    assert pending == []
    assert {chat: len(_bot_messages(bot, chat)) for chat in (LI, ANN)} == sent

    # Two days of downtime, one new article: one digest each, not one per missed day.
    with bot.sessions.begin() as session:
        save_article(session, _new_article(), content_hash="new", source_path="new.md")
    assert await _tick(bot, _utc(27, 9, 0)) == [ANN, LI]
    assert await _tick(bot, _utc(27, 9, 1)) == []
    assert [d for d, _ in _digests(bot, LI)] == [date(2026, 5, 25), date(2026, 5, 27)]
    assert [d for d, _ in _digests(bot, ANN)] == [date(2026, 5, 25), date(2026, 5, 27)]


def _new_article() -> Article:
    texts = {
        Lang.ZH: ArticleText(
            Lang.ZH, "新的芯片工厂", "摘要。", "正文。", (), "新的芯片工厂\n\n正文。"
        ),
        Lang.EN: ArticleText(Lang.EN, "A new chip plant", "Summary.", "Body.", (), "Body."),
    }
    return Article(
        key="new-plant",
        url="https://example.com/new-plant",
        date=datetime(2026, 5, 26, tzinfo=UTC),
        tags=("tech", "world"),
        author=None,
        texts=texts,
    )


def _sender(bot: BotHarness) -> OutboxSender:
    sender = bot.runtime.sender
    assert sender is not None
    return sender
