"""Split Telegram HTML into messages Telegram accepts, cutting where a reader would pause.

Cuts prefer, in order: a blank line, a line break, a sentence end (。！？；… or ``. ! ? ;``
before a space), a comma or space, and only then a cut between two characters. Elements open at
a cut are closed at the end of one message and reopened, same attributes, at the next's start.
A message never ends with a heading (a bold paragraph of one line, as Markdown headings are
rendered) when more follows: the heading moves to the next message, with the text it heads.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from itertools import accumulate

from digestbot.render.telegram_html import (
    ParsedHtml,
    TagEvent,
    escape,
    parse_html,
    utf16_len,
    visible_length,
)

__all__ = [
    "MAX_BYTES",
    "MAX_ENTITIES",
    "MAX_LENGTH",
    "split_blocks",
    "split_html",
    "visible_length",
]

MAX_LENGTH = 4096  # characters after entity parsing (we count UTF-16 code units)
MAX_BYTES = 16384  # raw text; Telegram's own limit is 32768 bytes
MAX_ENTITIES = 100  # Telegram renders at most this many formatting entities per message
_CLOSE_MARGIN = 256  # bytes kept free for the end tags written at a cut
_SENTENCE = re.compile(r"[。！？；…]+[”’」』》）)\"']*|[.!?;]+[”’\"')\]]*(?=\s)")
_SOFT = re.compile(r"[，、,：:]|\s")
_ATOMIC = frozenset({"a", "code", "tg-emoji"})
_JOINERS = frozenset("\u200d\u20e3") | frozenset(map(chr, range(0xFE00, 0xFE10)))


def _utf8_cost(ch: str) -> int:
    """Bytes ``ch`` takes once escaped and UTF-8 encoded."""
    if ch in "&<>":
        return 5 if ch == "&" else 4
    code = ord(ch)
    return 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4


def _is_regional(ch: str) -> bool:
    """Whether ``ch`` is half of a flag emoji."""
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _inside_cluster(text: str, pos: int) -> bool:
    """Whether a cut before ``text[pos]`` would break a user-perceived character (emoji, accent)."""
    ch, prev = text[pos], text[pos - 1]
    code = ord(ch)
    return (
        ch in _JOINERS
        or prev == "\u200d"
        or unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or 0xE0020 <= code <= 0xE007F  # emoji tag sequences
        or (_is_regional(ch) and _is_regional(prev))
    )


def _last_break(text: str, lo: int, hi: int) -> int | None:
    """The best cut ``p`` in ``(lo, hi]``: the chunk ends at ``p``; None when there is none."""
    for separator in ("\n\n", "\n"):
        found = text.rfind(separator, lo + 1, hi + len(separator))
        if found > lo:
            return found
    best = None
    for match in _SENTENCE.finditer(text, lo + 1, min(hi + 1, len(text))):
        if match.end() <= hi:
            best = match.end()
    if best is not None:
        return best
    for match in _SOFT.finditer(text, lo + 1, hi + 1):
        cut = match.start() if match[0].isspace() else match.end()
        if lo < cut <= hi:
            best = cut
    return best


def _elements(parsed: ParsedHtml) -> Iterator[tuple[str, int, int]]:
    """Every element as ``(name, start, end)`` of its text, in the order they close."""
    opened: list[int] = []
    for event in parsed.events:
        if event.is_open:
            opened.append(event.offset)
        else:
            yield event.name, opened.pop(), event.offset


def _headings(parsed: ParsedHtml) -> tuple[list[int], list[int]]:
    """Bold paragraphs of one line (rendered headings): the starts and ends of their text."""
    text = parsed.text
    found = {
        begin: end
        for name, begin, end in _elements(parsed)
        if name == "b"
        and begin < end
        and (end == len(text) or text.startswith("\n\n", end))
        and (begin == 0 or text.endswith("\n\n", 0, begin))
        and "\n" not in text[begin:end]
    }
    starts = sorted(found)
    return starts, [found[begin] for begin in starts]


def _atoms(parsed: ParsedHtml) -> tuple[list[int], list[int]]:
    """Text spans better not cut (links, code), merged where they overlap: (starts, ends)."""
    starts: list[int] = []
    ends: list[int] = []
    for name, begin, end in _elements(parsed):
        if name not in _ATOMIC:
            continue
        while starts and starts[-1] >= begin:  # an inner span closed first: the outer one covers it
            starts.pop()
            ends.pop()
        if starts and ends[-1] > begin:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(begin)
            ends.append(end)
    return starts, ends


class _Splitter:
    """One pass over parsed HTML: picks each cut, then writes the chunk with balanced tags."""

    def __init__(self, parsed: ParsedHtml, limit: int, max_bytes: int, max_entities: int) -> None:
        self.text = text = parsed.text
        self.events = parsed.events
        self.limit, self.max_bytes, self.max_entities = limit, max_bytes, max_entities
        units = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
        cost = [_utf8_cost(ch) for ch in text]
        opens = [0] * len(text)
        for event in self.events:
            if event.is_open:
                cost[event.offset] += len(event.raw.encode())
                opens[event.offset] += 1
            else:
                cost[event.offset - 1] += len(event.name) + 3
        self.units = [0, *accumulate(units)]
        self.cost = [0, *accumulate(cost)]
        self.opens = [0, *accumulate(opens)]
        self.stack: list[TagEvent] = []
        self.next_event = 0
        self.atom_starts, self.atom_ends = _atoms(parsed)
        self.heading_starts, self.heading_ends = _headings(parsed)

    def max_end(self, after: int, start: int) -> int:
        """The furthest end for a chunk of text from ``start`` (tags from ``after``) in budget."""
        reopen = sum(len(tag.raw.encode()) + len(tag.name) + 3 for tag in self.stack)
        ends = (
            bisect_right(self.units, self.units[start] + self.limit),
            bisect_right(self.cost, self.cost[after] + self.max_bytes - reopen - _CLOSE_MARGIN),
            bisect_right(self.opens, self.opens[after] + self.max_entities - len(self.stack)),
        )
        return min(len(self.text), max(start + 1, min(ends) - 1))

    def cut(self, start: int, end: int) -> int:
        """Where to end the chunk that starts at ``start`` and may reach ``end``."""
        if end >= len(self.text):
            return len(self.text)
        for lo in (start + (end - start) // 2, start):
            found = _last_break(self.text, lo, end)
            if found is not None:
                return self.before_heading(self.before_atom(found, lo), start)
        cut = end
        while cut > start + 1 and _inside_cluster(self.text, cut):
            cut -= 1
        cut = self.before_atom(end if _inside_cluster(self.text, cut) else cut, start)
        return self.before_heading(cut, start)

    def before_heading(self, cut: int, start: int) -> int:
        """Move a cut inside or just after a heading (or several) to just before it, when that
        is after ``start``: a heading belongs with the text below it."""
        while True:
            end = cut
            while end > start and self.text[end - 1].isspace():
                end -= 1
            index = bisect_right(self.heading_starts, end - 1) - 1
            if index < 0 or self.heading_ends[index] < end:
                return cut
            begin = self.heading_starts[index]
            if begin <= start:
                return cut
            cut = begin

    def before_atom(self, cut: int, lo: int) -> int:
        """Move a cut inside a link or code to just before it, when that is after ``lo``."""
        index = bisect_right(self.atom_starts, cut - 1) - 1
        if index >= 0 and self.atom_ends[index] > cut and self.atom_starts[index] > lo:
            return self.atom_starts[index]
        return cut

    def write(self, start: int, end: int) -> str:
        """The chunk for text ``[start, end)``: its tags, reopened and closed as needed."""
        out: list[str] = []
        written = 0  # how many elements at the bottom of the stack this chunk has opened
        pos = start
        events = self.events
        while self.next_event < len(events) and events[self.next_event].offset <= end:
            event = events[self.next_event]
            self.next_event += 1
            upto = min(max(event.offset, start), end)
            if upto > pos:
                written = self._write_text(out, written, pos, upto)
                pos = upto
            if event.is_open:
                self.stack.append(event)
                continue
            if written == len(self.stack):
                out.append(f"</{event.name}>")
                written -= 1
            self.stack.pop()
        if end > pos:
            written = self._write_text(out, written, pos, end)
        out.extend(f"</{tag.name}>" for tag in reversed(self.stack[:written]))
        return "".join(out)

    def _write_text(self, out: list[str], written: int, start: int, end: int) -> int:
        """Open the pending elements, then write text ``[start, end)``; return ``written``."""
        out.extend(tag.raw for tag in self.stack[written:])
        out.append(escape(self.text[start:end]))
        return len(self.stack)

    def chunks(self) -> list[str]:
        """All chunks, each stripped of whitespace at its ends and never empty."""
        text, after = self.text, 0
        result: list[str] = []
        while True:
            pos = after
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if pos >= len(text):
                return result
            cut = self.cut(pos, self.max_end(after, pos))
            end = cut
            while text[end - 1].isspace():
                end -= 1
            result.append(self.write(pos, end))
            after = cut


def split_html(
    html: str,
    limit: int = MAX_LENGTH,
    *,
    max_bytes: int = MAX_BYTES,
    max_entities: int = MAX_ENTITIES,
) -> list[str]:
    """Split Telegram HTML into balanced chunks of at most ``limit`` visible UTF-16 units."""
    if limit < 1:
        raise ValueError("limit must be positive")
    return _Splitter(parse_html(html), limit, max_bytes, max_entities).chunks()


def _measure(html: str) -> tuple[tuple[int, int, int], str]:
    """(visible UTF-16 units, raw bytes, elements) of a piece of Telegram HTML, and its text."""
    parsed = parse_html(html)
    elements = sum(1 for event in parsed.events if event.is_open)
    return (utf16_len(parsed.text), len(html.encode()), elements), parsed.text


def split_blocks(
    blocks: Sequence[str],
    limit: int = MAX_LENGTH,
    separator: str = "\n\n",
    *,
    max_bytes: int = MAX_BYTES,
    max_entities: int = MAX_ENTITIES,
) -> list[str]:
    """Pack whole blocks into messages in order; split a block only when it alone is too big."""
    budget = (limit, max_bytes, max_entities)
    gap = _measure(separator)[0]
    messages: list[str] = []
    current: list[str] = []
    size = (0, 0, 0)

    def fits(have: tuple[int, int, int]) -> bool:
        return all(value <= most for value, most in zip(have, budget, strict=True))

    def flush() -> None:
        if current:
            messages.append(separator.join(current))
            current.clear()

    for raw in blocks:
        block = raw.strip()
        measure, text = _measure(block)
        if not text.strip():
            continue
        if text != text.strip() or not fits(measure):  # split_html also trims edge whitespace
            *whole, block = split_html(block, limit, max_bytes=max_bytes, max_entities=max_entities)
            if whole:
                flush()
                messages.extend(whole)
            measure = _measure(block)[0]
        joined = (
            size[0] + gap[0] + measure[0],
            size[1] + gap[1] + measure[1],
            size[2] + gap[2] + measure[2],
        )
        if current and fits(joined):
            size = joined
        else:
            flush()
            size = measure
        current.append(block)
    flush()
    return messages
