"""Documentation that cannot drift: every setting in the shipped config, every command in README,
every relative link in the repository's Markdown files."""

from __future__ import annotations

import argparse
import dataclasses
import re
import tomllib
from pathlib import Path

import pytest

from digestbot.cli.parser import build_parser
from digestbot.config import Settings

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "config" / "digestbot.toml"
README = ROOT / "README.md"


def _setting_names() -> set[tuple[str, str]]:
    names = set()
    for section in dataclasses.fields(Settings):
        if section.name == "source":
            continue
        default = Settings().__getattribute__(section.name)
        for field in dataclasses.fields(default):
            names.add((section.name, field.name))
    return names


def test_every_setting_is_in_the_shipped_config_with_a_comment() -> None:
    shipped = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    text = CONFIG.read_text(encoding="utf-8").splitlines()
    for section, key in sorted(_setting_names()):
        assert key in shipped.get(section, {}), f"[{section}] {key} is not in {CONFIG.name}"
        header = text.index(f"[{section}]")
        line = (
            next(i for i, row in enumerate(text) if i > header and row.split("=")[0].strip() == key)
            if key != "tag_labels"
            else text.index(f"[{section}.{key}]")
        )
        assert text[line - 1].startswith("#"), f"[{section}] {key} has no comment above it"


def _commands(parser: argparse.ArgumentParser, prefix: str = "") -> list[tuple[str, str]]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                full = f"{prefix}{name}"
                children = _commands(sub, f"{full} ")
                found.extend(children or [(full, sub.format_help())])
    return found


@pytest.mark.parametrize(("command", "help_text"), _commands(build_parser()))
def test_every_command_is_in_the_readme_and_has_help(command: str, help_text: str) -> None:
    assert f"digestbot {command}" in README.read_text(encoding="utf-8")
    assert "--config" in help_text
    assert "--database" in help_text


# Markdown files written for the repository (the demo articles' editable-install link aside).
SKIPPED_FOLDERS = {".git", ".venv", "venv", "node_modules", "build", "dist"}
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def markdown_files() -> list[Path]:
    """Every ``.md`` file under the repository, hidden folders and virtualenvs left out."""
    found = []
    for path in sorted(ROOT.rglob("*.md")):
        parts = path.relative_to(ROOT).parts
        if any(p in SKIPPED_FOLDERS or p.startswith(".") for p in parts[:-1]):
            continue
        if path.parent.is_symlink() or path.is_symlink():
            continue
        found.append(path)
    return found


def relative_links(text: str) -> list[str]:
    """Link and image targets outside code that are not URLs (``#anchor`` ones included)."""
    prose = CODE_SPAN.sub("", FENCE.sub("", text))
    return [
        target
        for target in LINK.findall(prose)
        if not re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE)
    ]


def heading_anchors(text: str) -> set[str]:
    """The anchors GitHub gives a Markdown file's headings (lower case, punctuation dropped)."""
    prose = FENCE.sub("", text)
    anchors = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*$", prose, re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        anchors.add(slug)
    return anchors


def test_the_link_checker_finds_links_and_anchors() -> None:
    text = "# Two Words!\nSee [a](docs/x.png), ![b](#two-words), `[c](nope)`, [d](https://e)."
    assert relative_links(text) == ["docs/x.png", "#two-words"]
    assert heading_anchors(text) == {"two-words"}


@pytest.mark.parametrize("document", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_in_markdown_resolves(document: Path) -> None:
    text = document.read_text(encoding="utf-8")
    for target in relative_links(text):
        path, _, anchor = target.partition("#")
        linked = (document.parent / path).resolve() if path else document
        assert linked.exists(), f"{target}: {linked} does not exist"
        if anchor and linked.suffix == ".md":
            anchors = heading_anchors(linked.read_text(encoding="utf-8"))
            assert anchor in anchors, f"{target}: no heading with that anchor"


def test_markdown_names_no_missing_markdown_file() -> None:
    """A Markdown file named in prose (``DESIGN.md``) exists somewhere in the repository."""
    names = {path.name for path in markdown_files()}
    for document in markdown_files():
        prose = FENCE.sub("", document.read_text(encoding="utf-8"))
        for name in re.findall(r"\b([A-Z][A-Z_]+\.md)\b", prose):
            assert name in names, f"{document.relative_to(ROOT)} names {name}, which is not here"
