"""Telegram's HTML parse mode, as TDLib implements it (``render_html`` re-exported for callers).

``parse_html`` walks the UTF-8 bytes like TDLib does, so the byte offsets in error texts match
what Telegram reports; entity offsets and lengths are in UTF-16 code units. Differences from
Telegram, on purpose: ``tg://user?id=`` links stay ``text_link`` (no user lookup) and URLs are
normalised by a simplified check (see ``checked_link``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from digestbot.sandbox.entities import Entity, FormattedText, entity_order
from digestbot.sandbox.errors import ApiError, utf8_bytes
from digestbot.sandbox.links import checked_link
from digestbot.sandbox.render_html import escape_html, render_html

__all__ = ["EntityParseError", "FormattedText", "escape_html", "parse_html", "render_html"]

_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_TAGS = frozenset({*_SIMPLE_TAGS, "a", "code", "pre", "blockquote", "tg-emoji"})
_REFERENCE = re.compile(
    rb"&(?:#x(?P<hex>[0-9a-fA-F]*)|#(?P<dec>[0-9]*)|(?P<name>[A-Za-z]*))(?P<stop>);?"
)
_SPACES = frozenset(b" \t\r\n\0\v")
_NAME_STOPS = frozenset(b" \t\r\n\0\v=>/\"'")
_NAMED_REFERENCES = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}
_MAX_CODE_POINT = 0x10FFFF


class EntityParseError(ApiError):
    """400 ``Bad Request: can't parse entities: <detail>``."""

    def __init__(self, detail: str) -> None:
        super().__init__(400, f"Bad Request: can't parse entities: {detail}")
        self.detail = detail


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int  # UTF-16 offset where the tag's content starts
    text_start: int  # index into the output pieces where the content starts


def _reference_code(match: re.Match[bytes]) -> int | None:
    """The code point a matched character reference stands for, or None if TDLib keeps it literal.

    As TDLib: ``&#x`` (lower-case x) hex or ``&#`` decimal digits, or a name among lt, gt, amp,
    quot; the ``;`` is optional; a number of 7 digits or more, 0 or beyond U+10FFFE stays literal.
    """
    hexadecimal, decimal, name = match.group("hex", "dec", "name")
    digits = hexadecimal if hexadecimal is not None else decimal
    if digits is None:
        character = _NAMED_REFERENCES.get(name)
        return None if character is None else ord(character)
    if not digits or match.end("stop") - match.start() >= 10:
        return None
    code = int(digits, 16 if hexadecimal is not None else 10)
    return code if 0 < code < _MAX_CODE_POINT else None


def _decode_reference(data: bytes, pos: int) -> tuple[int, int] | None:
    """Decode the character reference at ``data[pos] == '&'``: (code point, next position)."""
    match = _REFERENCE.match(data, pos)
    code = None if match is None else _reference_code(match)
    return None if code is None or match is None else (code, match.end())


class _Parser:
    """One pass over the source bytes, NUL-terminated like the C string TDLib reads."""

    def __init__(self, source: bytes) -> None:
        self.data = source + b"\0"
        self.size = len(self.data) - 1
        self.out = bytearray()
        self.units = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[Entity] = []
        self.surrogates = False

    def run(self) -> FormattedText:
        pos = 0
        while pos < self.size:
            stop = self.data.find(b"<", pos, self.size)
            stop = self.size if stop < 0 else stop
            if stop > pos:
                self._append_text(self.data[pos:stop])
                pos = stop
            else:
                is_end = self.data[pos + 1] == ord("/")
                pos = self._end_tag(pos) if is_end else self._start_tag(pos)
        if self.stack:
            raise EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        if self.surrogates:
            raise EntityParseError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        text = self.out.decode("utf-8")
        return FormattedText(text, tuple(sorted(self.entities, key=entity_order)))

    def _append_text(self, chunk: bytes) -> None:
        """Append text between tags, its character references decoded."""
        if b"&" in chunk:
            chunk = _REFERENCE.sub(self._reference_bytes, chunk)
        self.out += chunk
        if chunk.isascii():
            self.units += len(chunk)
        else:
            self.units += len(chunk.decode("utf-8").encode("utf-16-le")) // 2

    def _reference_bytes(self, match: re.Match[bytes]) -> bytes:
        code = _reference_code(match)
        if code is None:
            return match.group()  # the '&' stays; what follows holds no '&' or '<'
        if 0xD800 <= code <= 0xDFFF:
            self.surrogates = True  # TDLib fails at the end, after any tag error
            return b""
        return chr(code).encode("utf-8")

    def _skip_spaces(self, pos: int) -> int:
        while self.data[pos] != 0 and self.data[pos] in _SPACES:
            pos += 1
        return pos

    def _start_tag(self, begin: int) -> int:
        pos = begin + 1
        while self.data[pos] not in _SPACES and self.data[pos] != ord(">"):
            pos += 1
        if self.data[pos] == 0:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
        name = self.data[begin + 1 : pos].decode("utf-8", "replace").lower()
        if name not in _TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {begin}')
        argument = ""
        while self.data[pos] != ord(">"):
            pos = self._skip_spaces(pos)
            if self.data[pos] == ord(">"):
                break
            pos, found = self._attribute(pos, name, begin)
            if found is not None:
                argument = found
        if name == "span" and argument != "spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {begin}'
            )
        self.stack.append(_OpenTag(name, argument, self.units, len(self.out)))
        return pos + 1

    def _attribute(self, pos: int, tag: str, begin: int) -> tuple[int, str | None]:
        """Read one attribute; returns the new position and the tag argument it sets, if any."""
        data = self.data
        start = pos
        while data[pos] not in _NAME_STOPS:
            pos += 1
        attribute = data[start:pos]
        if not attribute:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
            )
        pos = self._skip_spaces(pos)
        if data[pos] != ord("="):
            if data[pos] == 0:
                raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
            return pos, "1" if (tag, attribute) == ("blockquote", b"expandable") else None
        pos = self._skip_spaces(pos + 1)
        if data[pos] == 0:
            raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
        if data[pos] in b"'\"":
            pos, value = self._quoted_value(pos)
        else:
            token = pos
            while chr(data[pos]).isascii() and (chr(data[pos]).isalnum() or data[pos] in b".-"):
                pos += 1
            value = data[token:pos].decode("ascii").lower()
            if data[pos] not in _SPACES and data[pos] != ord(">"):
                raise EntityParseError(f"Unexpected end of name token at byte offset {token}")
        if data[pos] == 0:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
        return pos, _tag_argument(tag, attribute, value)

    def _quoted_value(self, pos: int) -> tuple[int, str]:
        quote = self.data[pos]
        pos += 1
        stop = self.data.find(b"\0", pos)  # always found: the data ends in NUL
        closing = self.data.find(quote, pos, stop)
        stop = stop if closing < 0 else closing
        if self.data.find(b"&", pos, stop) < 0:  # no reference to decode: the bytes as they are
            value_bytes = self.data[pos:stop]
            return (stop + 1 if closing >= 0 else stop), value_bytes.decode("utf-8", "replace")
        value = bytearray()
        while self.data[pos] != quote and self.data[pos] != 0:
            if self.data[pos] == ord("&"):
                decoded = _decode_reference(self.data, pos)
                if decoded is not None:
                    code, pos = decoded
                    value += chr(code).encode("utf-8", "surrogatepass")
                    continue
            value.append(self.data[pos])
            pos += 1
        if self.data[pos] == quote:
            pos += 1
        return pos, value.decode("utf-8", "replace")

    def _end_tag(self, begin: int) -> int:
        if not self.stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
        pos = begin + 2
        while self.data[pos] not in _SPACES and self.data[pos] != ord(">"):
            pos += 1
        name = self.data[begin + 2 : pos].decode("utf-8", "replace").lower()
        pos = self._skip_spaces(pos)
        if self.data[pos] != ord(">"):
            raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
        tag = self.stack[-1]
        if name and name != tag.name:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{tag.name}>", '
                f'found "</{name}>"'
            )
        if self.units > tag.offset:
            self._close(tag)
        self.stack.pop()
        return pos + 1

    def _close(self, tag: _OpenTag) -> None:
        offset, length = tag.offset, self.units - tag.offset
        last = self.entities[-1] if self.entities else None
        same_span = last is not None and (last.offset, last.length) == (offset, length)
        if tag.name in _SIMPLE_TAGS:
            self.entities.append(Entity(_SIMPLE_TAGS[tag.name], offset, length))
        elif tag.name == "blockquote":
            kind = "expandable_blockquote" if tag.argument else "blockquote"
            self.entities.append(Entity(kind, offset, length))
        elif tag.name == "tg-emoji":
            if not _is_emoji_id(tag.argument):
                raise EntityParseError("Invalid custom emoji identifier specified")
            self.entities.append(
                Entity("custom_emoji", offset, length, custom_emoji_id=tag.argument)
            )
        elif tag.name == "a":
            url = tag.argument or self.out[tag.text_start :].decode("utf-8", "replace")
            link = checked_link(url)
            if link is not None:
                self.entities.append(Entity("text_link", offset, length, url=link))
        elif tag.name == "pre":
            if last is not None and same_span and last.type == "code" and last.language:
                self.entities[-1] = Entity("pre", offset, length, language=last.language)
            else:
                self.entities.append(Entity("pre", offset, length))
        elif last is not None and same_span and last.type == "pre" and tag.argument:
            self.entities[-1] = Entity("pre", offset, length, language=tag.argument)
        else:  # code: its language only counts inside pre, dropped at the end
            self.entities.append(Entity("code", offset, length, language=tag.argument or None))


def _tag_argument(tag: str, attribute: bytes, value: str) -> str | None:
    """The argument an attribute gives its tag (href, language, spoiler class...), if any."""
    if tag == "a" and attribute == b"href":
        return value
    if tag == "code" and attribute == b"class" and value.startswith("language-"):
        return value[len("language-") :]
    if tag == "span" and attribute == b"class" and value.startswith("tg-"):
        return value[len("tg-") :]
    if tag == "tg-emoji" and attribute == b"emoji-id":
        return value
    if tag == "blockquote" and attribute == b"expandable":
        return "1"
    return None


def _is_emoji_id(argument: str) -> bool:
    """TDLib wants a non-zero signed 64-bit integer."""
    body = argument[1:] if argument.startswith("-") else argument
    return (
        body.isascii()
        and body.isdigit()
        and int(argument) != 0
        and -(2**63) <= int(argument) < 2**63
    )


def _finish(entity: Entity) -> Entity:
    """A code entity keeps no language outside pre, as TDLib clears it."""
    if entity.type == "code" and entity.language is not None:
        return Entity("code", entity.offset, entity.length)
    return entity


def parse_html(source: str) -> FormattedText:
    """Parse Telegram HTML into plain text and entities, or raise ``EntityParseError``."""
    parsed = _Parser(utf8_bytes(source)).run()
    return FormattedText(parsed.text, tuple(_finish(e) for e in parsed.entities))
