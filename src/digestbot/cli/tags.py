"""Tags given on the command line (``--tag``, ``--tags``) checked against the store's tags."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from sqlalchemy.orm import Session

from digestbot.cli.exits import UsageError
from digestbot.cli.output import quoted
from digestbot.store.articles import list_tags

__all__ = ["require_known_tags", "unknown_tag_message"]

MAX_LISTED = 30  # known tags named in the message; more are counted


def require_known_tags(session: Session, tags: Sequence[str]) -> None:
    """Raise ``UsageError`` naming the first tag no article has, and the tags there are."""
    known = sorted(name for name, _count in list_tags(session))
    for tag in tags:
        if tag not in known:
            raise UsageError(unknown_tag_message(tag, known))


def unknown_tag_message(tag: str, known: Sequence[str]) -> str:
    """``unknown tag 'x' (did you mean 'y'?); known tags: a, b, ...`` in one line."""
    close = difflib.get_close_matches(tag, known, n=1)
    guess = f" (did you mean {close[0]!r}?)" if close else ""
    if not known:
        return f"unknown tag {quoted(tag)}: no article has a tag yet (load some: digestbot load)"
    listed = ", ".join(known[:MAX_LISTED])
    more = f" and {len(known) - MAX_LISTED} more" if len(known) > MAX_LISTED else ""
    return f"unknown tag {quoted(tag)}{guess}; known tags: {listed}{more}"
