"""Traditional Chinese end to end, with Telegram 0.2 s away: readers in zh-hans, zh-hant (Taiwan
and Hong Kong) and en get the interface in their catalog and content in their script, and search
folds the two scripts. Runs on SQLite and, where it answers, PostgreSQL (digests included)."""

from __future__ import annotations

import pytest

from digestbot.chinese_script import Script
from digestbot.model import Lang
from tests.support.bot import ANN, LI, BotHarness, button_data, button_labels
from tests.support.content import add_article, article_id
from tests.support.profiles import stored_profile

TW = 1201  # Telegram language zh-tw: Traditional, Taiwan standard
HK = 1202  # zh-hk: Traditional, Hong Kong standard
RICE = "008_drought_tolerant_rice"  # the seed written in Traditional only
AI_POWER = "014_ai_datacenter_power"  # Simplified: 人工智能 (Taiwan says 人工智慧)
TSMC_ZH = ("台积电在高雄扩产", "台积电宣布在高雄新建晶圆厂，软件与芯片需求强劲。")


@pytest.fixture
def bot_latency() -> float:
    return 0.2


def profile_script(bot: BotHarness, chat_id: int) -> tuple[Lang, Script]:
    profile = stored_profile(bot, chat_id)
    return profile.language, profile.script


def results(reply: dict[str, object]) -> str:
    """A search reply without its first line (which echoes the query)."""
    return str(reply["html"]).split("\n", 1)[1]


async def read_all(bot: BotHarness, chat_id: int, command: str) -> str:
    """Every message the bot answers ``command`` with, joined (a long /read is several)."""
    first = await bot.say(chat_id, command)
    texts = [first["text"]]
    while True:
        try:
            texts.append((await bot.driver.next_bot_message(chat_id, 1.5))["text"])
        except TimeoutError:
            return "\n".join(texts)


async def test_taiwan_reader_gets_traditional_interface_content_and_digest(
    bot: BotHarness,
) -> None:
    bot.user(TW, "小美", "zh-tw")
    tsmc = add_article(bot, "tsmc", {Lang.ZH: TSMC_ZH})
    greeting = await bot.say(TW, "/start")
    assert greeting["text"].startswith("你好，小美！我為你推送中英文文章摘要。")
    assert "摘要每天08:00（中國時間）送達" in greeting["text"]
    assert button_labels(greeting) == ["简体中文", "繁體中文", "English"]
    assert profile_script(bot, TW) == (Lang.ZH, Script.HANT_TW)

    found = await bot.say(TW, "/search 台積電")
    assert found["text"].startswith("台積電的搜尋結果：共1篇文章")
    assert "<b>台積電</b>宣佈在高雄新建晶圓廠" in found["html"]  # Simplified text, converted
    simplified = await bot.say(TW, "/search 台积电")
    assert results(simplified) == results(found)  # the other script: same results, same order

    article = await bot.say(TW, f"/read_{tsmc}")
    assert article["text"].startswith("台積電在高雄擴產\n發布於2026年5月1日")
    assert "軟體與晶片需求強勁" in article["text"]  # Taiwan words: 软件 → 軟體, 芯片 → 晶片

    digest = await bot.say(TW, "/digest")
    assert "的文章摘要：" in digest["text"].split("\n")[0]
    assert "台積電在高雄擴產" in digest["text"]
    assert "台积电" not in digest["text"]
    assert button_labels(digest)[0] == "閱讀英文版"
    assert button_labels(digest)[1:] in ([], ["檢視更多文章"])  # "more" when it counts more


async def test_hong_kong_reader_gets_hong_kong_standard(bot: BotHarness) -> None:
    bot.user(HK, "家豪", "zh-hk")
    greeting = await bot.say(HK, "/start")
    assert greeting["text"].startswith("你好，家豪！")
    assert profile_script(bot, HK) == (Lang.ZH, Script.HANT_HK)
    text = await read_all(bot, HK, f"/read_{article_id(bot, AI_POWER)}")
    assert text.startswith("人工智能算力需求激增，數據中心用電成為新難題")  # not 人工智慧, 資料
    assert "發布於" in text
    found = await bot.say(HK, "/search 數據中心")
    assert "人工智能算力需求激增" in found["text"]


async def test_simplified_reader_reads_and_finds_a_traditional_article(bot: BotHarness) -> None:
    rice = article_id(bot, RICE)
    await bot.say(LI, "/start")
    assert profile_script(bot, LI) == (Lang.ZH, Script.HANS)
    found = await bot.say(LI, "/search 节水灌溉")
    assert "耐旱水稻新品种试种成功，节水灌溉缓解干旱压力" in found["text"]
    assert f"/read_{rice}" in found["text"]
    assert "<b>节水灌溉</b>" in found["html"]
    assert results(await bot.say(LI, "/search 節水灌溉")) == results(found)
    text = await read_all(bot, LI, f"/read_{rice}")
    assert text.startswith("耐旱水稻新品种试种成功，节水灌溉缓解干旱压力\n发布于")
    assert "節" not in text


async def test_english_reader_chooses_traditional_then_english(bot: BotHarness) -> None:
    await bot.say(ANN, "/start")
    question = await bot.say(ANN, "/language")
    assert button_data(question) == ["lang:zh", "lang:zh-hant", "lang:en"]
    answer = await bot.press(ANN, question, "lang:zh-hant")
    assert answer["text"] == "好的，接下來我會用繁體中文跟你溝通。"
    assert profile_script(bot, ANN) == (Lang.ZH, Script.HANT_TW)  # region: Taiwan by default
    settings = await bot.say(ANN, "/settings")
    assert "語言：繁體中文" in settings["text"]
    again = await bot.say(ANN, "/language")
    assert again["text"] == "你想使用哪種語言？"
    await bot.press(ANN, again, "lang:en")
    assert profile_script(bot, ANN) == (Lang.EN, Script.HANT_TW)  # content stays Traditional
    found = await bot.say(ANN, "/search 芯片")
    assert found["text"].startswith("Results for 芯片")
    assert "晶片" in found["text"]


async def test_hong_kong_reader_back_from_simplified_keeps_hong_kong(bot: BotHarness) -> None:
    bot.user(HK, "家豪", "zh-hk")
    await bot.say(HK, "/start")
    question = await bot.say(HK, "/language")
    assert question["text"] == "你想使用哪種語言？"
    await bot.press(HK, question, "lang:zh")
    assert profile_script(bot, HK) == (Lang.ZH, Script.HANS)
    assert (await bot.say(HK, "/help"))["text"].startswith("我能为你做什么")
    again = await bot.say(HK, "/language")
    await bot.press(HK, again, "lang:zh-hant")
    assert profile_script(bot, HK) == (Lang.ZH, Script.HANT_HK)  # from Telegram's zh-hk
