"""/search, plain-text search and the page buttons, end to end through the sandbox."""

from __future__ import annotations

import random
import re
import time

from digestbot.bot.conversation import KEPT_SEARCHES
from tests.support.bot import ANN, LI, BotHarness, button_data, button_labels
from tests.support.content import article_id

CJK = re.compile(r"[\u4e00-\u9fff]")


def titles(message: dict[str, object]) -> list[str]:
    """The numbered result lines of a results message."""
    text = str(message["text"])
    return [line for line in text.split("\n") if re.match(r"^\d+\. ", line)]


async def test_chinese_reader_gets_chinese_results_first_with_the_hit_in_bold(
    bot: BotHarness,
) -> None:
    reply = await bot.say(LI, "/search 芯片")
    lines = titles(reply)
    assert lines
    assert CJK.search(lines[0])
    assert "<b>芯片</b>" in reply["html"]
    assert f"/read_{article_id(bot, '001_chip_export_rules')}" in reply["text"]
    chinese = [bool(CJK.search(line.split(" · ")[0])) for line in lines]
    assert chinese == sorted(chinese, reverse=True)  # Chinese titles before any English one


async def test_plain_text_searches_in_english_by_word(bot: BotHarness) -> None:
    reply = await bot.say(ANN, "chip")
    assert reply["text"].startswith("Results for chip:")
    assert "Tighter chip export rules" in reply["text"]
    assert not CJK.search(titles(reply)[0])
    ai = await bot.say(ANN, "ai")
    assert "Central bank holds rates steady" not in ai["text"]  # it only says "said"
    assert f"/read_{article_id(bot, '006_open_source_ai_model')}" in ai["text"]


async def test_next_and_previous_edit_the_results_message(bot: BotHarness) -> None:
    first = await bot.say(ANN, "/search the")
    data = button_data(first)
    assert len(data) == 1
    assert data[0].endswith(":1")
    assert button_labels(first) == ["Next »"]
    assert "Page 1 of" in first["text"]
    answer = await bot.press(ANN, first, data[0])
    assert answer.get("text") in (None, "")
    second = bot.message(ANN, first["message_id"])
    assert second["edited"]
    assert "Page 2 of" in second["text"]
    assert titles(second)[0].startswith("6. ")
    assert button_labels(second)[0] == "« Previous"
    await bot.press(ANN, second, button_data(second)[0])
    assert bot.message(ANN, first["message_id"])["text"] == first["text"]


async def test_chinese_pages_and_counts_are_localized(bot: BotHarness) -> None:
    reply = await bot.say(LI, "的")
    assert "的" in reply["text"].split("\n")[0]
    assert "第1/" in reply["text"]
    assert button_labels(reply) == ["下一页 »"]


async def test_a_stale_page_button_has_expired(bot: BotHarness) -> None:
    """A chat keeps its newest KEPT_SEARCHES queries: the page buttons of older ones expire."""
    reply = await bot.say(ANN, "/search the")
    token = button_data(reply)[0].split(":")[1]
    for _ in range(KEPT_SEARCHES - 1):
        await bot.say(ANN, "/search the")
    still = await bot.press(ANN, reply, f"s:{token}:1")
    assert still["text"] is None
    await bot.say(ANN, "/search the")  # the 21st: the first one's query is forgotten
    answer = await bot.press(ANN, reply, f"s:{token}:0")
    assert answer["text"] == "These results have expired. Please search again."
    assert "Page 2 of" in bot.message(ANN, reply["message_id"])["text"]  # left as it was


async def test_no_results_and_usage(bot: BotHarness) -> None:
    nothing = await bot.say(ANN, "/search zzzqqq <b>")
    assert nothing["text"] == "Nothing found for zzzqqq <b>. Try other words."
    usage = await bot.say(LI, "/search")
    assert "/search" in usage["text"]
    assert CJK.search(usage["text"])


async def test_hostile_queries_never_fail(bot: BotHarness) -> None:
    for query in ['"', "*", "NEAR(", "AND (", "<script>alert(1)</script>", '"chip" OR *']:
        reply = await bot.say(ANN, f"/search {query}")
        assert reply["text"].startswith(("Nothing found for", "Results for")), query
    huge = "芯片 chips " * 1000  # about 10 KB
    reply = await bot.say(ANN, huge, timeout=20)
    assert len(reply["text"]) <= 4096
    assert "…" in reply["text"].split("\n")[0]


async def test_a_long_search_says_it_was_shortened_in_the_readers_language(
    bot: BotHarness,
) -> None:
    english = await bot.say(ANN, "chip export " + "- " * 200)  # 412 characters: 256 are read
    lines = english["text"].split("\n")
    assert lines[0].startswith("Results for chip export - - -")
    assert lines[1] == "Your search was long: I searched for its first 256 characters only."
    assert "Tighter chip export rules" in english["text"]
    many = await bot.say(ANN, " ".join(f"w{i}" for i in range(30)))  # 16 words are read
    assert many["text"].split("\n") == [
        f"Nothing found for {' '.join(f'w{i}' for i in range(16))}. Try other words.",
        "Your search was long: I searched for its first 53 characters only.",
    ]
    chinese = await bot.say(LI, "芯片" * 200)  # a phrase of 64 characters is read
    assert "搜索内容太长：只搜索了前64个字符。" in chinese["text"].split("\n")[:2]
    repeated = await bot.say(ANN, "chip export " * 20)  # two distinct words
    assert "Your search was long" not in repeated["text"]


async def test_a_page_button_of_a_shortened_search_still_says_so(bot: BotHarness) -> None:
    first = await bot.say(ANN, "the " + "- " * 200)
    assert "Your search was long" in first["text"]
    await bot.press(ANN, first, button_data(first)[0])
    second = bot.message(ANN, first["message_id"])
    assert "Page 2 of" in second["text"]
    assert "Your search was long" in second["text"]


async def test_a_message_of_4096_random_cjk_characters_is_answered_promptly(
    bot: BotHarness,
) -> None:
    rng = random.Random(4096)
    text = "".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(4096))
    started = time.monotonic()
    reply = await bot.say(LI, text, timeout=20)
    elapsed = time.monotonic() - started
    assert reply["text"].startswith("没有找到")
    assert reply["text"].endswith("搜索内容太长：只搜索了前64个字符。")
    assert elapsed < 10, elapsed  # generous: it takes well under a second
