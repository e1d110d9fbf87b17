"""Property tests: any text renders to valid Telegram HTML; splits lose, add and break nothing."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from digestbot.render import (
    escape,
    markdown_to_telegram_html,
    split_blocks,
    split_html,
    visible_length,
)
from tests.render.test_validator import check_html, check_message, check_split

_CHARS = st.sampled_from(
    list("abc xyz&<>\"'*_~`[]()#>-+1.!?;,\n\t。，、！？；…中文字😀👍🏽🇨🇳\u200d\u0301\u3000")
) | st.characters(exclude_categories=("Cs",))
_PIECES = st.sampled_from(
    [
        "**", "*", "__", "_", "~~", "`", "```\n", "\n```py\n", "\n\n", "\n> ", "\n- ", "\n1. ",
        "\n# ", "  \n", "\\", "[x](https://a.b/?q=<&>\")", "[y](javascript:alert(1))",
        "<https://x.org>", "<script>alert(1)</script>", "&amp;", "&lt;", "\n---\n", "snake_case",
    ]
)  # fmt: skip
MARKDOWN = st.lists(_PIECES | st.text(_CHARS, max_size=30), max_size=40).map("".join)
LIMITS = st.integers(8, 300) | st.just(4096)

_INLINE_TAGS = [
    ("<b>", "b"),
    ("<i>", "i"),
    ("<u>", "u"),
    ("<s>", "s"),
]
_HREF = "https://x.org/?a=1&amp;b=&quot;2&quot;"
_TEXT = st.text(_CHARS, max_size=60).map(escape)


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def wrap(tag: tuple[str, str], inner: list[str]) -> str:
        return f"{tag[0]}{''.join(inner)}</{tag[1]}>"

    return st.builds(wrap, st.sampled_from(_INLINE_TAGS), st.lists(children, max_size=4))


_LEAF = (
    _TEXT
    | _TEXT.map(lambda text: f"<code>{text}</code>")
    | _TEXT.map(lambda text: f'<a href="{_HREF}">{text}</a>')
)
_INLINE = st.recursive(_LEAF, _element, max_leaves=12)
_BLOCK = (
    st.lists(_INLINE, max_size=5).map("".join)
    | st.lists(_INLINE, max_size=5).map(lambda parts: f"<blockquote>{''.join(parts)}</blockquote>")
    | _TEXT.map(lambda t: f'<pre><code class="language-py">{t}</code></pre>')
)
HTML = st.lists(_BLOCK, max_size=6).map("\n\n".join)


@settings(max_examples=300, deadline=None)
@given(MARKDOWN)
def test_any_markdown_renders_to_valid_telegram_html(md: str) -> None:
    html = markdown_to_telegram_html(md)
    text = check_html(html)
    assert "<script>" not in html
    assert visible_length(html) == len(text.encode("utf-16-le")) // 2


@settings(max_examples=300, deadline=None)
@given(MARKDOWN, LIMITS)
def test_split_of_rendered_markdown_is_faithful(md: str, limit: int) -> None:
    html = markdown_to_telegram_html(md)
    check_split(html, split_html(html, limit), limit)


@settings(max_examples=150, deadline=None)
@given(HTML, LIMITS)
def test_split_of_nested_html_reopens_every_element(html: str, limit: int) -> None:
    check_split(html, split_html(html, limit), limit)


@settings(max_examples=200, deadline=None)
@given(st.lists(MARKDOWN, max_size=12), st.integers(20, 500))
def test_split_blocks_keeps_fitting_blocks_whole_in_order(sources: list[str], limit: int) -> None:
    blocks = [
        f"<b>[{k}]</b> {markdown_to_telegram_html(md)}".strip() for k, md in enumerate(sources)
    ]
    messages = split_blocks(blocks, limit)
    texts = [check_message(message, limit) for message in messages]
    last = 0
    for k, block in enumerate(blocks):
        holders = [i for i, message in enumerate(messages) if f"<b>[{k}]</b>" in message]
        assert len(holders) == 1, (k, holders)
        assert holders[0] >= last
        last = holders[0]
        if visible_length(block) <= limit:
            text = check_html(block)
            assert text.strip() in texts[holders[0]]
            if text == text.strip():
                assert block in messages[holders[0]]
    squash = re.compile(r"\s+")
    expected = "".join(check_html(block) for block in blocks)
    assert squash.sub("", "".join(texts)) == squash.sub("", expected)


_HEADED = st.lists(
    st.tuples(
        st.booleans(),  # a heading, or a paragraph
        st.text(st.sampled_from(list("abc 中文。，.!? xyz")), min_size=1, max_size=120),
    ),
    min_size=1,
    max_size=12,
).map(
    lambda blocks: "\n\n".join(
        f"## H {text}" if heading else f"P {text}" for heading, text in blocks
    )
)


@settings(max_examples=300, deadline=None)
@given(markdown=_HEADED, limit=st.integers(8, 300))
def test_no_part_but_the_last_ends_with_a_heading_unless_it_is_all_heading(
    markdown: str, limit: int
) -> None:
    html = markdown_to_telegram_html(markdown)
    parts = split_html(html, limit)
    check_split(html, parts, limit)
    for part in parts[:-1]:
        last = part.split("\n\n")[-1]
        if last.startswith("<b>H"):  # a heading (paragraphs start "P", never bold)
            assert "\n\n" not in part, part  # nothing above it that it could leave behind
