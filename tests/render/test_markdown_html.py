"""Markdown constructs articles use, rendered as Telegram HTML, and hostile text kept as text."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from digestbot.render import markdown_to_telegram_html as render
from tests.render.test_validator import check_html

SEED = Path(__file__).parents[2] / "seeds" / "000_58ff1f57d9aa1e3e.txt"


@pytest.mark.parametrize(
    ("md", "html"),
    [
        ("one\n\n\ntwo", "one\n\ntwo"),
        ("**bold** and __bold__", "<b>bold</b> and <b>bold</b>"),
        ("*it* and _it_", "<i>it</i> and <i>it</i>"),
        ("***both***", "<i><b>both</b></i>"),
        ("~~gone~~", "<s>gone</s>"),
        ("`a < b`", "<code>a &lt; b</code>"),
        ("`` a ` b ``", "<code>a ` b</code>"),
        (
            "```python\nif a < b:\n    pass\n```",
            '<pre><code class="language-python">if a &lt; b:\n    pass</code></pre>',
        ),
        ("```\nplain\n```", "<pre>plain</pre>"),
        ("~~~\nunclosed fence runs to the end", "<pre>unclosed fence runs to the end</pre>"),
        ("[FT](https://ft.com/x)", '<a href="https://ft.com/x">FT</a>'),
        (
            "[**bold** link](https://x.org/a_(b))",
            '<a href="https://x.org/a_(b)"><b>bold</b> link</a>',
        ),
        ('[t](https://x.org "title")', '<a href="https://x.org">t</a>'),
        (
            "[mail](mailto:a@b.c) [tg](tg://resolve?domain=x)",
            '<a href="mailto:a@b.c">mail</a> <a href="tg://resolve?domain=x">tg</a>',
        ),
        (
            "<https://x.org/?a=1&b=2>",
            '<a href="https://x.org/?a=1&amp;b=2">https://x.org/?a=1&amp;b=2</a>',
        ),
        ("# Title\n## Sub ##\nbody", "<b>Title</b>\n\n<b>Sub</b>\n\nbody"),
        ("- a\n* b\n+ c", "• a\n• b\n• c"),
        ("1. a\n1. b\n1. c", "1. a\n2. b\n3. c"),
        ("3) c\n4) d", "3. c\n4. d"),
        ("- a\n  - nested\n- b", "• a\n  • nested\n• b"),
        ("- long item\n  continues", "• long item continues"),
        ("> quoted\ntext", "<blockquote>quoted text</blockquote>"),
        ("> a\n> > nested", "<blockquote>a\n\nnested</blockquote>"),
        ("before\n\n---\n\nafter", "before\n\nafter"),
        ("***\n___", ""),
        ("hard  \nbreak\\\nagain", "hard\nbreak\nagain"),
        ("soft\nbreak", "soft break"),
        ("中文\n换行", "中文换行"),
        ("a paragraph\n# interrupted", "a paragraph\n\n<b>interrupted</b>"),
        ("In 2024\n2. not a list", "In 2024 2. not a list"),
        ("Title\n=====\nbody", "<b>Title</b>\n\nbody"),
        ("==\n", "=="),
        (
            "![chart](https://x.org/c.png) and !not",
            '<a href="https://x.org/c.png">chart</a> and !not',
        ),
        ("![](https://x.org/c.png)", '<a href="https://x.org/c.png">https://x.org/c.png</a>'),
    ],
)
def test_constructs(md: str, html: str) -> None:
    assert render(md) == html
    check_html(html)


@pytest.mark.parametrize(
    ("md", "html"),
    [
        ("snake_case_name and __init__", "snake_case_name and <b>init</b>"),
        ("2 * 3 * 4", "2 * 3 * 4"),
        ("**unclosed and *half", "**unclosed and *half"),
        ("`unclosed code", "`unclosed code"),
        ("[not a link] (x)", "[not a link] (x)"),
        ("**阿里巴巴集团**，这家公司", "<b>阿里巴巴集团</b>，这家公司"),
        ("称为**“中国 AI ETF”**的", "称为<b>“中国 AI ETF”</b>的"),
        ("中文_斜体_中文", "中文<i>斜体</i>中文"),
        ("\\*not\\* italic", "*not* italic"),
        ("- ", "-"),
    ],
)
def test_unbalanced_and_intraword_markers(md: str, html: str) -> None:
    assert render(md) == html


@pytest.mark.parametrize(
    ("md", "html"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("a & b &amp; c", "a &amp; b &amp;amp; c"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("**<b>**", "<b>&lt;b&gt;</b>"),
        ("[x](javascript:alert(1))", "x"),
        ("[x](data:text/html,hi) [y](/relative)", "x y"),
        (
            '[q](https://x.org/?q="a"&b=<c>)',
            '<a href="https://x.org/?q=&quot;a&quot;&amp;b=&lt;c&gt;">q</a>',
        ),
        ('[x](https://a.b/" onclick="alert(1))', '[x](https://a.b/" onclick="alert(1))'),
        ("```\n</pre><script>\n```", "<pre>&lt;/pre&gt;&lt;script&gt;</pre>"),
        ("# <i>", "<b>&lt;i&gt;</b>"),
    ],
)
def test_hostile_text_renders_as_text(md: str, html: str) -> None:
    assert render(md) == html
    check_html(html)


def test_seed_article_renders_key_terms_and_links() -> None:
    body = SEED.read_text(encoding="utf-8").split("---\n", 2)[2]
    html = render(body)
    text = check_html(html)
    assert "<b>阿里巴巴集团</b>，" in html
    assert "<b>01.ai</b>" in html
    assert (
        '<a href="https://ft.com/content/978687d4-f9cf-4990-94b6-8d4f21c5e94b">原文链接</a>' in html
    )
    assert "**" not in text
    assert "\n\n\n" not in html


@pytest.mark.parametrize(
    "md",
    [
        "[" * 50_000,
        "[a " * 17_000,
        "_a b* " * 9_000,
        "*a _b ~~c " * 6_000,
        "".join("`" * k + " " for k in range(1, 300)),
        "[a](b " * 9_000,
        "> a\n- b\n" * 6_000,
    ],
    ids=["brackets", "labels", "crossed", "mixed", "backtick-runs", "open-links", "blocks"],
)
def test_pathological_input_renders_in_linear_time(md: str) -> None:
    started = time.thread_time()
    check_html(render(md))
    assert time.thread_time() - started < 2.0
