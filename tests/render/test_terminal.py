"""Telegram HTML as terminal text: bold, links, entities, control characters, and never a tag."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from digestbot.render import markdown_to_telegram_html, parse_html
from digestbot.render.terminal import BOLD, RESET, html_to_terminal
from tests.render.test_properties import HTML, MARKDOWN


def test_entities_are_decoded_and_bold_is_plain_off_a_terminal() -> None:
    html = "<b>R&amp;D &lt;up&gt; 12%</b> as &quot;AI&quot; grows"
    assert html_to_terminal(html) == 'R&D <up> 12% as "AI" grows'


def test_bold_is_ansi_bold_on_a_terminal_and_nesting_resets_once() -> None:
    html = "<b>one <strong>two</strong> three</b> four"
    assert html_to_terminal(html, bold=True) == f"{BOLD}one two three{RESET} four"


def test_a_link_shows_its_target_after_its_text() -> None:
    html = '<a href="https://x.org/?a=1&amp;b=2">Source</a> · Full text: /read_16'
    assert html_to_terminal(html) == "Source (https://x.org/?a=1&b=2) · Full text: /read_16"


def test_a_link_whose_text_is_its_target_is_not_repeated() -> None:
    assert html_to_terminal('<a href="https://x.org">https://x.org</a>') == "https://x.org"


def test_other_tags_are_dropped_and_their_text_kept() -> None:
    html = '<i>a</i><u>b</u><code>c</code><pre><code class="language-py">d</code></pre>'
    assert html_to_terminal(html) == "abcd"
    assert html_to_terminal("<blockquote>quoted</blockquote>\n<tg-spoiler>x</tg-spoiler>") == (
        "quoted\nx"
    )


def test_control_characters_cannot_reach_the_terminal() -> None:
    html = '<b>title\x1b[31m red</b>\x07 <a href="https://x.org/\x1b[2J">l</a>\r\n\tend'
    text = html_to_terminal(html, bold=True)
    assert text == f"{BOLD}title[31m red{RESET} l (https://x.org/[2J)\n\tend"


def test_html_telegram_would_refuse_still_renders_without_tags() -> None:
    assert html_to_terminal("<b>unclosed <x>tag</x> &amp; more") == "unclosed tag & more"
    assert html_to_terminal("a < b") == "a < b"


def _visible(html: str) -> str:
    return "".join(ch for ch in parse_html(html).text if ch in "\t\n" or ch.isprintable())


def _is_subsequence(small: str, big: str) -> bool:
    letters = iter(big)
    return all(ch in letters for ch in small)


@settings(max_examples=300, deadline=None)
@given(MARKDOWN.map(markdown_to_telegram_html) | HTML, st.booleans())
def test_any_rendered_html_becomes_its_text_in_order(html: str, bold: bool) -> None:
    text = html_to_terminal(html, bold=bold)
    plain = html_to_terminal(html)
    assert text.replace(BOLD, "").replace(RESET, "") == plain
    assert text.count(BOLD) == text.count(RESET)
    assert "\x1b" not in plain
    assert _is_subsequence(_visible(html), plain)


@settings(max_examples=300, deadline=None)
@given(MARKDOWN.map(lambda md: md.replace("<", "").replace(">", "")))
def test_no_tag_survives_when_the_text_has_no_angle_brackets(md: str) -> None:
    html = markdown_to_telegram_html(md)
    text = html_to_terminal(html)
    assert "<" not in text
    assert ">" not in text
