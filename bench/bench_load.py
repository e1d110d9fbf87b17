"""Load benchmark: ``digestbot load`` throughput beside python-frontmatter's bare parse.

    python bench/bench_load.py [--files 10000] [--out bench/out/load]

Writes a synthetic bilingual corpus (bench/corpus.py), then in the same run measures: the bare
``frontmatter.load`` of every file (the floor any loader pays), ``load_paths`` into a fresh SQLite
database with the search index built, and a re-load of the unchanged folder. Prints a table.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import sys
import time
from pathlib import Path

import frontmatter

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import write_corpus
from digestbot.articles.load import load_paths
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=Path("bench/out/load"))
    args = parser.parse_args()

    folder = args.out / "articles"
    if not folder.exists() or len(list(folder.glob("*.md"))) != args.files:
        shutil.rmtree(folder, ignore_errors=True)
        write_corpus(folder, args.files)
    files = sorted(folder.glob("*.md"))
    megabytes = sum(path.stat().st_size for path in files) / 1e6

    started = time.perf_counter()
    for path in files:
        frontmatter.load(str(path))
    bare = time.perf_counter() - started

    database = args.out / "load.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    engine = create_engine_for(f"sqlite:///{database}")
    upgrade_schema(engine)
    sessions = session_factory(engine)

    started = time.perf_counter()
    first = load_paths(sessions, [folder])
    loading = time.perf_counter() - started
    started = time.perf_counter()
    again = load_paths(sessions, [folder])
    reloading = time.perf_counter() - started
    engine.dispose()
    with sqlite3.connect(database) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = database.stat().st_size / 1e6

    if first.new != len(files) or first.rejected or again.unchanged != len(files):
        raise SystemExit(f"unexpected load results: {first.summary()}; {again.summary()}")
    print(
        f"corpus: {len(files)} files, {megabytes:.1f} MB; machine: {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )
    print("| step | seconds | files/s | vs bare parse |")
    print("|---|---|---|---|")
    print(f"| python-frontmatter bare parse | {bare:.2f} | {len(files) / bare:,.0f} | 1.00 |")
    print(
        f"| digestbot load (parse + store + search index) | {loading:.2f} | "
        f"{len(files) / loading:,.0f} | {bare / loading:.2f} |"
    )
    print(
        f"| re-load, all unchanged | {reloading:.2f} | {len(files) / reloading:,.0f} | "
        f"{bare / reloading:.2f} |"
    )
    print(f"database size: {size:.1f} MB")


if __name__ == "__main__":
    main()
