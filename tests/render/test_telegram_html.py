"""Escaping, and reading Telegram HTML back into visible text and tags."""

from __future__ import annotations

import pytest

from digestbot.render import escape, escape_attr, parse_html, visible_length


def test_escape_text_and_attribute() -> None:
    assert escape('<script>alert("x")</script> a & b') == (
        '&lt;script&gt;alert("x")&lt;/script&gt; a &amp; b'
    )
    assert escape_attr('https://x.org/?q="a"&b=<c>') == (
        "https://x.org/?q=&quot;a&quot;&amp;b=&lt;c&gt;"
    )


@pytest.mark.parametrize(
    ("html", "length"),
    [
        ("plain", 5),
        ("<b>bold</b> &amp; <i>it</i>", 9),
        ("&lt;&gt;&quot;&amp;", 4),
        ("&amp &#65; &#x41;", 5),  # TDLib: ";" optional, numeric references decoded
        ("&nbsp;", 6),  # any other name stays literal
        ("😀", 2),  # outside the BMP: two UTF-16 units
        ("中文", 2),
        ('<a href="https://x.org">link</a>', 4),
    ],
)
def test_visible_length_counts_utf16_units_after_entities(html: str, length: int) -> None:
    assert visible_length(html) == length


def test_parse_records_tags_at_text_offsets_and_drops_empty_elements() -> None:
    parsed = parse_html('a<b>b<i></i></b><a href="https://x.org">c</a>')
    assert parsed.text == "abc"
    assert [(e.offset, e.name, e.is_open) for e in parsed.events] == [
        (1, "b", True),
        (2, "b", False),
        (2, "a", True),
        (3, "a", False),
    ]
    assert parsed.events[2].raw == '<a href="https://x.org">'


@pytest.mark.parametrize(
    "html", ["<script>x</script>", "<b>x", "x</b>", "<b><i>x</b></i>", "a < b"]
)
def test_parse_rejects_what_telegram_rejects(html: str) -> None:
    with pytest.raises(ValueError, match=r"tag|<"):
        parse_html(html)
