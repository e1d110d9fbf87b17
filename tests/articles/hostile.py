"""Hostile article files: one of each kind a folder of untrusted files may hold."""

from __future__ import annotations

import os
from pathlib import Path

from digestbot.articles.files import MAX_ARTICLE_BYTES
from tests.support.articles import ENGLISH_ONLY


def good_article(index: int) -> str:
    """A good article with its own title words and source URL."""
    return ENGLISH_ONLY.replace("sodium", f"sodium{index}").replace(
        "https://example.com/sodium", f"https://example.com/{index}"
    )


def write_good_files(folder: Path, count: int) -> None:
    """``count`` good articles named NNNN.md."""
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        (folder / f"{index:04d}.md").write_text(good_article(index), encoding="utf-8")


def write_hostile_files(folder: Path, outside: Path) -> dict[Path, str]:
    """One file of each hostile kind in ``folder`` (``outside`` is a folder beside it); each
    file's path with a word its rejection reason must hold."""
    folder.mkdir(parents=True, exist_ok=True)
    outside.mkdir(parents=True, exist_ok=True)
    article = good_article(99_999).encode()
    expected: dict[Path, str] = {}

    def write(name: str | bytes, data: bytes, word: str) -> None:
        raw = os.path.join(os.fsencode(folder), os.fsencode(name))
        descriptor = os.open(raw, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with open(descriptor, "wb") as stream:
            stream.write(data)
        expected[Path(os.fsdecode(raw))] = word

    def link(name: str, target: Path | str, word: str) -> None:
        (folder / name).symlink_to(target)
        expected[folder / name] = word

    # each with an otherwise good article of its own, so only the hostile part rejects it
    write(b"caf\xe9-latin1-name.md", article.replace(b"99999", b"1"), "not valid UTF-8")
    write("new\nline.md", article.replace(b"99999", b"2"), "control character")
    write("esc\x1b[2J\x1b[31mred.md", article.replace(b"99999", b"3"), "control character")
    write("big.md", article + b"x" * (3 * 1024 * 1024), "too large")
    write("nul.md", article.replace(b"Utilities", b"Util\x00ities"), "NUL")
    write("utf16.md", good_article(5).encode("utf-16"), "byte order mark")
    write("latin1.md", article.replace(b"demo", "d\u00e9mo".encode("latin-1")), "UTF-8")
    (outside / "secret.md").write_bytes(article.replace(b"99999", b"6"))
    link("outside.md", outside / "secret.md", "outside the articles folder")
    link("dangling.md", folder / "no-such-file.md", "broken symlink")
    link("loop.md", folder / "loop.md", "symlink loop")
    link("linked-folder", outside, "symlink to a folder")
    os.mkfifo(folder / "pipe.md")
    expected[folder / "pipe.md"] = "FIFO"
    assert (folder / "big.md").stat().st_size > MAX_ARTICLE_BYTES
    return expected
