"""``load``, ``search``, ``show`` and ``articles``: the operator's view of the article store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from digestbot.articles.files import printable
from digestbot.cli.context import open_store, settings_from
from digestbot.cli.output import (
    ProgressBar,
    print_json,
    quoted,
    shortened,
    table,
    terminal_width,
)
from digestbot.cli.tags import require_known_tags
from digestbot.cli.values import language, positive_int
from digestbot.errors import NotFoundError
from digestbot.ingest import load_paths
from digestbot.model import Lang, StoredArticle
from digestbot.store.articles import get_article, list_articles
from digestbot.store.search import SearchHit, search_articles

__all__ = ["cmd_articles", "cmd_load", "cmd_search", "cmd_show"]

BOLD, RESET = "\033[1m", "\033[0m"
DASH_HINT = "(a query that starts with '-' goes after --: digestbot search -- -foo)"


def cmd_load(args: argparse.Namespace) -> int:
    """Load files and folders; exit 1 when any file was rejected, 2 when a path does not exist."""
    missing = [path for path in args.paths if not path.exists()]
    if missing:
        shown = shortened(printable(str(missing[0])))
        print(f"digestbot load: error: no such file or folder: {shown}", file=sys.stderr)
        return 2
    settings = settings_from(args)
    sessions = open_store(settings)
    report = load_paths(
        sessions,
        args.paths,
        on_progress=ProgressBar("loading"),
        max_bytes=settings.paths.max_article_bytes,
    )
    for rejected in report.rejected:
        print(rejected.line, file=sys.stderr)
    print(report.summary())
    return 1 if report.rejected else 0


def cmd_search(args: argparse.Namespace) -> int:
    """Keyword search; prints the top hits with their snippets."""
    query = " ".join(args.query)
    sessions = open_store(settings_from(args))
    with sessions() as session:
        hits = search_articles(session, query, lang=args.lang, limit=args.limit)
    if args.json:
        print_json([_hit_json(hit) for hit in hits])
        return 0
    if not hits:
        print(f"no articles match {quoted(query)}")
        return 0
    width = terminal_width()
    bold = sys.stdout.isatty()
    rows = [
        [f"#{hit.article_id}", hit.lang.value, f"{hit.date:%Y-%m-%d}", hit.title] for hit in hits
    ]
    for line, hit in zip(table(rows, width=width, flexible=3), hits, strict=True):
        print(line)
        snippet = hit.snippet.marked(BOLD, RESET) if bold else hit.snippet.marked("[", "]")
        print(f"    {' '.join(snippet.split())}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    """One article's full text, in one language or all it has."""
    sessions = open_store(settings_from(args))
    with sessions() as session:
        article = get_article(session, _id_or_key(args.article))
    if article is None:
        raise NotFoundError(
            f"no article with id or key {quoted(args.article)} ('digestbot articles' lists them)"
        )
    if args.json:
        print_json(_article_json(article, with_body=True, lang=args.lang))
        return 0
    langs = [args.lang] if args.lang else list(article.texts)
    for index, lang in enumerate(langs):
        text = article.text(lang)
        if index:
            print("\n" + "─" * 40 + "\n")
        marker = "" if text.lang is lang else f"  ({lang.value} missing; showing {text.lang.value})"
        print(f"{text.title}{marker}")
        print(" · ".join(_meta(article)))
        if article.url:
            print(article.url)
        print(f"\n{text.summary}\n\n{text.body}")
    return 0


def cmd_articles(args: argparse.Namespace) -> int:
    """One line per article, newest first."""
    sessions = open_store(settings_from(args))
    tag = args.tag.strip().lower() if args.tag else None
    with sessions() as session:
        if tag is not None:
            require_known_tags(session, [tag])
        articles = list_articles(session, tag=tag)
    if args.json:
        print_json([_article_json(article, with_body=False) for article in articles])
        return 0
    rows = [
        [
            f"#{article.id}",
            f"{article.date:%Y-%m-%d}",
            "/".join(lang.value for lang in article.texts),
            ",".join(article.tags) or "-",
            next(iter(article.texts.values())).title,
        ]
        for article in articles
    ]
    for line in table(rows, width=terminal_width(), flexible=4):
        print(line)
    print(f"{len(articles)} articles")
    return 0


def _id_or_key(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def _meta(article: StoredArticle) -> list[str]:
    parts = [f"#{article.id}", article.key, f"{article.date:%Y-%m-%d}"]
    if article.tags:
        parts.append(", ".join(article.tags))
    if article.author:
        parts.append(article.author)
    return parts


def _hit_json(hit: SearchHit) -> dict[str, Any]:
    plain, highlights = _highlights(hit.snippet.segments)
    return {
        "id": hit.article_id,
        "key": hit.key,
        "lang": hit.lang.value,
        "title": hit.title,
        "snippet": plain,
        "highlights": highlights,
        "url": hit.url,
        "date": hit.date.isoformat(),
        "tags": list(hit.tags),
        "score": hit.score,
    }


def _highlights(segments: tuple[tuple[str, bool], ...]) -> tuple[str, list[list[int]]]:
    """Snippet text and the [start, end) character ranges of its hits."""
    plain, spans, position = [], [], 0
    for text, is_hit in segments:
        if is_hit:
            spans.append([position, position + len(text)])
        plain.append(text)
        position += len(text)
    return "".join(plain), spans


def _article_json(
    article: StoredArticle, *, with_body: bool, lang: Lang | None = None
) -> dict[str, Any]:
    texts: dict[str, dict[str, Any]] = {}
    for text in [article.text(lang)] if lang else article.texts.values():
        entry: dict[str, Any] = {"title": text.title, "summary": text.summary}
        if with_body:
            entry["body"] = text.body
        entry["key_terms"] = list(text.key_terms)
        texts[text.lang.value] = entry
    return {
        "id": article.id,
        "key": article.key,
        "url": article.url,
        "date": article.date.isoformat(),
        "tags": list(article.tags),
        "author": article.author,
        "texts": texts,
    }


def add_article_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """Register ``load``, ``search``, ``show`` and ``articles`` on the subcommand group."""
    load = commands.add_parser(
        "load",
        parents=[common],
        help="load article files and folders into the store",
        description="Load .md/.markdown/.txt article files (folders recursively). Unchanged files "
        "are skipped; edited files update their article. Exit status: 0 all loaded, 1 some file "
        "rejected (the good ones are loaded all the same), 2 usage error.",
    )
    load.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="article files or folders to load"
    )
    load.set_defaults(handler=cmd_load)

    lang_choice: dict[str, Any] = {"type": language, "metavar": "zh|en"}
    search = commands.add_parser(
        "search",
        parents=[common],
        help="search articles by keyword (Chinese or English)",
        description="Keyword search: Chinese matches any substring, English matches words "
        "and their prefixes (chip finds chips). Best matches first. A query that starts with "
        "'-' goes after --: digestbot search -- -foo.",
    )
    search.dash_hint = DASH_HINT
    search.add_argument(
        "query", nargs="+", metavar="QUERY", help="words to search for, Chinese or English"
    )
    search.add_argument("--lang", help="only this language", **lang_choice)
    search.add_argument(
        "--limit", type=positive_int, default=10, metavar="N", help="at most N hits (10)"
    )
    search.add_argument("--json", action="store_true", help="machine-readable output")
    search.set_defaults(handler=cmd_search)

    show = commands.add_parser("show", parents=[common], help="print one article's full text")
    show.add_argument("article", metavar="ID_OR_KEY", help="the article's number or file key")
    show.add_argument("--lang", help="only this language (the other one if missing)", **lang_choice)
    show.add_argument("--json", action="store_true", help="machine-readable output")
    show.set_defaults(handler=cmd_show)

    articles = commands.add_parser("articles", parents=[common], help="list articles, newest first")
    articles.add_argument(
        "--tag", help="only articles with this tag (an unknown tag is an error naming the known)"
    )
    articles.add_argument("--json", action="store_true", help="machine-readable output")
    articles.set_defaults(handler=cmd_articles)
