"""Articles only in the other language, end to end with Telegram 0.2 s away: readers in zh-hans,
zh-hant (Taiwan and Hong Kong) and en see them by default, marked; /settings hides them, and then
their digest, its "more" pages, /search and inline search leave them out; showing them again
brings them back. Runs on SQLite and, where it answers, PostgreSQL."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

import pytest
from sqlalchemy import select

from digestbot.config import Settings
from digestbot.model import Lang
from digestbot.store import models as m
from digestbot.store.articles import article_langs
from tests.bot.test_digest_command import outbox_rows
from tests.bot.test_digest_rest import pages_until_done, read_ids
from tests.support.bot import ANN, LI, BotHarness, button_data
from tests.support.profiles import stored_profile

PAGE = 4  # max_articles: the digest shows 4, its "more" pages the rest
RESULT_ID = re.compile(r"/read_(\d+)")


@dataclass(frozen=True, slots=True)
class Case:
    """A reader: who, their Telegram language, and what they see."""

    user: int
    code: str
    lang: Lang
    hidden_line: str  # the /settings line once hidden
    shown_line: str
    hidden_answer: str  # the toast after hiding
    marker: str  # the digest's marker of an article only in the other language
    other_only_query: str  # a search only an article in the other language matches
    mixed_query: str  # a search matching articles in both languages and one only in the other


TAIWAN = Case(
    1201,
    "zh-tw",
    Lang.ZH,
    "僅有英文版的文章：隱藏",
    "僅有英文版的文章：顯示",
    "摘要和搜尋結果現在不再包含僅有英文版的文章。",
    "（僅有英文版）",
    "rocket",
    "launch",
)
CASES = [
    Case(
        LI,
        "zh-hans",
        Lang.ZH,
        "仅有英文版的文章：隐藏",
        "仅有英文版的文章：显示",
        "摘要和搜索结果现在不再包含仅有英文版的文章。",
        "（仅有英文版）",
        "rocket",
        "launch",
    ),
    TAIWAN,
    replace(TAIWAN, user=1202, code="zh-hk"),  # the same catalog; content in Hong Kong standard
    Case(
        ANN,
        "en",
        Lang.EN,
        "Articles only in the other language: Hidden",
        "Articles only in the other language: Shown",
        "Digests and search now leave out articles only in the other language.",
        "(Chinese only)",
        "水稻",
        "回收",
    ),
]


@pytest.fixture
def bot_latency() -> float:
    return 0.2


@pytest.fixture
def bot_settings(bot_settings: Settings) -> Settings:
    """Digests of at most ``PAGE`` articles, so the "more" pages are exercised too."""
    return replace(bot_settings, digest=replace(bot_settings.digest, max_articles=PAGE))


def offered_ids(bot: BotHarness, lang: Lang) -> tuple[set[int], set[int]]:
    """The seed ids with a text in ``lang``, and those without."""
    with bot.sessions() as session:
        langs = article_langs(session.connection())
        ids = set(session.scalars(select(m.Article.id)))
    mine = {i for i in ids if lang in langs[i]}
    return mine, ids - mine


async def whole_digest(bot: BotHarness, user: int) -> list[dict[str, Any]]:
    """``/digest``'s messages, then every "more" page under the last."""
    first = await bot.say(user, "/digest", timeout=20)
    digest = [first, *await bot.replies(user, len(outbox_rows(bot, user)) - 1)]
    return digest + await pages_until_done(bot, user, digest[-1])


async def search_ids(bot: BotHarness, user: int, words: str) -> set[int]:
    reply = await bot.say(user, f"/search {words}")
    return {int(found) for found in RESULT_ID.findall(reply["text"])}


async def inline_ids(bot: BotHarness, user: int, words: str) -> set[int]:
    update = bot.driver.send_inline_query(user, words, "")
    answer = await bot.driver.inline_answer(update["inline_query"]["id"])
    return {int(result["id"].split("-")[0]) for result in answer["results"]}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.code)
async def test_hiding_articles_only_in_the_other_language(bot: BotHarness, case: Case) -> None:
    bot.user(case.user, "读者", case.code)
    await bot.say(case.user, "/start")
    mine, others = offered_ids(bot, case.lang)
    assert mine
    assert others
    other_only = await search_ids(bot, case.user, case.other_only_query)
    assert other_only  # shown by default
    assert other_only <= others
    mixed = await search_ids(bot, case.user, case.mixed_query)
    assert mixed & mine
    assert mixed & others
    assert (await inline_ids(bot, case.user, case.other_only_query)) == other_only

    settings = await bot.say(case.user, "/settings")
    assert case.shown_line in settings["text"].splitlines()
    answer = await bot.press(case.user, settings, "set:other:off")
    assert answer["text"] == case.hidden_answer
    edited = bot.message(case.user, settings["message_id"])
    assert case.hidden_line in edited["text"].splitlines()
    assert button_data(edited)[-1] == "set:other:on"
    assert stored_profile(bot, case.user).other_language is False

    messages = await whole_digest(bot, case.user)
    assert len(messages) > 1  # the digest and at least one "more" page
    shown = [i for message in messages for i in read_ids(message)]
    assert len(shown) == len(set(shown))
    assert set(shown) == mine  # every article in the reader's language, and only those
    assert not any(case.marker in message["text"] for message in messages)

    assert await search_ids(bot, case.user, case.other_only_query) == set()
    assert await search_ids(bot, case.user, case.mixed_query) == mixed & mine
    assert await inline_ids(bot, case.user, case.other_only_query) == set()
    assert (await inline_ids(bot, case.user, "")) <= mine  # the newest, in the reader's language

    again = await bot.say(case.user, "/settings")
    await bot.press(case.user, again, "set:other:on")
    assert case.shown_line in bot.message(case.user, again["message_id"])["text"].splitlines()
    assert await search_ids(bot, case.user, case.other_only_query) == other_only


async def test_by_default_the_digest_shows_them_marked(bot: BotHarness) -> None:
    bot.user(1201, "小美", "zh-tw")
    await bot.say(1201, "/start")
    messages = await whole_digest(bot, 1201)
    shown = {i for message in messages for i in read_ids(message)}
    mine, others = offered_ids(bot, Lang.ZH)
    assert shown == mine | others
    assert any("（僅有英文版）" in message["text"] for message in messages)
    help_text = (await bot.say(1201, "/help"))["text"]
    assert "僅有英文版的文章也會顯示並加上標註，可以在 /settings 中隱藏。" in help_text
