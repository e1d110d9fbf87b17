"""A strict, independent checker of the Telegram HTML we emit, and tests that it is strict."""

from __future__ import annotations

import importlib.util
import re
from html.parser import HTMLParser

import pytest

from digestbot.render import parse_html

_PLAIN = frozenset({"b", "i", "u", "s", "blockquote", "pre", "code"})
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"'}
_SAFE_HREF = re.compile(r"(?i)(https?|tg|mailto):\S+")
_LANGUAGE_CLASS = re.compile(r"language-[\w+#.-]+")
_HAS_SANDBOX_PARSER = importlib.util.find_spec("digestbot.sandbox.html") is not None
TELEGRAM_MAX_BYTES = 32768


class _Checker(HTMLParser):
    """Collects the visible text and fails on anything we must never send."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            assert len(attrs) == 1, attrs
            assert attrs[0][0] == "href", attrs
            assert _SAFE_HREF.fullmatch(attrs[0][1] or ""), attrs
            assert "a" not in self.stack
        elif tag == "code" and attrs:
            assert self.stack[-1:] == ["pre"], self.stack
            assert len(attrs) == 1, attrs
            assert attrs[0][0] == "class", attrs
            assert _LANGUAGE_CLASS.fullmatch(attrs[0][1] or "")
        else:
            assert tag in _PLAIN, tag
            assert not attrs, attrs
        if {"code", "pre"} & set(self.stack):
            assert tag == "code", (tag, self.stack)
            assert self.stack[-1] == "pre", (tag, self.stack)
        if tag == "blockquote":
            assert "blockquote" not in self.stack
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise AssertionError(f"self-closing tag {tag}")

    def handle_endtag(self, tag: str) -> None:
        assert self.stack, f"stray </{tag}>"
        assert self.stack.pop() == tag, f"</{tag}> closes another element"

    def handle_data(self, data: str) -> None:
        assert "<" not in data, data
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        assert name in _ENTITIES, name
        self.text.append(_ENTITIES[name])

    def handle_charref(self, name: str) -> None:
        raise AssertionError(f"numeric reference &#{name};")

    def handle_comment(self, data: str) -> None:
        raise AssertionError("comment")

    def handle_decl(self, decl: str) -> None:
        raise AssertionError("declaration")

    def handle_pi(self, data: str) -> None:
        raise AssertionError("processing instruction")

    def unknown_decl(self, data: str) -> None:
        raise AssertionError("unknown declaration")


def check_html(html: str) -> str:
    """Assert ``html`` is balanced Telegram HTML with allowed tags only; return its visible text."""
    assert not re.search(r"&(?!(?:amp|lt|gt|quot);)", html), html
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert not checker.rawdata, f"unparsed tail {checker.rawdata!r}"
    assert not checker.stack, f"unclosed {checker.stack}"
    text = "".join(checker.text)
    if _HAS_SANDBOX_PARSER:
        from digestbot.sandbox.html import parse_html as telegram_parse

        assert telegram_parse(html).text == text
    return text


def check_message(html: str, limit: int) -> str:
    """``check_html`` plus what Telegram requires of a message: non-empty, within ``limit``."""
    text = check_html(html)
    assert len(html.encode()) < TELEGRAM_MAX_BYTES
    assert text.strip(), html
    assert text == text.strip(), html
    assert len(text.encode("utf-16-le")) // 2 <= limit
    return text


def test_accepts_what_we_emit() -> None:
    html = '<b>a &amp; <i>b</i></b>\n<a href="https://x.org/?a=1&amp;b=&quot;2&quot;">l</a>'
    assert check_html(html) == "a & b\nl"
    assert check_html('<pre><code class="language-py">x = 1</code></pre>') == "x = 1"


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        "<b>unclosed",
        "<b><i>crossed</b></i>",
        "stray </b>",
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<b class="x">x</b>',
        "a & b",
        "&nbsp;",
        "<blockquote><blockquote>x</blockquote></blockquote>",
        "<code><b>x</b></code>",
    ],
)
def test_rejects_what_telegram_or_we_must_not_see(html: str) -> None:
    with pytest.raises(AssertionError):
        check_html(html)


def styles(html: str) -> list[tuple[str, ...]]:
    """For each visible character, the start tags (with attributes) of the elements around it."""
    parsed = parse_html(html)
    result: list[tuple[str, ...]] = []
    stack: list[str] = []
    events = iter(parsed.events)
    event = next(events, None)
    for pos in range(len(parsed.text) + 1):
        while event is not None and event.offset == pos:
            if event.is_open:
                stack.append(event.raw)
            else:
                stack.pop()
            event = next(events, None)
        result.append(tuple(stack))
    return result[:-1]


def check_split(html: str, chunks: list[str], limit: int) -> list[str]:
    """Assert each chunk is a valid message and together they show ``html``'s text, formatted."""
    original, original_styles = check_html(html), styles(html)
    texts = [check_message(chunk, limit) for chunk in chunks]
    pos = 0
    for chunk, text in zip(chunks, texts, strict=True):
        found = original.find(text, pos)
        assert found >= 0, (text, original[pos : pos + 80])
        assert not original[pos:found].strip(), original[pos:found]
        assert styles(chunk) == original_styles[found : found + len(text)]
        pos = found + len(text)
    assert not original[pos:].strip()
    return texts
