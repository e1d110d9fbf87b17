"""Search benchmark: top-10 with snippets on a large SQLite database, beside bare sqlite3 queries.

    python bench/bench_search.py [--articles 100000] [--queries 200] [--db bench/out/search.sqlite3]
        [--folding-rounds N [--folding-control]] [--no-bare]

Builds the database through ``save_article`` (reused when it already holds the articles), then
times ``search_articles`` (bm25, snippets) per query class, a bare FTS5 MATCH ranked the same
way, and a bare ``instr`` substring scan, all on the same database in the same run.

``--folding-rounds N`` then measures what folding Traditional into Simplified (issue 15) costs:
every query of every class runs N times on each side, the two sides back to back (A/B, then B/A
for the next query and the next round), and each side's timings are pooled, so load on a shared
machine falls on both alike. "On" is search as shipped; "off" has a query tokenizer that folds
no Traditional character (compatibility forms only, as before issue 15). The stored texts'
folded phrases (``article_texts.folded``, computed when a text is stored) are NULL for this
Simplified corpus, so both sides read the same rows: what differs is the query side. The load
average is printed per class; the last line has ``folding_p99_ratio`` (all classes pooled) and
one ``*_fold_p99_ratio`` per class.
"""

from __future__ import annotations

import argparse
import functools
import math
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
from digestbot.store import search_schema, snippet, tokenize
from digestbot.store.articles import (
    ArticleToSave,
    count_articles,
    prepare_index,
    save_articles,
)
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


class FoldingSide:
    """One side of the folding comparison: the tokenizer's state with or without folding.

    ``on`` is the tokenizer as shipped; ``off`` folds no Traditional character (``fold_han``
    the identity: compatibility forms only, as before issue 15). Each side keeps its own memos
    (the translate table, the variants, the phrase patterns), so switching sides per query is a
    few attribute swaps and neither side re-learns what it had memoized.
    """

    def __init__(self, on: bool) -> None:
        self.on = on
        self.fold = tokenize.fold_han if on else str
        self.table = tokenize._FoldTable()
        self.variants = functools.lru_cache(maxsize=1)(tokenize._variants.__wrapped__)
        self.pattern = functools.lru_cache(maxsize=256)(tokenize.phrase_pattern.__wrapped__)
        self.folded = search_schema.folded_phrases if on else _not_folded

    def activate(self) -> None:
        """Make this side the one the tokenizer, the snippets and the indexing use."""
        tokenize.fold_han = self.fold  # type: ignore[attr-defined]
        tokenize._TABLE = self.table
        tokenize._variants = self.variants
        tokenize.phrase_pattern = self.pattern
        snippet.phrase_pattern = self.pattern
        search_schema.folded_phrases = self.folded


def _not_folded(fields: Sequence[str], tokens: Sequence[list[str]] | None = None) -> None:
    """No folded phrases: what indexing stores without folding."""


@contextmanager
def shipped_tokenizer() -> Iterator[None]:
    """Put back what :meth:`FoldingSide.activate` swaps, whatever happens."""
    saved = (tokenize.fold_han, tokenize._TABLE, tokenize._variants, tokenize.phrase_pattern)  # type: ignore[attr-defined]
    folded = search_schema.folded_phrases
    try:
        yield
    finally:
        tokenize.fold_han, tokenize._TABLE, tokenize._variants, tokenize.phrase_pattern = saved  # type: ignore[attr-defined]
        snippet.phrase_pattern = saved[3]
        search_schema.folded_phrases = folded


Timings = dict[bool, list[list[float]]]  # per side (on: True), per item, one per round


def interleaved(
    run: Callable[[object], object], items: Sequence[object], rounds: int, control: bool = False
) -> tuple[Timings, tuple[float, float]]:
    """Milliseconds of ``run`` per item on each side, interleaved (A/B, then B/A) over rounds,
    and the lowest and highest load average seen. ``control``: both sides fold (an A/A run,
    whose ratio shows the noise of the measurement)."""
    sides = {True: FoldingSide(True), False: FoldingSide(control)}
    loads = [os.getloadavg()[0]]
    for on in (True, False):  # warm-up: each side memoizes the items' characters
        sides[on].activate()
        tokenize._variants()
        for item in items[:20]:
            run(item)
    times: Timings = {True: [[] for _ in items], False: [[] for _ in items]}
    for round_ in range(rounds):
        for index, item in enumerate(items):
            first = (index + round_) % 2 == 0
            for on in (first, not first):
                sides[on].activate()
                started = time.perf_counter()
                run(item)
                times[on][index].append((time.perf_counter() - started) * 1000)
        loads.append(os.getloadavg()[0])
    return times, (min(loads), max(loads))


def p99_ratio(times: Timings, resamples: int = 0) -> tuple[float, float, float]:
    """p99 on / p99 off over all runs, and a 95 % interval of it from ``resamples`` bootstrap
    draws of the items (with all their runs on both sides: the pairs stay together)."""

    def ratio(indexes: Sequence[int]) -> float:
        on = [t for i in indexes for t in times[True][i]]
        off = [t for i in indexes for t in times[False][i]]
        return p50_p99(on)[1] / p50_p99(off)[1]

    items = range(len(times[True]))
    rng = random.Random(0)
    draws = sorted(ratio(rng.choices(items, k=len(items))) for _ in range(resamples))
    if not draws:
        return ratio(items), math.nan, math.nan
    return ratio(items), draws[int(resamples * 0.025)], draws[int(resamples * 0.975) - 1]


def compare_folding(
    session: Session, queries: dict[str, list[str]], rounds: int, control: bool = False
) -> dict[str, object]:
    """p99 with and without folding per query class, interleaved per query (A/B, then B/A),
    with a bootstrap 95 % interval of each ratio; ``control`` compares folding with itself."""
    count = len(next(iter(queries.values())))
    label = "folding on (again)" if control else "folding off"
    print(
        f"\n| query class | folding on p50/p99 ms | {label} p50/p99 ms | p99 ratio (95 % interval) "
        f"| load average |  ({rounds} interleaved rounds of {count} queries, {rounds * count} "
        f"runs per side{', A/A control' if control else ''})"
    )
    print("|---|---|---|---|---|")
    figures: dict[str, object] = {}
    everything: Timings = {True: [], False: []}
    with shipped_tokenizer():
        for name, batch in queries.items():
            times, (low, high) = interleaved(
                lambda q: search_articles(session, str(q), limit=10), batch, rounds, control
            )
            on = p50_p99([t for runs in times[True] for t in runs])
            off = p50_p99([t for runs in times[False] for t in runs])
            ratio, lower, upper = p99_ratio(times, resamples=200)
            print(
                f"| {name} | {on[0]:.1f} / {on[1]:.1f} | {off[0]:.1f} / {off[1]:.1f} "
                f"| **{ratio:.2f}** ({lower:.2f}-{upper:.2f}) | {low:.1f}-{high:.1f} |"
            )
            figures[f"{_key(name)}_fold_p99_ratio"] = ratio
            for side in (True, False):
                everything[side] += times[side]
    ratio, lower, upper = p99_ratio(everything, resamples=200)
    print(f"| all classes | | | **{ratio:.2f}** ({lower:.2f}-{upper:.2f}) | |")
    figures["folding_p99_ratio"] = ratio
    figures["folding_p99_ratio_max"] = max(
        value for key, value in figures.items() if key.endswith("_fold_p99_ratio")
    )
    return figures


def compare_indexing(seed: int, count: int, rounds: int) -> dict[str, object]:
    """What folding costs when a text is stored: ``prepare_index`` per article, on and off.

    Off computes no folded phrases and folds no Traditional character; both tokenize the
    same Simplified corpus (the database is not touched).
    """
    articles: list[object] = [draft.article() for draft in Corpus(seed).drafts(count, start=0)]
    with shipped_tokenizer():
        times, (low, high) = interleaved(
            lambda a: prepare_index("sqlite", a),  # type: ignore[arg-type]
            articles,
            rounds,
        )
    on = sum(t for runs in times[True] for t in runs)
    off = sum(t for runs in times[False] for t in runs)
    runs = count * rounds
    print(
        f"\nindexing ({count} articles x {rounds} interleaved rounds, load {low:.1f}-{high:.1f}): "
        f"prepare_index {on / runs:.2f} ms an article with folding, "
        f"{off / runs:.2f} ms without: {on / off:.2f}x"
    )
    return {"index_fold_ratio": on / off}


def _key(name: str) -> str:
    """A query class's name as a RESULT key prefix: "zh 2 chars" -> "zh2"."""
    return name.replace(" chars", "").replace(" char", "").replace(" word", "").replace(" ", "")


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
    parser.add_argument(
        "--folding-control",
        action="store_true",
        help="compare folding with itself instead (A/A: the noise of the comparison)",
    )
    parser.add_argument(
        "--no-bare",
        action="store_true",
        help="leave out the bare FTS5 and instr columns (slow: seconds a query on a busy machine)",
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
    folded = bare.execute("SELECT count(*) FROM article_texts WHERE folded IS NOT NULL")
    print(f"texts with folded phrases stored: {folded.fetchone()[0]} of {texts}")
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
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
        fts = scan = (math.nan, math.nan)
        if not args.no_bare:
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
        key = _key(name)
        figures |= {f"{key}_p50_ms": ours[0], f"{key}_p99_ms": ours[1]}
    if args.folding_rounds:
        figures |= compare_folding(session, classes, args.folding_rounds, args.folding_control)
        figures |= compare_indexing(args.seed, 500, args.folding_rounds)
    session.close()
    engine.dispose()
    print(result_line(figures))


if __name__ == "__main__":
    main()
