"""A small Dockerfile reader: instructions (continuations and comments handled), stages, commands.

Enough of the Dockerfile format for tests to ask what an image runs: lines ending in ``\\`` go
on, comment and empty lines inside a continuation are dropped, ``FROM`` starts a stage, exec-form
arguments are JSON arrays and shell-form ones are split like ``sh`` splits words.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field

__all__ = ["Instruction", "Stage", "parse_dockerfile", "shell_commands", "split_flags", "words"]

_SEPARATORS = frozenset({"&&", "||", ";", "|"})


@dataclass(frozen=True, slots=True)
class Instruction:
    """One instruction: its upper-case keyword, its arguments (continuations joined), its line."""

    keyword: str
    arguments: str
    line: int


@dataclass(slots=True)
class Stage:
    """A build stage: its base image, its ``AS`` name and its instructions after ``FROM``."""

    base: str
    name: str
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        """This stage's instructions with ``keyword``, in order."""
        return [i for i in self.instructions if i.keyword == keyword]


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, text) of each instruction, continuations joined."""
    lines: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue  # comments and blank lines vanish, even inside a continuation
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1].strip())
            continue
        pending.append(stripped)
        lines.append((start, " ".join(part for part in pending if part)))
        pending = []
    if pending:
        lines.append((start, " ".join(pending)))
    return lines


def parse_dockerfile(text: str) -> list[Stage]:
    """The stages of a Dockerfile, in order (instructions before the first FROM are refused)."""
    stages: list[Stage] = []
    for number, logical in _logical_lines(text):  # parser directives read as comments here
        keyword, _, arguments = logical.partition(" ")
        instruction = Instruction(keyword.upper(), arguments.strip(), number)
        if instruction.keyword == "FROM":
            _, rest = split_flags(instruction.arguments)
            parts = rest.split()
            name = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else ""
            stages.append(Stage(parts[0], name))
        elif not stages:
            if instruction.keyword != "ARG":
                raise ValueError(f"line {number}: {instruction.keyword} before the first FROM")
        else:
            stages[-1].instructions.append(instruction)
    return stages


def split_flags(arguments: str) -> tuple[dict[str, str], str]:
    """Leading ``--name=value`` flags (as on RUN, COPY, HEALTHCHECK) and the rest."""
    flags: dict[str, str] = {}
    rest = arguments
    while rest.startswith("--"):
        flag, _, rest = rest.partition(" ")
        name, _, value = flag[2:].partition("=")
        flags[name] = value
        rest = rest.strip()
    return flags, rest


def words(arguments: str) -> list[str]:
    """The argument words: a JSON array (exec form) or shell words (shell form)."""
    if arguments.startswith("["):
        value = json.loads(arguments)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"not an exec-form array of strings: {arguments}")
        return list(value)
    return shlex.split(arguments)


def shell_commands(arguments: str) -> list[list[str]]:
    """The simple commands of a shell line, split at ``&&``, ``||``, ``;`` and ``|``."""
    lexer = shlex.shlex(arguments, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    commands: list[list[str]] = [[]]
    for token in lexer:
        if token in _SEPARATORS:
            commands.append([])
        else:
            commands[-1].append(token)
    return [command for command in commands if command]
