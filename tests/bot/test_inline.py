"""Inline mode (``@bot words``) end to end through the sandbox, in both languages."""

from __future__ import annotations

import re
from typing import Any

from digestbot.model import Lang
from digestbot.sandbox.validate import check_message_text
from tests.support.bot import ANN, LI, BotHarness
from tests.support.content import add_article, article_id

CJK = re.compile(r"[\u4e00-\u9fff]")


async def ask(bot: BotHarness, user: int, query: str, offset: str = "") -> dict[str, Any]:
    """The bot's answer to ``user`` typing ``@bot query`` (scrolled to ``offset``)."""
    bot.user(user)
    update = bot.driver.send_inline_query(user, query, offset)
    return await bot.driver.inline_answer(update["inline_query"]["id"])


def check_results(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """The results, after checking each message would be accepted by Telegram."""
    results: list[dict[str, Any]] = answer["results"]
    for result in results:
        content = result["input_message_content"]
        formatted = check_message_text(content["message_text"], content["parse_mode"], None)
        assert formatted.text.startswith(result["title"][:20])
    return results


async def test_chinese_user_gets_chinese_results(bot: BotHarness) -> None:
    answer = await ask(bot, LI, "芯片")
    results = check_results(answer)
    assert results
    assert CJK.search(results[0]["title"])
    assert answer["is_personal"] is True
    chips = article_id(bot, "001_chip_export_rules")
    mine = next(r for r in results if r["id"].startswith(f"{chips}-"))
    text = mine["input_message_content"]["message_text"]
    assert "<b>新一轮芯片出口管制收紧" in text
    assert f"start=read_{chips}" in text
    assert mine["description"]


async def test_english_user_gets_english_results(bot: BotHarness) -> None:
    results = check_results(await ask(bot, ANN, "chip"))
    assert any(r["title"].startswith("Tighter chip export rules") for r in results)
    assert not CJK.search(results[0]["title"])


async def test_escaped_title_in_the_message(bot: BotHarness) -> None:
    results = check_results(await ask(bot, ANN, "spending"))
    text = results[0]["input_message_content"]["message_text"]
    assert "R&amp;D spending &lt;up&gt; 12%" in text
    assert results[0]["title"].startswith("R&D spending <up> 12%")


async def test_empty_query_lists_the_newest_and_nothing_found_is_empty(bot: BotHarness) -> None:
    newest = check_results(await ask(bot, ANN, ""))
    assert 1 <= len(newest) <= 20
    assert len({r["id"] for r in newest}) == len(newest)
    nothing = await ask(bot, LI, "zzzqqq")
    assert nothing["results"] == []
    assert CJK.search(nothing["button"]["text"])


async def test_results_are_in_the_typers_language_when_the_article_has_it(bot: BotHarness) -> None:
    chips = article_id(bot, "001_chip_export_rules")
    results = check_results(await ask(bot, LI, "chip"))
    mine = next(r for r in results if r["id"].startswith(f"{chips}-"))
    assert mine["title"].startswith("新一轮芯片出口管制收紧")
    english_only = check_results(await ask(bot, LI, "boosters"))
    assert english_only[0]["title"].startswith("Reusable boosters")


async def test_odd_offsets_get_an_empty_page(bot: BotHarness) -> None:
    for offset in ("abc", "-1", "0", "3", "1e3", "9" * 27, "١", " 1"):
        answer = await ask(bot, ANN, "chip", offset)
        assert answer["results"] == [], offset
        assert not answer.get("next_offset"), offset


async def test_scrolling_pages_through_the_newest_articles(bot: BotHarness) -> None:
    for n in range(10):
        add_article(bot, f"extra_{n}", {Lang.EN: (f"Extra article {n}", "Some more text.")})
    first = await ask(bot, ANN, "")
    assert len(first["results"]) == 20
    assert first["next_offset"] == "1"
    second = check_results(await ask(bot, ANN, "", first["next_offset"]))
    assert second
    assert not {r["id"] for r in second} & {r["id"] for r in first["results"]}


async def test_a_long_inline_query_is_cut_and_answered(bot: BotHarness) -> None:
    answer = await ask(bot, LI, "芯片 出口 " * 600)
    assert check_results(answer)
