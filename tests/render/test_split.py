"""Splitting long Telegram HTML into messages: where the cuts land, and tags carried across them."""

from __future__ import annotations

import random
import time

import pytest

from digestbot.render import markdown_to_telegram_html, split_blocks, split_html, visible_length
from tests.render.test_validator import check_message, check_split

_EN_VOCABULARY = (
    "Alibaba cloud computing start-ups equity investment chips exports market growth strategy "
    "regulators the a of in and with for its their model training credits billion investors "
    "e-commerce competition restructuring"
)
_ZH_VOCABULARY = (
    "阿里巴巴 云计算 初创企业 人工智能 投资 股权 芯片 出口 限制 市场 增长 战略 竞争 重组 "
    "生态系统 资源 稀缺 业内人士 首席执行官 亲自 监督 领先 关键时刻"
)
_SENTENCE_ENDS = tuple("。！？；….!?;")


def _english(size: int, seed: int, paragraph: int = 5) -> str:
    """Realistic English Markdown: sentences with bold terms, links and ``&``, in paragraphs."""
    rng, vocabulary = random.Random(seed), _EN_VOCABULARY.split()
    out: list[str] = []
    total = 0
    while total < size:
        words = [rng.choice(vocabulary) for _ in range(rng.randint(6, 28))]
        if rng.random() < 0.3:
            words[rng.randrange(len(words))] = f"**{rng.choice(vocabulary)} & co**"
        if rng.random() < 0.1:
            words.append("[source](https://ft.com/content/x?a=1&b=2)")
        sentence = " ".join(words).capitalize() + rng.choice(".!?;.")
        out.append(sentence + ("\n\n" if paragraph and rng.randrange(paragraph) == 0 else " "))
        total += len(sentence) + 1
    return "".join(out).strip()


def _chinese(size: int, seed: int, paragraph: int = 5) -> str:
    """Realistic Chinese Markdown: clauses joined by ，、 ending in 。！？；, with bold terms."""
    rng, vocabulary = random.Random(seed), _ZH_VOCABULARY.split()
    out: list[str] = []
    total = 0
    while total < size:
        clauses = [
            "".join(rng.choice(vocabulary) for _ in range(rng.randint(2, 6)))
            for _ in range(rng.randint(1, 4))
        ]
        if rng.random() < 0.3:
            clauses[0] = f"**{clauses[0]}**"
        sentence = rng.choice("，、").join(clauses) + rng.choice("。。！？；")
        out.append(sentence + ("\n\n" if paragraph and rng.randrange(paragraph) == 0 else ""))
        total += len(sentence)
    return "".join(out).strip()


def _assert_sentence_cuts(texts: list[str]) -> None:
    for text in texts[:-1]:
        assert text.rstrip("”’\"')").endswith(_SENTENCE_ENDS), text[-40:]


@pytest.mark.parametrize("paragraph", [5, 0], ids=["paragraphs", "one-paragraph"])
def test_long_english_text_cuts_at_sentence_ends(paragraph: int) -> None:
    html = markdown_to_telegram_html(_english(10_000, seed=1, paragraph=paragraph))
    assert visible_length(html) >= 9_000
    chunks = split_html(html)
    assert len(chunks) >= 3
    _assert_sentence_cuts(check_split(html, chunks, 4096))


@pytest.mark.parametrize("paragraph", [5, 0], ids=["paragraphs", "one-paragraph"])
def test_long_chinese_text_cuts_at_sentence_ends(paragraph: int) -> None:
    html = markdown_to_telegram_html(_chinese(6_000, seed=2, paragraph=paragraph))
    assert visible_length(html) >= 5_500
    chunks = split_html(html, 2000)
    assert len(chunks) >= 3
    _assert_sentence_cuts(check_split(html, chunks, 2000))


def test_prefers_paragraph_then_line_then_sentence_then_space() -> None:
    assert split_html("aaaa bbbb. cccc\ndddd\n\neeee", 22) == ["aaaa bbbb. cccc\ndddd", "eeee"]
    assert split_html("aaaa bbbb. cccc\ndddd eeee", 22) == ["aaaa bbbb. cccc", "dddd eeee"]
    assert split_html("aaaa bbbb. cccc dddd", 16) == ["aaaa bbbb.", "cccc dddd"]
    assert split_html("甲乙丙丁。戊己庚辛，壬癸", 10) == ["甲乙丙丁。戊己庚辛，", "壬癸"]
    assert split_html("aaaa bbbb cccc", 11) == ["aaaa bbbb", "cccc"]
    assert split_html("e.g. 3.5 is not an end", 15) == ["e.g. 3.5 is not", "an end"]


def test_hard_cut_keeps_entities_surrogates_and_emoji_whole() -> None:
    assert split_html("a&amp;b&lt;c", 2) == ["a&amp;", "b&lt;", "c"]
    chunks = split_html("😀😀😀", 3)
    assert chunks == ["😀", "😀", "😀"]
    assert split_html("ab👍🏽cd", 4) == ["ab", "👍🏽", "cd"]
    family = "👨\u200d👩\u200d👧"
    assert split_html("x" + family, 8) == ["x", family]


def test_open_elements_are_closed_and_reopened_with_attributes() -> None:
    html = (
        '<blockquote>First sentence here. <a href="https://x.org/?a=1&amp;b=2">Linked '
        "<b>bold words</b> go on.</a> Last one.</blockquote>"
    )
    chunks = split_html(html, 30)
    check_split(html, chunks, 30)
    assert chunks[0] == "<blockquote>First sentence here.</blockquote>"
    assert all(chunk.startswith("<blockquote>") for chunk in chunks)
    assert any(
        chunk.startswith('<blockquote><a href="https://x.org/?a=1&amp;b=2">')
        for chunk in chunks[1:]
    )


def test_long_code_block_splits_at_lines_inside_pre() -> None:
    code = "\n".join(f"value_{i} = compute({i}) & mask" for i in range(300))
    html = f'<pre><code class="language-python">{code.replace("&", "&amp;")}</code></pre>'
    chunks = split_html(html)
    texts = check_split(html, chunks, 4096)
    assert len(chunks) == 3
    assert all(c.startswith('<pre><code class="language-python">value_') for c in chunks)
    assert all(t.endswith("& mask") for t in texts)


def test_short_and_blank_input() -> None:
    assert split_html("  <b>short</b>\n") == ["<b>short</b>"]
    assert split_html("") == []
    assert split_html(" \n<b> </b>\n ") == []
    with pytest.raises(ValueError, match="limit"):
        split_html("x", 0)


def test_raw_size_stays_under_the_byte_budget() -> None:
    links = " ".join(f'<a href="https://x.org/{"p" * 500}/{i}">{i}</a>' for i in range(400))
    chunks = split_html(links, max_bytes=16384)
    check_split(links, chunks, 4096)
    assert all(len(chunk.encode()) <= 16384 for chunk in chunks)
    assert len(chunks) > 10
    ampersands = "&amp;" * 10_000  # 5 bytes for each visible character
    chunks = split_html(ampersands)
    check_split(ampersands, chunks, 4096)
    assert [len(chunk.encode()) <= 16384 for chunk in chunks] == [True] * 4


def test_at_most_100_entities_per_message() -> None:
    html = " ".join(f"<b>t{i}</b>" for i in range(450))
    chunks = split_html(html)
    check_split(html, chunks, 4096)
    assert [chunk.count("<b>") for chunk in chunks] == [100, 100, 100, 100, 50]


def test_split_is_linear_ish_on_large_text() -> None:
    small = markdown_to_telegram_html(_english(50_000, seed=3))
    large = markdown_to_telegram_html(_english(400_000, seed=3))
    started = time.thread_time()
    split_html(small)
    small_time = time.thread_time() - started
    started = time.thread_time()
    chunks = split_html(large)
    large_time = time.thread_time() - started
    assert len(chunks) > 90
    assert large_time < max(1.0, 30 * small_time)


def test_split_blocks_packs_whole_blocks_in_order() -> None:
    blocks = [f"<b>Article {i}</b>\n{'word ' * 150}".strip() for i in range(10)]
    messages = split_blocks(blocks, 2000)
    assert len(messages) == 5
    assert messages[0] == "\n\n".join(blocks[:2])
    assert [check_message(m, 2000).count("Article") for m in messages] == [2] * 5


def test_split_blocks_splits_only_the_block_too_long_alone() -> None:
    long_block = markdown_to_telegram_html(_english(5_000, seed=4))
    blocks = ["<b>first</b>", long_block, "<i>last</i>"]
    messages = split_blocks(blocks, 2000)
    assert messages[0] == "<b>first</b>"
    assert messages[-1].endswith("\n\n<i>last</i>")
    for message in messages:
        check_message(message, 2000)
    assert split_blocks(["", "  ", "<b> </b>"]) == []
    assert split_blocks(["a", "b"], separator="\n") == ["a\nb"]


def test_cuts_avoid_the_inside_of_links_and_code() -> None:
    link = '<a href="https://x.org">dd ee ff gg</a>'
    assert split_html(f"aaaa bbbb cccc {link} hh", 20) == ["aaaa bbbb cccc", f"{link} hh"]
    code = "aaaa <code>x y z w</code> bbb. <a href='https://x.org'>one <code>two</code> 3</a> end"
    assert split_html(code, 25) == [
        "aaaa <code>x y z w</code> bbb.",
        "<a href='https://x.org'>one <code>two</code> 3</a> end",
    ]
    long_link = '<a href="https://x.org">dd ee ff gg hh ii jj kk ll mm nn</a>'
    assert split_html(long_link, 20) == [
        '<a href="https://x.org">dd ee ff gg hh ii jj</a>',
        '<a href="https://x.org">kk ll mm nn</a>',
    ]


def test_a_part_never_ends_with_a_heading_whose_text_is_in_the_next() -> None:
    first = "Lead paragraph words. " * 8
    html = markdown_to_telegram_html(f"{first.strip()}\n\n## The next section\n\n" + "Body. " * 30)
    cut_after_heading = visible_length(markdown_to_telegram_html(first)) + 22
    parts = split_html(html, cut_after_heading)
    check_split(html, parts, cut_after_heading)
    assert not parts[0].endswith("</b>")
    assert parts[1].startswith("<b>The next section</b>\n\nBody.")


def test_headings_one_after_another_move_together() -> None:
    html = markdown_to_telegram_html("Para one.\n\n# Part\n\n## Chapter\n\n" + "Text here. " * 20)
    parts = split_html(html, 30)
    check_split(html, parts, 30)
    assert parts[0] == "Para one."
    assert parts[1].startswith("<b>Part</b>\n\n<b>Chapter</b>\n\nText here.")


def test_a_heading_cut_in_two_moves_whole_to_the_next_part() -> None:
    html = markdown_to_telegram_html("Short lead.\n\n# A heading of some length here\n\nBody.")
    parts = split_html(html, 30)
    check_split(html, parts, 30)
    assert parts[0] == "Short lead."
    assert parts[1].startswith("<b>A heading of some length")
