"""Loading article files into the store: idempotent, reporting every file it rejects and why."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from digestbot.articles.files import ArticleFile, decode_article, find_article_files
from digestbot.articles.parse import parse_article
from digestbot.errors import ArticleError
from digestbot.store import articles as store

__all__ = ["LoadReport", "Rejected", "load_paths"]

BATCH_SIZE = 500  # files per transaction: progress survives an interruption, WAL stays small

ProgressCallback = Callable[[int, int], None]  # (files done, files in all)


@dataclass(frozen=True, slots=True)
class Rejected:
    """A file that was not loaded, and why."""

    path: Path
    reason: str


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
) -> LoadReport:
    """Load every article file under ``paths``; good files load even when others are rejected."""
    files = list(find_article_files(paths))
    report = LoadReport()
    with sessions() as session:
        loader = _Loader(session, report)
        for done, file in enumerate(files, start=1):
            loader.load(file)
            if done % BATCH_SIZE == 0:
                session.commit()
            if on_progress is not None:
                on_progress(done, len(files))
        session.commit()
    return report


class _Loader:
    """One load run's memory: what the store holds and what this run has seen so far."""

    def __init__(self, session: Session, report: LoadReport) -> None:
        self._session = session
        self._report = report
        self._known = store.known_hashes(session)  # key -> (id, content hash)
        self._hash_keys = {digest: key for key, (_, digest) in self._known.items()}
        self._seen_keys: dict[str, Path] = {}
        self._seen_urls: dict[str, Path] = {}

    def load(self, file: ArticleFile) -> None:
        try:
            self._load(file)
        except ArticleError as exc:
            self._report.rejected.append(Rejected(file.path, str(exc)))
        except OSError as exc:
            self._report.rejected.append(Rejected(file.path, f"cannot read: {exc.strerror}"))

    def _load(self, file: ArticleFile) -> None:
        data, digest, mtime = file.read()
        known_key = self._hash_keys.get(digest)
        if known_key is not None and known_key not in self._seen_keys:
            # Byte-identical to what an article was loaded from: nothing to parse or write.
            self._seen_keys[known_key] = file.path
            self._report.unchanged += 1
            return
        article = parse_article(decode_article(data), key=file.key, default_date=mtime)
        self._check_unique(article.key, article.url, file.path)
        known = self._known.get(article.key)
        if known is not None and known[1] == digest:
            self._report.unchanged += 1
            return
        _, created = store.save_article(
            self._session, article, content_hash=digest, source_path=str(file.path)
        )
        if created:
            self._report.new += 1
        else:
            self._report.updated += 1

    def _check_unique(self, key: str, url: str | None, path: Path) -> None:
        earlier = self._seen_keys.get(key)
        if earlier is not None:
            raise ArticleError(f"duplicate of {earlier} (same id {key!r})")
        if url is not None:
            earlier = self._seen_urls.get(url)
            if earlier is not None:
                raise ArticleError(f"duplicate of {earlier} (same source URL {url})")
            owner = store.find_key_by_url(self._session, url)
            if owner is not None and owner != key:
                raise ArticleError(f"duplicate of article {owner!r} (same source URL {url})")
            self._seen_urls[url] = path
        self._seen_keys[key] = path
