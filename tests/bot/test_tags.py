"""/tags end to end: toggle buttons with counts and check marks, pages, Done, stale buttons."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import delete, insert

from digestbot.config import ReaderSettings, Settings, TelegramSettings
from digestbot.model import Lang
from digestbot.store import models as m
from digestbot.store.subscribers import tag_catalog
from tests.support.bot import ADMIN, ANN, LI, BotHarness, button_data, button_labels
from tests.support.profiles import stored_profile
from tests.support.settings import local_settings


@pytest.fixture
def bot_settings() -> Settings:
    labels = {"world": {Lang.ZH: "国际", Lang.EN: "World"}}
    return replace(
        local_settings(),
        telegram=TelegramSettings(admin_ids=frozenset({ADMIN})),
        reader=ReaderSettings(tag_labels=labels),
    )


def _tag_id(bot: BotHarness, name: str) -> int:
    with bot.sessions() as session:
        return next(tag.id for tag in tag_catalog(session) if tag.name == name)


def _followed(bot: BotHarness, chat_id: int) -> tuple[str, ...]:
    return stored_profile(bot, chat_id).tags


def _add_tags(bot: BotHarness, *names: str) -> None:
    with bot.sessions.begin() as session:
        session.execute(insert(m.Tag), [{"name": name} for name in names])


async def test_chinese_reader_follows_a_tag_with_its_localized_label(bot: BotHarness) -> None:
    tags = await bot.say(LI, "/tags")
    assert tags["text"].startswith("请选择你想关注的标签。")
    assert "你没有关注任何标签，因此会收到所有主题的文章。" in tags["text"]
    assert "国际 (6)" in button_labels(tags)
    assert "climate (7)" in button_labels(tags)
    assert button_labels(tags)[-1] == "完成"
    world = _tag_id(bot, "world")

    answer = await bot.press(LI, tags, f"tag:t:{world}:0")
    assert answer["text"] == "已关注：国际"
    edited = bot.message(LI, tags["message_id"])
    assert "✅ 国际 (6)" in button_labels(edited)
    assert "你关注的标签：国际" in edited["text"]
    assert _followed(bot, LI) == ("world",)

    answer = await bot.press(LI, edited, f"tag:t:{world}:0")
    assert answer["text"] == "已取消关注：国际"
    assert "国际 (6)" in button_labels(bot.message(LI, tags["message_id"]))
    assert _followed(bot, LI) == ()


async def test_english_reader_follows_two_tags_then_done(bot: BotHarness) -> None:
    tags = await bot.say(ANN, "/tags")
    assert tags["text"].startswith("Pick the tags you want to follow.")
    assert "World (6)" in button_labels(tags)
    await bot.press(ANN, tags, f"tag:t:{_tag_id(bot, 'world')}:0")
    await bot.press(ANN, bot.message(ANN, tags["message_id"]), f"tag:t:{_tag_id(bot, 'tech')}:0")
    edited = bot.message(ANN, tags["message_id"])
    assert {"✅ World (6)", "✅ tech (7)"} <= set(button_labels(edited))
    assert "You follow: tech and World" in edited["text"]
    answer = await bot.press(ANN, edited, "tag:done")
    assert answer.get("text") in (None, "")
    done = bot.message(ANN, tags["message_id"])
    assert done["text"] == "You follow: tech and World"
    assert button_data(done) == []
    assert _followed(bot, ANN) == ("tech", "world")


async def test_many_tags_are_paged(bot: BotHarness) -> None:
    _add_tags(bot, *(f"topic{n:02}" for n in range(10)))
    tags = await bot.say(ANN, "/tags")
    data = button_data(tags)
    assert len([d for d in data if d.startswith("tag:t:")]) == 8
    assert data[-2:] == ["tag:p:1", "tag:done"]
    assert "Page 1 of 2" in tags["text"]
    assert all(len(d.encode()) <= 64 for d in data)

    await bot.press(ANN, tags, "tag:p:1")
    second = bot.message(ANN, tags["message_id"])
    assert "Page 2 of 2" in second["text"]
    toggles = [d for d in button_data(second) if d.startswith("tag:t:")]
    assert len(toggles) == 7
    assert button_data(second)[-2:] == ["tag:p:0", "tag:done"]
    assert button_labels(second)[-2:] == ["◀", "Done"]

    last = toggles[-1]
    await bot.press(ANN, second, last)
    after = bot.message(ANN, tags["message_id"])
    assert "Page 2 of 2" in after["text"]  # the toggle keeps the page
    assert "✅ topic09 (0)" in button_labels(after)
    assert _followed(bot, ANN) == ("topic09",)


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        (ANN, "That tag no longer exists. Here are the current tags."),
        (LI, "该标签已不存在。以下是当前的标签。"),
    ],
)
async def test_a_deleted_tag_button_is_answered_and_the_keyboard_refreshed(
    bot: BotHarness, user: int, expected: str
) -> None:
    tags = await bot.say(user, "/tags")
    world = _tag_id(bot, "world")
    with bot.sessions.begin() as session:
        session.execute(delete(m.Tag).where(m.Tag.id == world))
    answer = await bot.press(user, tags, f"tag:t:{world}:0")
    assert answer["text"] == expected
    refreshed = bot.message(user, tags["message_id"])
    assert f"tag:t:{world}:0" not in button_data(refreshed)
    assert _followed(bot, user) == ()


async def test_tag_names_are_escaped(bot: BotHarness) -> None:
    _add_tags(bot, "r&d <lab>")
    tags = await bot.say(ANN, "/tags")
    assert "r&d <lab> (0)" in button_labels(tags)
    await bot.press(ANN, tags, f"tag:t:{_tag_id(bot, 'r&d <lab>')}:0")
    edited = bot.message(ANN, tags["message_id"])
    assert "You follow: r&d <lab>" in edited["text"]


async def test_no_tags_says_so(bot: BotHarness) -> None:
    with bot.sessions.begin() as session:
        session.execute(delete(m.Tag))
    reply = await bot.say(LI, "/tags")
    assert reply["text"] == "暂时还没有标签。"
    assert button_data(reply) == []
