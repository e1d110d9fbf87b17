"""Which proxy the Bot API calls go through: ``[telegram] proxy_url`` or the environment.

Resolved once, when the settings are loaded (:func:`digestbot.config.load_settings` stores the
result in ``settings.telegram.proxy_url``); every Bot API client then uses that one answer.

Rules, as curl, urllib and httpx read the environment:

- a configured ``proxy_url`` always applies; ``NO_PROXY`` does not touch it (it was set for this
  bot alone, while ``NO_PROXY`` is shared with every other program in the environment);
- otherwise, for an https Bot API server ``https_proxy`` then ``all_proxy``, for an http one
  ``http_proxy`` then ``all_proxy`` (each name in lower or upper case; lower case wins when both
  are set, and an empty lower-case value unsets the upper-case one); a value without a scheme
  means ``http://``;
- ``NO_PROXY`` (comma-separated host names, domain suffixes, or ``*``) excludes the Bot API host
  from the environment's proxies.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

from digestbot.errors import ConfigError

__all__ = [
    "PROXY_SCHEMES",
    "bot_api_proxy",
    "check_proxy_url",
    "proxy_secrets",
    "redact_url",
]

PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
_TELEGRAM_API = "https://api.telegram.org"
DEFAULT_PORTS = {"http": 80, "https": 443, "socks5": 1080, "socks5h": 1080}


def bot_api_proxy(proxy_url: str, api_url: str, environ: Mapping[str, str]) -> str | None:
    """The proxy for the Bot API server ``api_url`` (empty: Telegram's), or None to go direct.

    A proxy taken from the environment is checked like ``proxy_url`` (ConfigError naming the
    variable, without its password).
    """
    if proxy_url:
        return proxy_url
    parts = urlsplit(api_url or _TELEGRAM_API)
    proxies = _environment_proxies(environ)
    scheme = "https" if parts.scheme == "https" else "http"
    name = scheme if scheme in proxies else "all"
    chosen = proxies.get(name)
    if chosen is None:
        return None
    port = parts.port or (443 if scheme == "https" else 80)
    if _excluded(parts.hostname or "", port, proxies.get("no", "")):
        return None
    if "://" not in chosen:
        chosen = f"http://{chosen}"
    return check_proxy_url(_with_default_port(chosen), f"{name.upper()}_PROXY in the environment")


def _with_default_port(url: str) -> str:
    """``url`` with its scheme's usual port when it names none (``http://proxy.corp``, as curl
    and httpx read it from the environment); unchanged when it has one or cannot be read."""
    try:
        parts = urlsplit(url)
        if parts.port is not None or not parts.hostname or parts.scheme not in DEFAULT_PORTS:
            return url
    except ValueError:
        return url
    return parts._replace(netloc=f"{parts.netloc}:{DEFAULT_PORTS[parts.scheme]}").geturl()


def _environment_proxies(environ: Mapping[str, str]) -> dict[str, str]:
    """``{"https": ..., "all": ..., "no": ...}`` from ``*_proxy`` variables, as
    ``urllib.request.getproxies_environment`` reads ``os.environ`` (lower case wins)."""
    proxies: dict[str, str] = {}
    for name, value in environ.items():
        if value and name.lower().endswith("_proxy"):
            proxies[name.lower().removesuffix("_proxy")] = value
    for name, value in environ.items():
        if name.endswith("_proxy"):
            if value:
                proxies[name.lower().removesuffix("_proxy")] = value
            else:
                proxies.pop(name.lower().removesuffix("_proxy"), None)
    return proxies


def _excluded(host: str, port: int, no_proxy: str) -> bool:
    """Whether ``NO_PROXY`` lists ``host`` (itself, a domain it is in, or ``host:port``) or is "*".

    As ``urllib.request.proxy_bypass_environment`` matches, which is not urllib's documented API.
    """
    host = host.lower()
    shown = f"[{host}]" if ":" in host else host  # an IPv6 address as URLs write it
    forms = {host, shown, f"{shown}:{port}"}
    for entry in no_proxy.split(","):
        name = entry.strip().lower().lstrip(".")
        if name == "*":
            return True
        if name and any(form == name or form.endswith(f".{name}") for form in forms):
            return True
    return False


def check_proxy_url(url: str, setting: str) -> str:
    """``url`` if it is a proxy URL digestbot can use, else a one-line ConfigError naming
    ``setting`` (the password, if any, left out)."""
    try:
        parts = urlsplit(url)
        usable = (
            parts.scheme in PROXY_SCHEMES
            and bool(parts.hostname)
            and bool(parts.port)
            and parts.path in ("", "/")
            and not parts.query
            and not parts.fragment
        )
    except ValueError:  # a port out of range or not a number, a broken [IPv6] address
        usable = False
    if not usable:
        raise ConfigError(
            f"{setting} must be a proxy URL with a host and port, such as "
            f'"http://127.0.0.1:3128" or "socks5://127.0.0.1:1080" (schemes: '
            f"{', '.join(PROXY_SCHEMES)}), not {redact_url(url)!r}"
        )
    return url


def redact_url(url: str) -> str:
    """``url`` fit for a message or a log line: a password in it (``user:password@``) becomes
    ``***``, and so does a user name that stands alone (often a token)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    # The last "@" ends the user part: a password may hold "@", "/", "?" or "#" unescaped.
    userinfo, at_sign, host = rest.rpartition("@")
    if not at_sign:
        return url
    user, colon, _password = userinfo.partition(":")
    shown = f"{user}:***" if colon else "***"
    return f"{scheme}{sep}{shown}@{host}"


def proxy_secrets(url: str) -> tuple[str, ...]:
    """The password in a proxy URL, as written and decoded, for the log's redaction."""
    userinfo, at_sign, _ = url.partition("://")[2].rpartition("@")
    _, colon, password = userinfo.partition(":")
    if not (at_sign and colon and password):
        return ()
    return tuple(dict.fromkeys((password, unquote(password))))
