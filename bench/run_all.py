"""Run every benchmark in this folder (``make bench``), one after another, each in its own
process, and end with one table of every ``RESULT`` figure beside its target in BENCHMARKS.md.

Usage: ``python bench/run_all.py [--full] [NAME ...]`` (e.g. ``startup sender``; default: all).
By default each benchmark runs with ``--quick`` (small sizes, a few minutes in all on 2 cores);
``--full`` runs the sizes BENCHMARKS.md reports. The targets are stated for the full sizes, so a
quick run's ok/MISS is a smoke check, not the measurement. Exits non-zero if a benchmark failed
(non-zero exit or no ``RESULT`` line).
"""

from __future__ import annotations

import argparse
import operator
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent

TARGETS: dict[str, dict[str, str]] = {
    "sandbox": {"raw_req_per_s": ">= 2000"},
    "load": {"load_rate_per_s": ">= 1500", "reload_s": "< 2"},
    "search": {
        f"{query}_{quantile}_ms": limit
        for query in ("zh1", "zh2", "zh4", "en")
        for quantile, limit in (("p50", "< 30"), ("p99", "< 100"))
    },
    "compose": {"compose_s": "< 20", "peak_rss_mb": "< 300", "bytes_per_reader": "< 500"},
    "sender": {
        "sender_rate_per_s": ">= 1000",
        "sender_vs_bare": ">= 0.5",
        "paced_rate_per_s": ">= 29",
        "paced_429": "== 0",
    },
}
"""Targets written in BENCHMARKS.md, per benchmark and ``RESULT`` key: ``"<op> <number>"``."""

COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}


def parse_result(stdout: str) -> dict[str, str] | None:
    """The figures of the last ``RESULT key=value ...`` line, or None without one."""
    lines = [line for line in stdout.splitlines() if line.startswith("RESULT ")]
    if not lines:
        return None
    pairs = (item.partition("=") for item in lines[-1].split()[1:])
    return {key: value for key, _, value in pairs}


def verdict(value: str, target: str) -> str:
    """``ok`` or ``MISS`` for ``value`` against a target such as ``">= 1500"``."""
    op, _, limit = target.partition(" ")
    try:
        met = COMPARE[op](float(value), float(limit))
    except ValueError:
        return "MISS"
    return "ok" if met else "MISS"


def run_one(script: Path, quick: bool) -> tuple[dict[str, str] | None, bool, float]:
    """Run one benchmark, echoing its output; (its figures, whether it succeeded, seconds)."""
    print(f"== {script.name}{' --quick' if quick else ''}", flush=True)
    started = time.perf_counter()
    command = [sys.executable, str(script)] + (["--quick"] if quick else [])
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    print(done.stdout, end="", flush=True)
    figures = parse_result(done.stdout)
    if done.returncode != 0 or figures is None:
        print(done.stderr, end="", file=sys.stderr, flush=True)
    return figures, done.returncode == 0 and figures is not None, time.perf_counter() - started


def table(rows: list[tuple[str, str, str, str, str]]) -> str:
    """``rows`` as aligned plain-text columns under a header."""
    header = ("benchmark", "key", "value", "target", "")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    )


def main(argv: list[str]) -> int:
    """Run the chosen benchmarks and print the table; 1 if any failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--full", action="store_true", help="default sizes instead of --quick")
    args = parser.parse_args(argv)
    scripts = sorted(HERE.glob("bench_*.py"))
    scripts = [s for s in scripts if not args.names or s.stem.removeprefix("bench_") in args.names]
    rows: list[tuple[str, str, str, str, str]] = []
    failed: list[str] = []
    for script in scripts:
        name = script.stem.removeprefix("bench_")
        figures, succeeded, took = run_one(script, quick=not args.full)
        if not succeeded:
            failed.append(name)
        targets = TARGETS.get(name, {})
        for key, value in (figures or {}).items():
            target = targets.get(key, "")
            rows.append((name, key, value, target, verdict(value, target) if target else ""))
        if figures is None:
            rows.append((name, "(no RESULT line)", "", "", "FAILED"))
        else:
            rows += [(name, k, "-", t, "MISS") for k, t in targets.items() if k not in figures]
        rows.append((name, "wall_s", f"{took:.0f}", "", "" if succeeded else "FAILED"))
    print(f"== results ({'full' if args.full else 'quick'} sizes)")
    print(table(rows))
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
