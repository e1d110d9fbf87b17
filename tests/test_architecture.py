"""docs/architecture.md and the import-linter contracts describe the same stack, and every
package of digestbot has a place in it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import digestbot

ROOT = Path(__file__).resolve().parents[1]


def _layers() -> list[list[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (layers,) = [c["layers"] for c in contracts if c["type"] == "layers"]
    return [[name.strip() for name in re.split(r"[|:]", layer)] for layer in layers]


def test_every_top_level_module_is_in_a_layer() -> None:
    placed = {name for layer in _layers() for name in layer}
    package = Path(digestbot.__file__).parent
    modules = {
        f"digestbot.{p.stem if p.is_file() else p.name}"
        for p in package.iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()
    }
    modules.discard("digestbot.sandbox")  # the emulator: its own contract, outside the stack
    assert modules - placed == set(), "add the new module to a layer in pyproject.toml"
    assert placed - modules == set(), "a layer names a module that does not exist"


def test_the_document_draws_the_layers_in_the_contracts_order() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    drawing = text.split("```", 2)[1].splitlines()[1:]
    # each line: the layer's names, two or more spaces, what the layer does
    first_columns = [re.split(r"\s{2,}", line.strip())[0] for line in drawing if line.strip()]
    drawn = [[name.strip() for name in column.split("|")] for column in first_columns]
    expected = [[name.removeprefix("digestbot.") for name in layer] for layer in _layers()]
    assert drawn == expected
