"""Run every benchmark in this folder (``make bench``), one after another, each in its own
process with its default sizes, and repeat each one's ``RESULT`` line at the end.

Usage: ``python bench/run_all.py [NAME ...]`` (e.g. ``startup sender``; default: all).
Benchmarks that print no ``RESULT`` line are reported as such.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    chosen = set(argv)
    scripts = sorted(HERE.glob("bench_*.py"))
    scripts = [s for s in scripts if not chosen or s.stem.removeprefix("bench_") in chosen]
    results: list[str] = []
    status = 0
    for script in scripts:
        print(f"== {script.name}", flush=True)
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, check=False
        )
        print(done.stdout, end="")
        if done.returncode != 0:
            print(done.stderr, end="", file=sys.stderr)
            status = 1
        lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
        took = time.perf_counter() - started
        results.append(
            f"{script.stem}: {lines[-1] if lines else '(no RESULT line)'} ({took:.0f} s)"
        )
    print("== results")
    print("\n".join(results))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
