"""The reader's script and the conversions (pure): Telegram codes, choices, OpenCC, folding."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digestbot.chinese_script import (
    Script,
    choose_script,
    fold_han,
    is_traditional,
    script_from_telegram,
    to_script,
)

HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)


@pytest.mark.parametrize(
    ("code", "script"),
    [
        ("zh-hant", Script.HANT_TW),
        ("zh-TW", Script.HANT_TW),
        ("zh_Hant", Script.HANT_TW),
        ("zh-hk", Script.HANT_HK),
        ("zh-mo", Script.HANT_HK),
        ("zh-Hant-HK", Script.HANT_HK),
        ("zh-hans", Script.HANS),
        ("zh", Script.HANS),
        ("zh-cn", Script.HANS),
        ("zh-sg", Script.HANS),
        ("en", Script.HANS),
        ("en-hk", Script.HANS),
        (None, Script.HANS),
        ("", Script.HANS),
    ],
)
def test_script_from_telegram(code: str | None, script: Script) -> None:
    assert script_from_telegram(code) is script


@given(st.text(max_size=30))
def test_any_language_code_gives_a_script(code: str) -> None:
    script = script_from_telegram(code)
    assert script is Script.HANS or code.strip().lower().startswith("zh")


def test_choosing_traditional_keeps_or_takes_the_region() -> None:
    assert choose_script(True, Script.HANS, "en") is Script.HANT_TW
    assert choose_script(True, Script.HANS, "zh-hk") is Script.HANT_HK
    assert choose_script(True, Script.HANT_HK, "en") is Script.HANT_HK
    assert choose_script(False, Script.HANT_HK, "zh-hk") is Script.HANS


def test_content_follows_the_readers_script_and_region() -> None:
    simplified = "台积电的软件和芯片，数据中心。"
    assert to_script(simplified, Script.HANT_TW) == "台積電的軟體和晶片，資料中心。"
    assert to_script(simplified, Script.HANT_HK) == "台積電的軟件和芯片，數據中心。"
    assert to_script(simplified, Script.HANS) == simplified
    traditional = "台積電的軟體，節水灌溉。"
    assert to_script(traditional, Script.HANS) == "台积电的软件，节水灌溉。"
    assert to_script(traditional, Script.HANT_HK) == traditional  # shown as written
    assert to_script("Chips & 5G", Script.HANT_TW) == "Chips & 5G"


def test_a_conversion_is_computed_once_per_text_and_script() -> None:
    text = "这是一篇只转换一次的文章。" * 50
    first = to_script(text, Script.HANT_TW)
    assert to_script(text, Script.HANT_TW) is first  # memoized: the same object


@given(st.text(HAN, min_size=1, max_size=40))
def test_traditional_output_reads_as_traditional(text: str) -> None:
    converted = to_script(text, Script.HANT_TW)
    assert not is_traditional(to_script(converted, Script.HANS))


@given(HAN)
def test_folding_is_one_character_and_idempotent(ch: str) -> None:
    folded = fold_han(ch)
    assert len(folded) == 1
    assert fold_han(folded) == folded


def test_folding_maps_traditional_to_simplified() -> None:
    assert "".join(map(fold_han, "台積電節水灌溉乾旱")) == "台积电节水灌溉干旱"
    assert "".join(map(fold_han, "台积电")) == "台积电"


@pytest.mark.parametrize(
    ("simplified", "taiwan", "hong_kong"),
    [
        ("外交部举行新闻发布会", "外交部舉行記者會", "外交部舉行新聞發佈會"),
        ("公司召开发布会", "公司召開發表會", "公司召開發佈會"),
        ("苹果发布新手机", "蘋果發布新手機", "蘋果發佈新手機"),
        ("数据发布时间", "資料發布時間", "數據發佈時間"),
    ],
)
def test_taiwan_news_words_for_release_and_press_conference(
    simplified: str, taiwan: str, hong_kong: str
) -> None:
    assert to_script(simplified, Script.HANT_TW) == taiwan  # not 釋出 (software "release")
    assert to_script(simplified, Script.HANT_HK) == hong_kong  # Hong Kong: OpenCC's own
    assert "发" in to_script(taiwan, Script.HANS) or "记者会" in to_script(taiwan, Script.HANS)


@given(st.text(st.sampled_from("新闻发布会上的产品数据"), min_size=1, max_size=30))
def test_taiwan_text_never_says_release_as_software_does(text: str) -> None:
    converted = to_script(text, Script.HANT_TW)
    assert "釋出" not in converted
    assert len(converted) <= len(text)  # 新闻发布会 → 記者會 is the only length change
