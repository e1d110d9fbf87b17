"""Finding article files on disk and reading them into text, with a reason when they cannot be.

Article folders are untrusted input: every file found there either reads or carries one clear
reason why not (a bad name, a symlink leaving the folder, a FIFO, a file over the size limit...),
so that one bad file never stops the others and is never skipped silently.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import stat
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from digestbot.errors import ArticleError

__all__ = [
    "ARTICLE_SUFFIXES",
    "MAX_ARTICLE_BYTES",
    "ArticleFile",
    "decode_article",
    "find_article_files",
    "printable",
]

ARTICLE_SUFFIXES = frozenset({".md", ".markdown", ".txt"})
MAX_ARTICLE_BYTES = 2 * 1024 * 1024  # the default of [paths] max_article_bytes
_IGNORED_STEMS = frozenset({"readme", "license", "changelog", "contributing"})
_SIZE_SETTING = "[paths] max_article_bytes"
# O_NONBLOCK: a file swapped for a FIFO after it was found must not hang the load in open()
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


@dataclass(frozen=True, slots=True)
class ArticleFile:
    """A candidate article file and the key it gets when its front matter names none."""

    path: Path
    key: str  # path relative to the folder it was found in, without suffix, with '/' separators
    problem: str = ""  # why it cannot be an article, seen while looking for it ("": none seen)

    def read(self, max_bytes: int = MAX_ARTICLE_BYTES) -> tuple[bytes, str, datetime]:
        """The file's bytes, their content hash and its modification time (UTC).

        Raises ArticleError for a file that is no article (its ``problem``, not a regular file,
        over ``max_bytes``: never read whole) and OSError when it cannot be opened or read.
        """
        if self.problem:
            raise ArticleError(self.problem)
        with open(os.open(self.path, _OPEN_FLAGS), "rb", buffering=0) as stream:
            info = os.fstat(stream.fileno())  # of what was opened, whatever the path is now
            if problem := _kind_problem(info.st_mode):
                raise ArticleError(problem)
            if info.st_size > max_bytes:
                raise ArticleError(_too_large(f"{info.st_size:,} bytes", max_bytes))
            data = _read_at_most(stream, info.st_size, max_bytes + 1)
        if len(data) > max_bytes:
            raise ArticleError(_too_large("grew while read", max_bytes))
        mtime = datetime.fromtimestamp(info.st_mtime, tz=UTC)
        return data, hashlib.blake2b(data, digest_size=16).hexdigest(), mtime


def _read_at_most(stream: io.RawIOBase, size: int, limit: int) -> bytes:
    """Up to ``limit`` bytes: ``size`` and one more in one read (a read buffer of ``limit``
    for every file would cost memory), then the rest, as a file that grew has more."""
    data = stream.read(size + 1) or b""
    while len(data) > size and len(data) < limit:
        more = stream.read(limit - len(data))
        if not more:
            break
        data += more
    return data


def find_article_files(paths: Sequence[Path]) -> Iterator[ArticleFile]:
    """Yield article files under ``paths`` (files as given; folders recursively, sorted).

    Hidden files and folders and documentation files (README, LICENSE, ...) inside folders are
    skipped, so an article folder may carry its own README. Symlinks are followed only to files
    inside the folder; what cannot be an article (a symlink leaving the folder, broken or looping,
    a symlinked folder, a FIFO, device or socket, a name that is not UTF-8 or holds control
    characters, an unreadable folder) is yielded with its ``problem``.
    """
    for given in paths:
        if given.is_dir():
            yield from sorted(_walk(given), key=lambda found: found.path)
        else:
            yield ArticleFile(given, given.stem, _name_problem(given.name))


def _walk(root: Path) -> Iterator[ArticleFile]:
    """Every article file and every problem under ``root``, in no particular order."""
    inside = Path(os.path.realpath(root))
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as listing:
                for entry in listing:
                    if entry.name.startswith("."):
                        continue
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            folders.append(Path(entry.path))
                            continue
                        problem = _entry_problem(entry, inside)
                    except OSError as exc:
                        problem = f"cannot read: {_strerror(exc)}"
                    if problem is not None:
                        yield _found(root, Path(entry.path), problem)
        except OSError as exc:
            yield _found(root, folder, f"cannot read folder: {_strerror(exc)}")


def _entry_problem(entry: os.DirEntry[str], inside: Path) -> str | None:
    """Empty for an article file, why it cannot be one, or None for no article at all."""
    article_name = _is_article_name(entry.name)
    if not entry.is_symlink():
        return _kind_problem(entry.stat(follow_symlinks=False).st_mode) if article_name else None
    try:
        mode = os.stat(entry.path).st_mode
    except OSError as exc:
        if not article_name:
            return None  # a broken link of another name was no article either
        if exc.errno == errno.ENOENT:
            return "broken symlink: its target does not exist"
        if exc.errno == errno.ELOOP:
            return "symlink loop: it never reaches a file"
        raise
    if stat.S_ISDIR(mode):  # never followed: no loops, no file loaded twice, nothing from outside
        return "symlink to a folder: not followed (move or copy the folder in instead)"
    if not article_name:
        return None
    if not Path(os.path.realpath(entry.path)).is_relative_to(inside):
        return "symlink to a file outside the articles folder: not followed"
    return _kind_problem(mode)


def _found(root: Path, path: Path, problem: str) -> ArticleFile:
    relative = path.relative_to(root)
    key = relative.with_suffix("").as_posix() if relative.name else relative.as_posix()
    return ArticleFile(path, key, problem or _name_problem(key))  # folder names count too


def _is_article_name(name: str) -> bool:
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or f".{suffix.lower()}" not in ARTICLE_SUFFIXES:
        return False
    return stem.lower() not in _IGNORED_STEMS


def _name_problem(name: str) -> str:
    """Why a file name cannot give an article key ("": it can).

    Names come from the file system as bytes; those that are not UTF-8 arrive with surrogate
    escapes, which no database, log or Telegram message can hold. Control characters would
    forge report lines or drive the terminal wherever the key is printed.
    """
    if name.isprintable():
        return ""
    categories = {unicodedata.category(char) for char in name}
    if "Cs" in categories:
        return "file name is not valid UTF-8: rename the file"
    if "Cc" in categories:
        return "file name holds a control character (a newline, an escape...): rename the file"
    return ""


def _kind_problem(mode: int) -> str:
    """Empty for a regular file, else what it is instead."""
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISDIR(mode):
        kind = "a folder"
    elif stat.S_ISFIFO(mode):
        kind = "a FIFO"
    elif stat.S_ISSOCK(mode):
        kind = "a socket"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    else:
        kind = "not a file"
    return f"not a regular file ({kind})"


def _too_large(size: str, limit: int) -> str:
    return f"too large: {size}, over the limit of {limit:,} bytes ({_SIZE_SETTING})"


def _strerror(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def printable(text: str) -> str:
    """``text`` with nothing a terminal or log reader would act on: control and other invisible
    characters are escaped (``\\n``, ``\\x1b``, ``\\u202e``), and the undecodable bytes of a file
    name (surrogate escapes) shown as ``\\xNN``."""
    if text.isprintable():
        return text
    return "".join(_printable_char(char) for char in text)


def _printable_char(char: str) -> str:
    if char.isprintable():
        return char
    if 0xDC80 <= ord(char) <= 0xDCFF:  # os.fsdecode's escape of the byte ord(char) - 0xDC00
        return f"\\x{ord(char) - 0xDC00:02x}"
    return repr(char)[1:-1]


def decode_article(data: bytes) -> str:
    """Decode a file's bytes as UTF-8 (a BOM is allowed); raise ArticleError when impossible."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        raise ArticleError("UTF-16 or UTF-32 text (it has a byte order mark): save it as UTF-8")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(f"not UTF-8 text (invalid byte at offset {exc.start})") from None
    if not text.strip():
        raise ArticleError("empty file")
    if "\x00" in text:
        raise ArticleError("not a text file (contains NUL bytes)")
    return text
