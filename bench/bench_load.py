"""Load benchmark: ``digestbot load`` throughput beside python-frontmatter's bare parse.

    python bench/bench_load.py [--files 10000] [--hostile 0] [--out bench/out/load]

Writes a synthetic bilingual corpus (bench/corpus.py), then in the same run measures: the bare
``frontmatter.load`` of every file (the floor any loader pays), ``load_paths`` into a fresh SQLite
database with the search index built, and a re-load of the unchanged folder. Prints a table and
the peak memory (RSS) of the loading process and of its largest worker.

``--hostile N`` adds N bad files of every kind a load must reject among the good ones (files over
the size limit, bad names, symlinks, FIFOs, bad encodings, broken front matter...); files/s
counts the good files only, so the run compares directly with one without.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import sqlite3
import sys
import time
from pathlib import Path

import frontmatter

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import parse_args, result_line
from corpus import write_corpus
from digestbot.articles.files import MAX_ARTICLE_BYTES
from digestbot.ingest import load_paths
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--hostile", type=int, default=0, help="bad files among the good ones")
    parser.add_argument("--out", type=Path, default=Path("bench/out/load"))
    args = parse_args(parser, {"files": 2_000, "out": Path("bench/out/load-quick")})

    folder = args.out / "articles"
    if not folder.exists() or len(list(folder.glob("[0-9]*.md"))) != args.files:
        shutil.rmtree(folder, ignore_errors=True)
        write_corpus(folder, args.files)
    files = sorted(folder.glob("[0-9]*.md"))
    write_hostile(folder, args.out / "outside", args.hostile)
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

    rejected = [len(first.rejected), len(again.rejected)]
    if first.new != len(files) or again.unchanged != len(files) or rejected != [args.hostile] * 2:
        raise SystemExit(f"unexpected load results: {first.summary()}; {again.summary()}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"corpus: {len(files)} files, {megabytes:.1f} MB, {args.hostile} hostile files; "
        f"machine: {platform.machine()}, "
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
    print(f"peak RSS: {peak:.0f} MiB loading process, {worker:.0f} MiB largest worker")
    figures = {"files": len(files), "hostile": args.hostile, "bare_rate_per_s": len(files) / bare}
    figures |= {"load_rate_per_s": len(files) / loading, "reload_s": reloading, "db_mb": size}
    figures |= {"peak_rss_mb": peak, "worker_rss_mb": worker}
    print(result_line(figures))


def write_hostile(folder: Path, outside: Path, count: int) -> None:
    """Replace the folder's hostile files with ``count`` new ones, the kinds taken in turn."""
    for old in [*folder.glob("hostile-*"), *folder.glob(os.fsdecode(b"hostile\xff-*"))]:
        old.unlink()
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "secret.md").write_text("---\ntitle: secret\n---\n\nSecret.\n", encoding="utf-8")
    good = "---\ntitle: A title\ndate: 2024-01-01\n---\n\n# A title\n\nSome text.\n"

    def write(name: str | bytes, data: bytes) -> None:
        (folder / os.fsdecode(name)).write_bytes(data)

    def sparse(name: str) -> None:  # over the limit, yet no disk used: it is never read
        with (folder / name).open("wb") as stream:
            stream.truncate(MAX_ARTICLE_BYTES + 1)

    kinds = [
        lambda n: sparse(f"hostile-{n}-big.md"),
        lambda n: write(f"hostile\xff-{n}-name.md".encode("latin-1"), good.encode()),
        lambda n: write(f"hostile-{n}-new\nline\x1b[31m.md", good.encode()),
        lambda n: write(f"hostile-{n}-nul.md", good.encode().replace(b"Some", b"So\0me")),
        lambda n: write(f"hostile-{n}-utf16.md", good.encode("utf-16")),
        lambda n: write(f"hostile-{n}-latin1.md", good.replace("text", "t\xe9xt").encode("cp1252")),
        lambda n: write(f"hostile-{n}-yaml.md", b"---\ntitle: [unclosed\n---\n\nText.\n"),
        lambda n: (folder / f"hostile-{n}-outside.md").symlink_to(outside / "secret.md"),
        lambda n: (folder / f"hostile-{n}-dangling.md").symlink_to(folder / "missing.md"),
        lambda n: (folder / f"hostile-{n}-loop.md").symlink_to(f"hostile-{n}-loop.md"),
        lambda n: os.mkfifo(folder / f"hostile-{n}-fifo.md"),
    ]
    for number in range(count):
        kinds[number % len(kinds)](number)


if __name__ == "__main__":
    main()
