"""Documentation that cannot drift: every setting in the shipped config, every command in README."""

from __future__ import annotations

import argparse
import dataclasses
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
