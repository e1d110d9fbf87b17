"""Finding article files on disk and reading them into text, with a reason when they cannot be."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from digestbot.errors import ArticleError

__all__ = ["ARTICLE_SUFFIXES", "ArticleFile", "decode_article", "find_article_files"]

ARTICLE_SUFFIXES = frozenset({".md", ".markdown", ".txt"})
_IGNORED_STEMS = frozenset({"readme", "license", "changelog", "contributing"})


@dataclass(frozen=True, slots=True)
class ArticleFile:
    """A candidate article file and the key it gets when its front matter names none."""

    path: Path
    key: str  # path relative to the folder it was found in, without suffix, with '/' separators

    def read(self) -> tuple[bytes, str, datetime]:
        """The file's bytes, their content hash and its modification time (UTC)."""
        data = self.path.read_bytes()
        mtime = datetime.fromtimestamp(self.path.stat().st_mtime, tz=UTC)
        return data, hashlib.blake2b(data, digest_size=16).hexdigest(), mtime


def find_article_files(paths: Sequence[Path]) -> Iterator[ArticleFile]:
    """Yield article files under ``paths`` (files as given; folders recursively, sorted).

    Hidden files and folders and documentation files (README, LICENSE, ...) inside folders are
    skipped, so an article folder may carry its own README.
    """
    for given in paths:
        if given.is_dir():
            for path in sorted(given.rglob("*")):
                relative = path.relative_to(given)
                if _is_article_path(relative) and path.is_file():
                    yield ArticleFile(path, relative.with_suffix("").as_posix())
        else:
            yield ArticleFile(given, given.stem)


def _is_article_path(relative: Path) -> bool:
    if any(part.startswith(".") for part in relative.parts):
        return False
    return relative.suffix.lower() in ARTICLE_SUFFIXES and (
        relative.stem.lower() not in _IGNORED_STEMS
    )


def decode_article(data: bytes) -> str:
    """Decode a file's bytes as UTF-8 (a BOM is allowed); raise ArticleError when impossible."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(f"not UTF-8 text (invalid byte at offset {exc.start})") from None
    if not text.strip():
        raise ArticleError("empty file")
    if "\x00" in text:
        raise ArticleError("not a text file (contains NUL bytes)")
    return text
