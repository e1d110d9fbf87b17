"""Text and entities rendered back as Telegram HTML, for transcripts and the chat page.

``parse_html(render_html(x)) == x`` for whatever ``parse_html`` produced; entity kinds HTML cannot
express (bot_command, mention, url...) are left as plain text.
"""

from __future__ import annotations

from digestbot.sandbox.entities import Entity, FormattedText, entity_order, utf16_len

__all__ = ["escape_html", "render_html"]


def escape_html(text: str) -> str:
    """Escape the four characters Telegram's HTML parser decodes: ``& < > "``."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


_PLAIN_TAGS = {
    "bold": ("b", ""),
    "italic": ("i", ""),
    "underline": ("u", ""),
    "strikethrough": ("s", ""),
    "spoiler": ("tg-spoiler", ""),
    "blockquote": ("blockquote", ""),
    "expandable_blockquote": ("blockquote", " expandable"),
    "code": ("code", ""),
}


def _tags(entity: Entity) -> tuple[str, str]:
    """The opening and closing HTML for an entity; empty for kinds HTML cannot express."""
    if entity.type == "pre" and entity.language:
        language = escape_html(entity.language)
        return f'<pre><code class="language-{language}">', "</code></pre>"
    if entity.type == "pre":
        return "<pre>", "</pre>"
    if entity.type == "text_link":
        return f'<a href="{escape_html(entity.url or "")}">', "</a>"
    if entity.type == "custom_emoji":
        emoji_id = escape_html(entity.custom_emoji_id or "")
        return f'<tg-emoji emoji-id="{emoji_id}">', "</tg-emoji>"
    if entity.type in _PLAIN_TAGS:
        name, attributes = _PLAIN_TAGS[entity.type]
        return f"<{name}{attributes}>", f"</{name}>"
    return "", ""


def render_html(fmt: FormattedText) -> str:
    """Render text and entities back to Telegram HTML; overlapping entities are split to nest."""
    pending = sorted((e for e in fmt.entities if e.length > 0), key=entity_order)
    stack: list[Entity] = []
    out: list[str] = []
    units = 0
    for ch in [*fmt.text, ""]:
        _close_ended(stack, out, units)
        while pending and pending[0].offset <= units:
            entity = pending.pop(0)
            if entity.offset + entity.length > units:
                stack.append(entity)
                out.append(_tags(entity)[0])
        out.append(escape_html(ch))
        units += utf16_len(ch)
    return "".join(out)


def _close_ended(stack: list[Entity], out: list[str], units: int) -> None:
    """Close every entity ending at ``units``, re-opening the ones nested inside it."""
    while any(e.offset + e.length <= units for e in stack):
        reopen: list[Entity] = []
        while stack:
            top = stack.pop()
            out.append(_tags(top)[1])
            if top.offset + top.length <= units:
                break
            reopen.append(top)
        for entity in reversed(reopen):
            stack.append(entity)
            out.append(_tags(entity)[0])
