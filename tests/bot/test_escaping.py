"""Article text is shown as text: ``<script>``, ``&`` and quotes never become markup."""

from __future__ import annotations

from digestbot.model import Lang
from tests.support.bot import ANN, LI, BotHarness, button_data
from tests.support.content import add_article, article_id

HOSTILE = "<script>alert(1)</script> & co"


def hostile_article(bot: BotHarness) -> int:
    return add_article(
        bot,
        "hostile",
        {
            Lang.EN: (HOSTILE, 'Body with <b>fake bold</b>, "quotes" & <i>tags</i> inside.'),
            Lang.ZH: (f"中文 {HOSTILE}", "正文里有 <script> 和 & 符号。"),
        },
    )


async def test_read_shows_a_hostile_title_as_text(bot: BotHarness) -> None:
    hostile = hostile_article(bot)
    shown = await bot.say(ANN, f"/read_{hostile}")
    assert shown["text"].startswith(HOSTILE)
    assert "<b>fake bold</b>" in shown["text"]
    assert "By demo & co" in shown["text"]
    await bot.press(ANN, shown, button_data(shown)[0])
    chinese = bot.message(ANN, shown["message_id"])
    assert chinese["text"].startswith(f"中文 {HOSTILE}")
    assert "<script>" in chinese["text"]


async def test_search_shows_a_hostile_title_as_text(bot: BotHarness) -> None:
    hostile = hostile_article(bot)
    reply = await bot.say(ANN, "/search alert")
    assert f"1. {HOSTILE}" in reply["text"]
    assert f"/read_{hostile}" in reply["text"]
    chinese = await bot.say(LI, "script")
    assert HOSTILE in chinese["text"]


async def test_seed_with_ampersands_and_angle_brackets(bot: BotHarness) -> None:
    spending = article_id(bot, "009_rd_spending_escaping")
    shown = await bot.say(ANN, f"/read {spending}")
    assert shown["text"].startswith('R&D spending <up> 12% as firms bet on "AI & chips"')
    found = await bot.say(LI, "研发支出")
    assert "研发支出 & 投资 <增长> 12%" in found["text"]
