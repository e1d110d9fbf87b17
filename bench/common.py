"""Helpers shared by the ``bench_*.py`` scripts: the ``--quick`` option and the ``RESULT`` line."""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence


def parse_args(
    parser: argparse.ArgumentParser,
    quick: Mapping[str, object],
    argv: Sequence[str] | None = None,
) -> argparse.Namespace:
    """Parse ``argv`` with a ``--quick`` flag that swaps the defaults for ``quick``'s small sizes.

    Options given on the command line still win over the quick defaults.
    """
    sizes = ", ".join(f"{key}={value}" for key, value in quick.items())
    parser.add_argument("--quick", action="store_true", help=f"small sizes ({sizes})")
    known, _ = parser.parse_known_args(argv)
    if known.quick:
        parser.set_defaults(**quick)
    return parser.parse_args(argv)


def result_line(figures: Mapping[str, object]) -> str:
    """The machine-readable last line: ``RESULT key=value ...`` (floats rounded for reading)."""
    return "RESULT " + " ".join(f"{key}={_number(value)}" for key, value in figures.items())


def _number(value: object) -> str:
    """``value`` as written in a ``RESULT`` line: floats to 3 decimals, or 1 from 100 up."""
    if isinstance(value, float):
        return f"{value:.1f}" if abs(value) >= 100 else f"{value:.3f}"
    return str(value)
