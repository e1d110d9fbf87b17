"""Ingest: loading article files into the store, idempotently, naming each rejected file and why."""

from __future__ import annotations

import contextlib
import itertools
import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from digestbot.articles.files import (
    MAX_ARTICLE_BYTES,
    ArticleFile,
    decode_article,
    find_article_files,
    printable,
)
from digestbot.articles.parse import parse_article
from digestbot.errors import ArticleError
from digestbot.model import Article
from digestbot.store import articles as store

__all__ = ["LoadReport", "Rejected", "load_paths"]

BATCH_SIZE = 1000  # files per transaction: progress survives an interruption, WAL stays small
BATCH_BYTES = 16 * 1024 * 1024  # or fewer files, once they hold this much (large files)
PARALLEL_FROM = 400  # changed files below which a process pool costs more than it saves
PARALLEL_FROM_BYTES = 16 * 1024 * 1024  # or fewer, once they hold this much (large files)
CHUNK_SIZE = 256  # files per round trip to a worker process
CHUNK_BYTES = 4 * 1024 * 1024  # or fewer files, once they hold this much (large files)
CHUNKS_AHEAD = 4  # chunks per worker submitted ahead of the writer (it pauses to commit)
WORKER_NICENESS = 19  # parse workers yield the CPU to the writer, the bottleneck of a load

ProgressCallback = Callable[[int, int], None]  # (files done, files in all)
_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Rejected:
    """A file that was not loaded, and why (``reason`` is made one line of printable text)."""

    path: Path
    reason: str

    def __post_init__(self) -> None:
        # parser messages may span lines; file names and front matter may hold escapes
        object.__setattr__(self, "reason", printable(" ".join(self.reason.split())))

    @property
    def line(self) -> str:
        """``path: reason`` as one line that is safe to print or log, whatever the file name."""
        return f"{printable(str(self.path))}: {self.reason}"


@dataclass(slots=True)
class LoadReport:
    """What one load did, file by file counted."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Files looked at."""
        return self.new + self.updated + self.unchanged + len(self.rejected)

    def summary(self) -> str:
        """The one-line summary the CLI prints last."""
        return (
            f"loaded {self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.rejected)} rejected"
        )


def load_paths(
    sessions: sessionmaker[Session],
    paths: Sequence[Path],
    *,
    on_progress: ProgressCallback | None = None,
    workers: int | None = None,
    max_bytes: int = MAX_ARTICLE_BYTES,
) -> LoadReport:
    """Load every article file under ``paths``; good files load even when others are rejected.

    Files are taken in path order; when two claim one id or source URL, the first is loaded and
    the others are reported as duplicates. Parsing runs in ``workers`` forked processes
    (default: one per core, once a load has :data:`PARALLEL_FROM` changed files; 1 parses in
    this process, as callers running threads should ask for). Reading, hashing (unchanged files
    are skipped without parsing) and every database write stay in this process, in order.
    Files over ``max_bytes`` are rejected unread; so is anything in a folder that cannot be an
    article file (see :func:`find_article_files`), and a file the parser fails on, whatever the
    exception.
    """
    files = list(find_article_files(paths))
    report = LoadReport()
    with sessions() as session:
        loader = _Loader(session, report, max_bytes)
        items = map(loader.read, files)
        dialect = session.get_bind().dialect.name
        with contextlib.closing(_parse_all(items, dialect, workers)) as parsed:
            for done, (item, outcome) in enumerate(parsed, start=1):
                loader.add(item, outcome)
                if done % BATCH_SIZE == 0 or loader.batched_bytes >= BATCH_BYTES:
                    loader.flush()
                    session.commit()
                if on_progress is not None:
                    on_progress(done, len(files))
        loader.flush()
        session.commit()
    return report


@dataclass(frozen=True, slots=True)
class _ParseJob:
    """A changed file, read and hashed, waiting to be parsed."""

    file: ArticleFile
    data: bytes
    digest: str
    mtime: datetime


@dataclass(frozen=True, slots=True)
class _Unchanged:
    """A file byte-identical to what the stored article ``key`` was loaded from."""

    file: ArticleFile
    key: str


@dataclass(frozen=True, slots=True)
class _Unreadable:
    """A file that could not be read, or was refused before it was."""

    file: ArticleFile
    reason: str


_Item = _ParseJob | _Unchanged | _Unreadable  # every file, in path order
# The parsed article with its search-index values, or the reason the file was rejected.
_Outcome = tuple[Article, store.PreparedIndex] | str
_Input = tuple[bytes, str, datetime, str]  # what a worker gets: data, key, mtime, dialect


def _parse_job(job: _Input) -> _Outcome:
    """Decode, parse and prepare the index values of one file; any failure rejects only it."""
    data, key, mtime, dialect = job
    try:
        article = parse_article(decode_article(data), key=key, default_date=mtime)
        return article, store.prepare_index(dialect, article)
    except ArticleError as exc:
        return str(exc)
    except Exception as exc:  # a parser bug met by one untrusted file must not end the load
        _log.debug("parsing %s failed", printable(key), exc_info=True)
        return f"could not be read as an article: {type(exc).__name__}"


def _parse_chunk(jobs: list[_Input]) -> list[_Outcome]:
    """:func:`_parse_job` of each (runs in a worker process: one round trip per chunk)."""
    return [_parse_job(job) for job in jobs]


def _lower_priority() -> None:
    """Worker initializer: the writer, not parsing, is what a load waits for."""
    os.nice(WORKER_NICENESS)


def _parse_all(
    items: Iterator[_Item], dialect: str, workers: int | None
) -> Generator[tuple[_Item, _Outcome | None], None, None]:
    """Each item with its outcome (None for files not parsed), in order: parsed in a process
    pool once :data:`PARALLEL_FROM` of them changed (or fewer, holding
    :data:`PARALLEL_FROM_BYTES`).

    Files are read as the pool needs them, a bounded number of chunks ahead, so a load of any
    size holds only a window of files and parsed articles in memory.
    """
    count = workers if workers is not None else (os.cpu_count() or 1)
    ahead: list[_Item] = []
    changed = held = 0
    for item in items:  # look ahead until there are enough changed files for a pool
        ahead.append(item)
        if isinstance(item, _ParseJob):
            changed += 1
            held += len(item.data)
        if changed == PARALLEL_FROM or held >= PARALLEL_FROM_BYTES:
            break
    stream = itertools.chain(ahead, items)
    forking = "fork" in multiprocessing.get_all_start_methods()
    enough = changed == PARALLEL_FROM or held >= PARALLEL_FROM_BYTES
    if count <= 1 or not enough or not forking:
        for item in stream:
            yield item, _parse_job(_input(item, dialect)) if isinstance(item, _ParseJob) else None
        return
    chunks = _chunked(stream, CHUNK_SIZE, CHUNK_BYTES)
    # fork: the workers need nothing re-imported, and the caller's __main__ is never re-run.
    pool = ProcessPoolExecutor(count, multiprocessing.get_context("fork"), _lower_priority)
    pending: deque[tuple[tuple[_Item, ...], Future[list[_Outcome]]]] = deque()

    def submit(chunk: tuple[_Item, ...]) -> None:
        inputs = [_input(item, dialect) for item in chunk if isinstance(item, _ParseJob)]
        pending.append((chunk, pool.submit(_parse_chunk, inputs)))

    try:
        for chunk in itertools.islice(chunks, CHUNKS_AHEAD * count):
            submit(chunk)
        while pending:
            chunk, future = pending.popleft()
            following = next(chunks, None)
            if following is not None:
                submit(following)
            outcomes = iter(future.result())
            for item in chunk:
                yield item, next(outcomes) if isinstance(item, _ParseJob) else None
    finally:  # also when the writer fails: drop what is queued, wait only for running chunks
        pool.shutdown(wait=True, cancel_futures=True)


def _chunked(items: Iterator[_Item], size: int, max_bytes: int) -> Iterator[tuple[_Item, ...]]:
    """Chunks of ``size`` items, or fewer once their files hold ``max_bytes``: the window of
    files and parsed articles in flight stays bounded in bytes, however large the files."""
    while True:
        chunk: list[_Item] = []
        held = 0
        for item in items:
            chunk.append(item)
            held += len(item.data) if isinstance(item, _ParseJob) else 0
            if len(chunk) == size or held >= max_bytes:
                break
        if not chunk:
            return
        yield tuple(chunk)


def _input(job: _ParseJob, dialect: str) -> _Input:
    return (job.data, job.file.key, job.mtime, dialect)


class _Loader:
    """One load run's memory: what the store holds and what this run has seen so far."""

    def __init__(self, session: Session, report: LoadReport, max_bytes: int) -> None:
        self._session = session
        self._report = report
        self._max_bytes = max_bytes
        self._known = store.known_hashes(session)  # key -> (id, content hash)
        self._hash_keys = {digest: key for key, (_, digest) in self._known.items()}
        self._url_keys = store.article_urls(session)  # source URL -> key
        self._seen_keys: dict[str, Path] = {}
        self._seen_urls: dict[str, Path] = {}
        self._batch: list[store.ArticleToSave] = []
        self.batched_bytes = 0  # the size of the files whose articles wait in the batch

    def flush(self) -> None:
        """Write the parsed articles waiting in the batch, in a few statements, holding the
        store's load lock: another process loading the same files at once saves each once."""
        if not self._batch:
            return
        self._session.rollback()  # only reads so far: they may predate another loader's writes
        stored = store.lock_for_loading(self._session, [item.key for item in self._batch])
        fresh = [item for item in self._batch if stored.get(item.key) != item.content_hash]
        self._report.unchanged += len(self._batch) - len(fresh)  # saved by another process
        for saved in store.save_articles(self._session, fresh):
            if saved.created:
                self._report.new += 1
            else:
                self._report.updated += 1
        self._batch.clear()
        self.batched_bytes = 0

    def read(self, file: ArticleFile) -> _Item:
        """Read and hash ``file``: a job to parse, unless unreadable or unchanged."""
        try:
            data, digest, mtime = file.read(self._max_bytes)
        except ArticleError as exc:
            return _Unreadable(file, str(exc))
        except OSError as exc:
            return _Unreadable(file, f"cannot read: {exc.strerror or type(exc).__name__}")
        known_key = self._hash_keys.get(digest)
        if known_key is not None:
            return _Unchanged(file, known_key)  # nothing to parse or write
        return _ParseJob(file, data, digest, mtime)

    def add(self, item: _Item, outcome: _Outcome | None) -> None:
        """Queue a parsed article for writing, or count or reject the file, in path order."""
        path = item.file.path
        try:
            if isinstance(item, _Unreadable):
                raise ArticleError(item.reason)
            if isinstance(item, _Unchanged):
                self._claim_key(item.key, path)
                self._report.unchanged += 1
                return
            if not isinstance(outcome, tuple):
                raise ArticleError(outcome or "not parsed")
            article, index = outcome
            self._check_unique(article.key, article.url, path)
        except ArticleError as exc:
            self._report.rejected.append(Rejected(path, str(exc)))
            return
        known = self._known.get(article.key)
        if known is not None and known[1] == item.digest:
            self._report.unchanged += 1
            return
        self._batch.append(
            store.ArticleToSave(article, item.digest, printable(str(path)), index=index)
        )
        self.batched_bytes += len(item.data)

    def _claim_key(self, key: str, path: Path) -> None:
        self._check_key(key)
        self._seen_keys[key] = path

    def _check_key(self, key: str) -> None:
        earlier = self._seen_keys.get(key)
        if earlier is not None:
            raise ArticleError(f"duplicate of {printable(str(earlier))} (same id {key!r})")

    def _check_unique(self, key: str, url: str | None, path: Path) -> None:
        self._check_key(key)
        if url is not None:
            earlier = self._seen_urls.get(url)
            if earlier is not None:
                raise ArticleError(
                    f"duplicate of {printable(str(earlier))} (same source URL {url})"
                )
            owner = self._url_keys.get(url)
            if owner is not None and owner != key:
                raise ArticleError(f"duplicate of article {owner!r} (same source URL {url})")
            self._seen_urls[url] = path
        self._seen_keys[key] = path
