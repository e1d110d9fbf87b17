"""Rendering for Telegram: article Markdown to Telegram HTML, and splitting HTML into messages."""

from digestbot.render.markdown_html import markdown_to_telegram_html
from digestbot.render.split import MAX_BYTES, MAX_ENTITIES, MAX_LENGTH, split_blocks, split_html
from digestbot.render.telegram_html import escape, escape_attr, parse_html, visible_length

__all__ = [
    "MAX_BYTES",
    "MAX_ENTITIES",
    "MAX_LENGTH",
    "escape",
    "escape_attr",
    "markdown_to_telegram_html",
    "parse_html",
    "split_blocks",
    "split_html",
    "visible_length",
]
