"""Every command and every option of ``digestbot`` explains itself in ``--help``."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from digestbot.cli import main
from digestbot.cli.parser import build_parser


def _parsers(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """``parser`` and every subcommand's parser below it, with the words that reach it."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, (*path, name))


def _undescribed(parser: argparse.ArgumentParser) -> list[str]:
    """Options, positionals and subcommands of ``parser`` whose help is empty."""
    missing = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if isinstance(action, argparse._SubParsersAction):
            missing += [f"command {c.dest}" for c in action._choices_actions if not c.help]
        elif not (action.help or "").strip():
            missing.append("/".join(action.option_strings) or action.dest)
    return missing


PARSERS = list(_parsers(build_parser()))


@pytest.mark.parametrize(
    "parser", [p for _, p in PARSERS], ids=[" ".join(("digestbot", *w)) for w, _ in PARSERS]
)
def test_every_option_and_command_has_help(parser: argparse.ArgumentParser) -> None:
    assert _undescribed(parser) == []


def test_the_parser_reaches_every_command() -> None:
    commands = {" ".join(words) for words, _ in PARSERS}
    assert {"run", "sandbox", "doctor", "db upgrade", "digest send"} <= commands


@pytest.mark.parametrize(
    "words", [w for w, _ in PARSERS], ids=[" ".join(("digestbot", *w)) for w, _ in PARSERS]
)
def test_help_prints_and_exits_0(
    words: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*words, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: digestbot")
    assert "options:" in out
