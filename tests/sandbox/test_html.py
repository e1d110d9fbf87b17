"""Telegram's HTML parse mode: the text and entities TDLib produces, and its exact error texts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digestbot.sandbox.entities import Entity, utf16_len
from digestbot.sandbox.errors import ApiError
from digestbot.sandbox.html import (
    EntityParseError,
    FormattedText,
    escape_html,
    parse_html,
    render_html,
)
from digestbot.sandbox.links import checked_link

PREFIX = "Bad Request: can't parse entities: "


def spans(source: str) -> tuple[str, list[tuple[str, int, int]]]:
    """Parse and reduce the entities to (type, offset, length) for compact assertions."""
    parsed = parse_html(source)
    return parsed.text, [(e.type, e.offset, e.length) for e in parsed.entities]


def parse_error(source: str) -> str:
    with pytest.raises(EntityParseError) as caught:
        parse_html(source)
    assert caught.value.error_code == 400
    assert caught.value.description.startswith(PREFIX)
    return caught.value.description.removeprefix(PREFIX)


@pytest.mark.parametrize(
    ("tag", "kind"),
    [
        ("b", "bold"),
        ("strong", "bold"),
        ("i", "italic"),
        ("em", "italic"),
        ("u", "underline"),
        ("ins", "underline"),
        ("s", "strikethrough"),
        ("strike", "strikethrough"),
        ("del", "strikethrough"),
        ("tg-spoiler", "spoiler"),
        ("code", "code"),
        ("pre", "pre"),
        ("blockquote", "blockquote"),
    ],
)
def test_each_simple_tag_gives_its_entity(tag: str, kind: str) -> None:
    assert spans(f"x<{tag}>abc</{tag}>y") == ("xabcy", [(kind, 1, 3)])


def test_tag_names_are_case_insensitive() -> None:
    assert spans("<B>a</b><EM>b</Em>") == ("ab", [("bold", 0, 1), ("italic", 1, 1)])


def test_span_with_spoiler_class_is_a_spoiler() -> None:
    assert spans('<span class="tg-spoiler">s</span>') == ("s", [("spoiler", 0, 1)])
    assert spans("<span class=tg-spoiler>s</span>") == ("s", [("spoiler", 0, 1)])


def test_span_without_spoiler_class_is_an_error() -> None:
    assert parse_error("ab<span>x</span>") == (
        'Tag "span" must have class "tg-spoiler" at byte offset 2'
    )
    assert parse_error('<span class="tg-x">x</span>').startswith('Tag "span" must have')


def test_nested_tags_and_sorting() -> None:
    assert spans("<b>a<i>b</i>c</b>") == ("abc", [("bold", 0, 3), ("italic", 1, 1)])
    # Same span: TDLib orders bold before italic whatever the nesting.
    assert spans("<i><b>x</b></i>") == ("x", [("bold", 0, 1), ("italic", 0, 1)])


def test_offsets_count_utf16_units_for_emoji_and_cjk() -> None:
    assert spans("😀<b>x</b>") == ("😀x", [("bold", 2, 1)])
    assert spans("中文<b>粗体</b>") == ("中文粗体", [("bold", 2, 2)])
    assert spans("<i>👍🏽</i>!") == ("👍🏽!", [("italic", 0, 4)])
    assert spans("<b>&#x1F600;</b>") == ("😀", [("bold", 0, 2)])


def test_empty_entities_are_dropped() -> None:
    assert spans("<b></b>x<i><u></u></i>") == ("x", [])


def test_pre_with_language_code_block() -> None:
    parsed = parse_html('<pre><code class="language-python">print(1)</code></pre>')
    assert parsed == FormattedText("print(1)", (Entity("pre", 0, 8, language="python"),))


def test_code_outside_pre_loses_its_language() -> None:
    parsed = parse_html('<code class="language-python">x</code>')
    assert parsed.entities == (Entity("code", 0, 1),)


def test_code_wrapping_pre_also_gives_language() -> None:
    parsed = parse_html('<code class="language-go"><pre>x</pre></code>')
    assert parsed.entities == (Entity("pre", 0, 1, language="go"),)


def test_pre_and_code_without_language_stay_two_entities() -> None:
    assert spans("<pre><code>x</code></pre>") == ("x", [("pre", 0, 1), ("code", 0, 1)])


def test_expandable_blockquote() -> None:
    assert spans("<blockquote expandable>q</blockquote>") == (
        "q",
        [("expandable_blockquote", 0, 1)],
    )
    assert spans('<blockquote expandable="">q</blockquote>')[1] == [("expandable_blockquote", 0, 1)]


def test_custom_emoji() -> None:
    parsed = parse_html('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>')
    assert parsed.entities == (Entity("custom_emoji", 0, 2, custom_emoji_id="5368324170671202286"),)


@pytest.mark.parametrize("emoji_id", ["", "abc", "0", "99999999999999999999"])
def test_custom_emoji_needs_a_valid_id(emoji_id: str) -> None:
    source = f'<tg-emoji emoji-id="{emoji_id}">👍</tg-emoji>'
    assert parse_error(source) == "Invalid custom emoji identifier specified"


@pytest.mark.parametrize(
    ("href", "url"),
    [
        ("https://example.com/a?b=1#c", "https://example.com/a?b=1#c"),
        ("http://Example.COM", "http://example.com/"),
        ("example.com/path", "http://example.com/path"),
        ("HTTPS://example.com:8443/x y", "https://example.com:8443/x%20y"),
        ("tg://resolve?domain=digestbot", "tg://resolve?domain=digestbot"),
        ("tg://user?id=42", "tg://user?id=42"),
    ],
)
def test_links_are_normalised(href: str, url: str) -> None:
    assert parse_html(f'<a href="{href}">x</a>').entities == (Entity("text_link", 0, 1, url=url),)


@pytest.mark.parametrize(
    "href", ["localhost", "ftp://example.com", "javascript:alert(1)", "https://u:p@example.com"]
)
def test_invalid_links_drop_the_entity_but_keep_the_text(href: str) -> None:
    assert spans(f'<a href="{href}">x</a>') == ("x", [])


def test_link_without_href_uses_its_text() -> None:
    parsed = parse_html("<a>https://t.me/digest</a>")
    assert parsed.entities == (Entity("text_link", 0, 19, url="https://t.me/digest"),)


def test_attribute_quoting_styles() -> None:
    for source in (
        "<a href='https://e.com/'>x</a>",
        '<a href="https://e.com/">x</a>',
        "<a href=e.com>x</a>",
        '<a  href = "https://e.com/" >x</a>',
    ):
        assert parse_html(source).entities[0].url in ("https://e.com/", "http://e.com/"), source


def test_entities_in_attribute_values_are_decoded() -> None:
    parsed = parse_html('<a href="https://e.com/?a=1&amp;b=2">x</a>')
    assert parsed.entities[0].url == "https://e.com/?a=1&b=2"


def test_unknown_attributes_are_ignored() -> None:
    assert spans('<b class="x" data-y=1>t</b>') == ("t", [("bold", 0, 1)])


def test_empty_end_tag_closes_the_innermost() -> None:
    assert spans("<b>x</>") == ("x", [("bold", 0, 1)])
    assert spans("<b>x</b  >") == ("x", [("bold", 0, 1)])


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("&lt;b&gt; &amp; &quot;", '<b> & "'),
        ("&amp;amp;", "&amp;"),
        ("&#65;&#x42;&#x1F600;", "AB😀"),
        ("&lt no semicolon", "< no semicolon"),
        ("&nbsp; &apos; &copy;", "&nbsp; &apos; &copy;"),
        ("&#0; &#X41; &#; &#x;", "&#0; &#X41; &#; &#x;"),
        ("&#1114111;", "&#1114111;"),
        ("&#00000065;", "&#00000065;"),
        ("&#1114110;", chr(0x10FFFE)),
        ("a & b", "a & b"),
        ("x > y", "x > y"),
    ],
)
def test_character_references(source: str, text: str) -> None:
    assert parse_html(source) == FormattedText(text)


def test_decoded_surrogate_is_an_error() -> None:
    assert parse_error("&#xD83D;&#xDE00;") == (
        "Text contains invalid Unicode characters after decoding HTML entities, "
        "check for unmatched surrogate code units"
    )


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        ("<foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("<br/>", 'Unsupported start tag "br/" at byte offset 0'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("中<x>", 'Unsupported start tag "x" at byte offset 3'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</i>", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<b>x</b y>", "Unclosed end tag at byte offset 4"),
        ("x <", "Unclosed start tag at byte offset 2"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ('<a href="x', "Unclosed start tag at byte offset 0"),
        ("<a href=", 'Unclosed start tag "a" at byte offset 0'),
        ("<a href", 'Unclosed start tag "a" at byte offset 0'),
        ("<b =x>", 'Empty attribute name in the tag "b" at byte offset 0'),
        ('<a href="x"/>', 'Empty attribute name in the tag "a" at byte offset 0'),
        ("<a href=http://x>y</a>", "Unexpected end of name token at byte offset 8"),
    ],
)
def test_error_texts(source: str, detail: str) -> None:
    assert parse_error(source) == detail


def test_lone_surrogate_in_source_is_rejected() -> None:
    with pytest.raises(ApiError, match="strings must be encoded in UTF-8"):
        parse_html("a\ud800b")


def test_render_escapes_and_nests() -> None:
    fmt = FormattedText('a<b>&"', (Entity("bold", 0, 3), Entity("italic", 1, 1)))
    assert render_html(fmt) == "<b>a<i>&lt;</i>b</b>&gt;&amp;&quot;"


def test_render_splits_overlapping_entities() -> None:
    fmt = FormattedText("abc", (Entity("bold", 0, 2), Entity("italic", 1, 2)))
    assert render_html(fmt) == "<b>a<i>b</i></b><i>c</i>"


def test_render_every_kind() -> None:
    fmt = FormattedText(
        "abcdefgh",
        (
            Entity("text_link", 0, 1, url="https://e.com/?a=1&b=2"),
            Entity("pre", 1, 1, language="py"),
            Entity("pre", 2, 1),
            Entity("code", 3, 1),
            Entity("expandable_blockquote", 4, 1),
            Entity("custom_emoji", 5, 1, custom_emoji_id="7"),
            Entity("spoiler", 6, 1),
            Entity("bot_command", 7, 1),
        ),
    )
    assert render_html(fmt) == (
        '<a href="https://e.com/?a=1&amp;b=2">a</a>'
        '<pre><code class="language-py">b</code></pre><pre>c</pre><code>d</code>'
        "<blockquote expandable>e</blockquote>"
        '<tg-emoji emoji-id="7">f</tg-emoji><tg-spoiler>g</tg-spoiler>h'
    )
    assert parse_html(render_html(fmt)) == FormattedText(fmt.text, fmt.entities[:-1])


_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
_OPEN_TAGS = st.sampled_from(
    [
        "<b>",
        "<strong>",
        "<i>",
        "<u>",
        "<s>",
        "<del>",
        "<tg-spoiler>",
        '<span class="tg-spoiler">',
        "<code>",
        '<code class="language-rust">',
        "<pre>",
        "<blockquote>",
        "<blockquote expandable>",
        '<a href="https://Example.com/a b">',
        "<a href='tg://user?id=1'>",
        "<a>",
        '<tg-emoji emoji-id="123">',
    ]
)


@st.composite
def html_documents(draw: st.DrawFn, depth: int = 3) -> str:
    """Well-formed Telegram HTML: escaped text and properly nested allowed tags."""
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 3))):
        if depth > 0 and draw(st.booleans()):
            opening = draw(_OPEN_TAGS)
            name = opening[1:].split(">")[0].split(" ")[0]
            parts.append(f"{opening}{draw(html_documents(depth - 1))}</{name}>")
        else:
            parts.append(escape_html(draw(_TEXT)))
    return "".join(parts)


@given(html_documents())
def test_render_then_parse_round_trips(source: str) -> None:
    parsed = parse_html(source)
    assert parse_html(render_html(parsed)) == parsed


@given(html_documents())
def test_entities_lie_inside_the_text(source: str) -> None:
    parsed = parse_html(source)
    size = utf16_len(parsed.text)
    for entity in parsed.entities:
        assert entity.length > 0
        assert entity.offset >= 0
        assert entity.offset + entity.length <= size


def outcome(source: str) -> FormattedText | ApiError:
    """The parse result, or the ApiError it raised (anything else propagates and fails)."""
    try:
        return parse_html(source)
    except ApiError as error:
        return error


@given(st.text())
def test_parse_raises_only_api_errors(source: str) -> None:
    result = outcome(source)
    if isinstance(result, ApiError):
        assert result.error_code == 400
    else:
        assert parse_html(render_html(result)) == result


@given(st.text(st.characters(exclude_categories=("Cs",))))
def test_escaped_text_parses_back_to_itself(text: str) -> None:
    assert parse_html(escape_html(text)) == FormattedText(text)


@given(st.text(alphabet="<>/&;#xabi \"'=-", max_size=20))
def test_tag_soup_raises_only_api_errors(source: str) -> None:
    result = outcome(source)
    assert isinstance(result, FormattedText) or result.description.startswith("Bad Request: ")


_URL_PARTS = st.lists(
    st.sampled_from(
        [
            "http",
            "HTTPS",
            "tg",
            "://",
            ":",
            "/",
            "?",
            "#",
            "@",
            ".",
            "a",
            "B",
            " ",
            "%",
            "80",
            "中",
            "=",
            "&",
        ]
    ),
    max_size=12,
).map("".join)


@given(_URL_PARTS)
def test_link_normalisation_is_idempotent(url: str) -> None:
    checked = checked_link(url)
    if checked is not None:
        assert checked_link(checked) == checked
