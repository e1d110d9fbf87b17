"""Search benchmark: top-10 with snippets on a large SQLite database, beside bare sqlite3 queries.

    python bench/bench_search.py [--articles 100000] [--queries 200] [--db bench/out/search.sqlite3]
        [--folding-rounds N]

Builds the database through ``save_article`` (reused when it already holds the articles), then
times ``search_articles`` (bm25, snippets) per query class, a bare FTS5 MATCH ranked the same
way, and a bare ``instr`` substring scan, all on the same database in the same run.

``--folding-rounds N`` then times ``search_articles`` N rounds more, each round once with the
query-side folding of Traditional into Simplified (issue 15) and once without it (the tokenizer
as before: compatibility forms only), alternating which goes first; the timings of each side are
pooled over the rounds, so load on a shared machine falls on both alike.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy.orm import Session

from common import parse_args, result_line
from corpus import Corpus
from digestbot.model import Lang
from digestbot.store import tokenize
from digestbot.store.articles import ArticleToSave, count_articles, save_articles
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema
from digestbot.store.search import search_articles
from digestbot.store.tokenize import build_query, is_cjk

BATCH = 1000
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{4,}")
_WORD = re.compile(r"[a-z]{2,}")


def build(url: str, articles: int, seed: int) -> float:
    """Fill the database through ``save_articles`` in batches; seconds taken (0 when reused)."""
    engine = create_engine_for(url)
    upgrade_schema(engine)
    sessions = session_factory(engine)
    with sessions() as session:
        have = count_articles(session)
    if have >= articles:
        return 0.0
    corpus = Corpus(seed)
    started = time.perf_counter()
    with sessions() as session:
        for first in range(have, articles, BATCH):
            drafts = corpus.drafts(min(BATCH, articles - first), start=first)
            batch = [
                ArticleToSave(draft.article(), str(draft.index), f"{draft.index}.md")
                for draft in drafts
            ]
            save_articles(session, batch)
            session.commit()
            print(f"  {first + len(batch)} articles", file=sys.stderr, end="\r")
    engine.dispose()
    return time.perf_counter() - started


def sample_queries(seed: int, count: int) -> dict[str, list[str]]:
    """Queries per class, cut from the corpus's own texts (so each has at least one match)."""
    rng = random.Random(seed + 1)
    corpus = Corpus(seed)
    zh_runs: list[str] = []
    en_words: list[str] = []
    for draft in corpus.drafts(3000, start=rng.randint(0, 10_000)):
        article = draft.article()
        if Lang.ZH in article.texts:
            zh_runs += _CJK_RUN.findall(article.texts[Lang.ZH].plain)
        if Lang.EN in article.texts:
            en_words += _WORD.findall(article.texts[Lang.EN].plain.lower())

    def cut(length: int) -> list[str]:
        out: list[str] = []
        while len(out) < count:
            run = rng.choice(zh_runs)
            start = rng.randrange(len(run) - length + 1)
            out.append(run[start : start + length])
        return out

    return {
        "zh 1 char": cut(1),
        "zh 2 chars": cut(2),
        "zh 4 chars": cut(4),
        "en word": rng.sample(en_words, count),
    }


def samples(run: Callable[[str], object], queries: Sequence[str]) -> list[float]:
    """Milliseconds of ``run`` for each of ``queries`` (after a warm-up on the first 20)."""
    for query in queries[:20]:
        run(query)
    times = []
    for query in queries:
        started = time.perf_counter()
        run(query)
        times.append((time.perf_counter() - started) * 1000)
    return times


def p50_p99(times: Sequence[float]) -> tuple[float, float]:
    """The median and the 99th percentile of ``times``."""
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def timed(run: Callable[[str], object], queries: Sequence[str]) -> tuple[float, float]:
    """p50 and p99 in milliseconds of ``run`` over ``queries`` (after one warm-up pass)."""
    return p50_p99(samples(run, queries))


def _fresh_tokenizer() -> None:
    """Forget what the tokenizer memoized, so the next queries fold as it now says."""
    tokenize._TABLE = tokenize._FoldTable()
    tokenize._variants.cache_clear()
    tokenize.phrase_pattern.cache_clear()


@contextmanager
def folding(on: bool) -> Iterator[None]:
    """Queries folded as now (``on``) or without Traditional folding, as before issue 15."""
    folded = tokenize.fold_han  # type: ignore[attr-defined]
    if not on:
        tokenize.fold_han = str  # type: ignore[attr-defined,assignment]  # as it is
    _fresh_tokenizer()
    try:
        yield
    finally:
        tokenize.fold_han = folded  # type: ignore[attr-defined]
        _fresh_tokenizer()


def compare_folding(
    session: Session, queries: dict[str, list[str]], rounds: int
) -> dict[str, object]:
    """Print p50/p99 with and without query folding, pooled over alternating rounds."""
    print(
        f"\n| query class | folding on p50/p99 ms | folding off p50/p99 ms | p99 on/off "
        f"| ({rounds} alternating rounds of {len(next(iter(queries.values())))} queries) |"
    )
    print("|---|---|---|---|---|")
    figures: dict[str, object] = {}
    for name, batch in queries.items():
        pooled: dict[bool, list[float]] = {True: [], False: []}
        for round_ in range(rounds):
            for on in (True, False) if round_ % 2 == 0 else (False, True):
                with folding(on):
                    pooled[on] += samples(lambda q: search_articles(session, q, limit=10), batch)
        on_p50, on_p99 = p50_p99(pooled[True])
        off_p50, off_p99 = p50_p99(pooled[False])
        ratio = on_p99 / off_p99
        print(
            f"| {name} | {on_p50:.1f} / {on_p99:.1f} | {off_p50:.1f} / {off_p99:.1f} "
            f"| {ratio:.2f} | |"
        )
        key = name.replace(" chars", "").replace(" char", "").replace(" word", "").replace(" ", "")
        figures[f"{key}_fold_p99_ratio"] = ratio
    return figures


def machine() -> str:
    """nproc, memory and SQLite version, for the record."""
    memory = subprocess.run(["free", "-h"], capture_output=True, text=True, check=False).stdout
    total = next((line.split()[1] for line in memory.splitlines() if line.startswith("Mem")), "?")
    return (
        f"{os.cpu_count()} CPUs (nproc), {total} RAM, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )


def bare_match(query: str) -> tuple[str, str]:
    """The FTS5 table and MATCH expression a bare query uses: bigrams for CJK phrases.

    For phrases of 3+ characters this is the AND of their bigrams (before the text check).
    """
    parsed = build_query(query)
    bigrams = parsed.fts5_bigrams()
    if bigrams is not None:
        return "search_bigrams", bigrams
    tokens = parsed.fts5_tokens()
    assert tokens is not None
    return "search_fts", tokens


def main(argv: list[str] | None = None) -> None:
    """Build (or reuse) the database, run every query class, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--db", type=Path, default=Path("bench/out/search.sqlite3"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--folding-rounds",
        type=int,
        default=0,
        help="then compare search with and without Traditional folding over N rounds",
    )
    quick = {"articles": 5_000, "queries": 50, "db": Path("bench/out/search-quick.sqlite3")}
    args = parse_args(parser, quick, argv)
    url = f"sqlite:///{args.db}"
    seconds = build(url, args.articles, args.seed)
    size = sum(p.stat().st_size for p in args.db.parent.glob(args.db.name + "*"))
    print(f"machine: {machine()}")
    built = f" built in {seconds:.0f} s ({args.articles / seconds:.0f}/s)" if seconds else ""
    print(f"database: {args.articles} articles, {size / 1e6:.0f} MB{built}")

    engine = create_engine_for(url)
    session = session_factory(engine)()
    bare = sqlite3.connect(args.db)
    texts = bare.execute("SELECT count(*) FROM article_texts").fetchone()[0]
    print(
        f"\n| query class | matches (mean % of {texts} texts) | search_articles p50/p99 ms "
        "| bare FTS5 top-10 p50/p99 ms | bare instr top-10 p50/p99 ms |"
    )
    print("|---|---|---|---|---|")
    figures: dict[str, object] = {"articles": args.articles}
    classes = sample_queries(args.seed, args.queries)
    for name, queries in classes.items():
        share = (
            statistics.mean(
                bare.execute(
                    "SELECT count(*) FROM {0} WHERE {0} MATCH ?".format(*bare_match(q)),
                    (bare_match(q)[1],),
                ).fetchone()[0]
                for q in queries[:50]
            )
            / texts
            * 100
        )
        ours = timed(lambda q: search_articles(session, q, limit=10), queries)
        fts = timed(
            lambda q: bare.execute(
                "SELECT rowid FROM {0} WHERE {0} MATCH ? ORDER BY rank LIMIT 10".format(
                    *bare_match(q)
                ),
                (bare_match(q)[1],),
            ).fetchall(),
            queries,
        )
        column = "plain" if is_cjk(queries[0][0]) else "lower(plain)"
        scan_sql = f"SELECT id FROM article_texts WHERE instr({column}, ?) > 0 LIMIT 10"
        scan = timed(lambda q: bare.execute(scan_sql, (q,)).fetchall(), queries[:50])  # noqa: B023
        print(
            f"| {name} | {share:.1f} % | {ours[0]:.1f} / {ours[1]:.1f} "
            f"| {fts[0]:.1f} / {fts[1]:.1f} | {scan[0]:.1f} / {scan[1]:.1f} |"
        )
        key = name.replace(" chars", "").replace(" char", "").replace(" word", "").replace(" ", "")
        figures |= {f"{key}_p50_ms": ours[0], f"{key}_p99_ms": ours[1]}
    if args.folding_rounds:
        figures |= compare_folding(session, classes, args.folding_rounds)
    session.close()
    engine.dispose()
    print(result_line(figures))


if __name__ == "__main__":
    main()
