"""The page's own files: no HTML parsing of text, nothing fetched from elsewhere (no CDN)."""

from __future__ import annotations

import re
from importlib import resources

WEB = resources.files("digestbot.sandbox").joinpath("web")
HTML_SINKS = (
    "innerHTML",
    "outerHTML",
    "insertAdjacentHTML",
    "document.write",
    "eval(",
    "Function(",
)


def test_the_script_never_parses_text_as_html() -> None:
    script = WEB.joinpath("app.js").read_text(encoding="utf-8")
    assert [sink for sink in HTML_SINKS if sink in script] == []


def test_every_file_the_page_loads_is_shipped_with_it() -> None:
    page = WEB.joinpath("index.html").read_text(encoding="utf-8")
    loaded = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert loaded == ["/sandbox/ui/favicon.svg", "/sandbox/ui/style.css", "/sandbox/ui/app.js"]
    for path in loaded:
        assert WEB.joinpath(path.removeprefix("/sandbox/ui/")).is_file()
    assert "http" not in WEB.joinpath("style.css").read_text(encoding="utf-8")
