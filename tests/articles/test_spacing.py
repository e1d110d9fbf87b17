"""Whitespace in running text (pure): none in Chinese, one space elsewhere."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digestbot.articles.spacing import collapse_spaces


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("同步推进。 新一代", "同步推进。新一代"),
        ("同步推进\n新一代", "同步推进新一代"),
        ("中国领先的 AI 投资者", "中国领先的 AI 投资者"),  # the author's space before Latin stays
        ("He said\n  AI chips", "He said AI chips"),
        ("价格（ 美元 ）", "价格（美元）"),
        ("“引号” 之后", "“引号” 之后"),
    ],
)
def test_collapse_spaces(text: str, expected: str) -> None:
    assert collapse_spaces(text) == expected


def test_the_ends_of_a_piece_look_at_its_neighbours() -> None:
    assert collapse_spaces(" 新一代", before="。") == "新一代"
    assert collapse_spaces("AI ", after="芯") == "AI "


@given(st.text(alphabet=st.sampled_from("中文。，ab1 \n\t"), max_size=40))
def test_no_runs_no_line_breaks_and_the_words_kept(text: str) -> None:
    out = collapse_spaces(text)
    assert "  " not in out
    assert "\n" not in out
    assert "\t" not in out
    assert out.replace(" ", "") == "".join(text.split())
