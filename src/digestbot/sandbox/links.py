"""The link check TDLib applies to ``<a href>``: normalise a URL or reject it (entity dropped).

A simplified re-statement of TDLib's rules: ``http``/``https`` (the default when no scheme is
given) with a dotted host, no user info, a valid port, the host lower-cased and the path at
least ``/``; ``tg://host?query`` with a host of letters, digits, ``-`` and ``_``.
"""

from __future__ import annotations

import re
import string

__all__ = ["checked_link"]

_HOST_CHARS = frozenset(string.ascii_lowercase + string.digits + ".-_!$,~*'();&+=")
_TG_HOST_CHARS = frozenset(string.ascii_letters + string.digits + "-_")
_MAX_PORT = 65535
_CONTROL = re.compile("[\x00-\x20]")


def _valid_host(host: str) -> bool:
    """Letters, digits and URL-safe marks; any non-ASCII character is allowed as TDLib does."""
    if host.startswith("[") and host.endswith("]"):
        return all(ch in "0123456789abcdef:." for ch in host[1:-1])
    others = set(host) - _HOST_CHARS
    return bool(host) and host != "." and all(ord(ch) >= 128 for ch in others)


def _encode_path(path: str) -> str:
    """Trailing blanks dropped, control characters and spaces percent-encoded, ``/`` at least."""
    path = path.rstrip(" \t\r\n\v\0")
    if not path.startswith("/"):
        path = "/" + path
    return _CONTROL.sub(lambda control: f"%{ord(control[0]):02X}", path)


def _tg_link(rest: str) -> str | None:
    rest = rest.removeprefix("//")
    cut = min((rest.find(ch) for ch in "/?#" if ch in rest), default=len(rest))
    host, tail = rest[:cut], rest[cut:]
    if not host or not all(ch in _TG_HOST_CHARS for ch in host):
        return None
    query = _encode_path(tail)
    if query.startswith("/?"):
        query = query[1:]
    return f"tg://{host.lower()}{query}"


def _http_link(url: str) -> str | None:
    scheme, sep, rest = url.partition("://")
    head = scheme.lower()
    if sep and not any(ch in head for ch in ":/?#@[]"):
        if head not in ("http", "https"):
            return None
    else:
        head, rest = "http", url
    cut = min((rest.find(ch) for ch in "/?#" if ch in rest), default=len(rest))
    authority, path = rest[:cut], rest[cut:]
    if "@" in authority:
        return None  # TDLib: "Link must not contain user info"
    host, port = authority, ""
    colon = authority.rfind(":")
    if colon > 0 and "]" not in authority[colon:]:
        host, port = authority[:colon], authority[colon + 1 :].lstrip("0") or "0"
        if not port.isascii() or not port.isdigit() or not 0 < int(port) <= _MAX_PORT:
            return None
    host = host.lower()
    if not _valid_host(host) or ("." not in host and not host.startswith("[")):
        return None
    return f"{head}://{host}{':' + port if port else ''}{_encode_path(path)}"


def checked_link(url: str) -> str | None:
    """The URL Telegram would store for a text_link, or None when it would drop the entity."""
    if url[:3].lower() == "tg:":
        return _tg_link(url[3:])
    return _http_link(url)
