"""The loader against hostile folders: every bad file is one clear, printable report line, every
good file loads, in the serial and the worker-process path alike."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from digestbot.articles.files import ArticleFile, find_article_files, printable
from digestbot.errors import ArticleError
from digestbot.ingest import (
    PARALLEL_FROM,
    Rejected,
    _chunked,
    _Item,
    _parse_chunk,
    _parse_job,
    _ParseJob,
    _Unchanged,
    load_paths,
)
from digestbot.store.articles import get_article, list_articles
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema
from tests.articles.hostile import good_article, write_good_files, write_hostile_files

NOW = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture
def sessions(tmp_path: Path) -> sessionmaker[Session]:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'db' / 'test.sqlite3'}")
    upgrade_schema(engine)
    return session_factory(engine)


@pytest.mark.parametrize(("good", "workers"), [(3, 1), (PARALLEL_FROM, 1), (PARALLEL_FROM, 2)])
def test_each_hostile_file_is_one_line_and_every_good_file_loads(
    tmp_path: Path, sessions: sessionmaker[Session], good: int, workers: int
) -> None:
    folder = tmp_path / "articles"
    write_good_files(folder, good)  # PARALLEL_FROM changed files: workers=2 parses in a pool
    expected = write_hostile_files(folder, tmp_path / "elsewhere")

    report = load_paths(sessions, [folder], workers=workers)

    assert (report.new, report.updated, report.unchanged) == (good, 0, 0)
    assert sorted(r.path for r in report.rejected) == sorted(expected)  # each exactly once
    for rejected in report.rejected:
        assert expected[rejected.path] in rejected.reason, rejected.line
        assert rejected.line.isprintable(), rejected.line  # no newline, escape or raw byte
    lines = {r.path.name: r.line for r in report.rejected}
    assert lines[os.fsdecode(b"caf\xe9-latin1-name.md")].endswith(
        "caf\\xe9-latin1-name.md: file name is not valid UTF-8: rename the file"
    )
    assert "/new\\nline.md: " in lines["new\nline.md"]
    assert "/esc\\x1b[2J\\x1b[31mred.md: " in lines["esc\x1b[2J\x1b[31mred.md"]
    assert "over the limit of 2,097,152 bytes" in lines["big.md"]
    with sessions() as session:
        keys = {article.key for article in list_articles(session)}
    assert keys == {f"{index:04d}" for index in range(good)}

    again = load_paths(sessions, [folder], workers=workers)
    assert (again.new, again.unchanged, len(again.rejected)) == (0, good, len(expected))


def test_a_symlink_to_a_file_inside_the_folder_is_followed(
    tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    folder = tmp_path / "articles"
    (folder / ".store").mkdir(parents=True)
    (folder / ".store" / "kept.md").write_text(good_article(1), encoding="utf-8")
    (folder / "alias.md").symlink_to(Path(".store") / "kept.md")
    report = load_paths(sessions, [folder])
    assert (report.new, report.rejected) == (1, [])
    with sessions() as session:
        assert get_article(session, "alias") is not None


def test_a_file_over_the_limit_is_refused_unread(
    tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "small.md").write_text(good_article(1), encoding="utf-8")
    with (folder / "huge.md").open("wb") as stream:
        stream.truncate(1 << 40)  # a sparse terabyte: reading it whole would never end
    limit = len(good_article(1).encode())

    report = load_paths(sessions, [folder], max_bytes=limit)

    assert report.new == 1
    assert [r.line for r in report.rejected] == [
        f"{folder / 'huge.md'}: too large: 1,099,511,627,776 bytes, over the limit of "
        f"{limit:,} bytes ([paths] max_article_bytes)"
    ]
    assert "too large" in load_paths(sessions, [folder], max_bytes=limit - 1).rejected[0].reason


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_reading_stops_past_the_limit_even_when_the_size_said_less() -> None:
    status = ArticleFile(Path("/proc/self/status"), "status")  # its size says 0 bytes
    assert os.stat(status.path).st_size == 0
    with pytest.raises(ArticleError, match="too large: grew while read"):
        status.read(max_bytes=16)


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="needs Linux /proc")
def test_a_file_that_fails_to_read_is_one_line(sessions: sessionmaker[Session]) -> None:
    # reading /proc/self/mem from offset 0 fails (EIO), as root too: a real read error
    report = load_paths(sessions, [Path("/proc/self/mem")])
    assert [r.reason.split(":")[0] for r in report.rejected] == ["cannot read"]


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="running as root: chmod 000 does not stop root reading (the read error path is "
    "covered by test_a_file_that_fails_to_read_is_one_line)",
)
def test_unreadable_files_and_folders_are_one_line_each(
    tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    folder = tmp_path / "articles"
    write_good_files(folder, 2)
    (folder / "locked").mkdir()
    (folder / "locked" / "inside.md").write_text(good_article(7), encoding="utf-8")
    (folder / "secret.md").write_text(good_article(8), encoding="utf-8")
    (folder / "secret.md").chmod(0)
    (folder / "locked").chmod(0)
    try:
        report = load_paths(sessions, [folder])
    finally:
        (folder / "locked").chmod(0o755)
    assert report.new == 2
    assert sorted(r.line for r in report.rejected) == [
        f"{folder / 'locked'}: cannot read folder: Permission denied",
        f"{folder / 'secret.md'}: cannot read: Permission denied",
    ]


def test_a_non_utf8_folder_name_rejects_its_files_not_the_load(
    tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    folder = tmp_path / "articles"
    write_good_files(folder, 1)
    odd = os.path.join(os.fsencode(folder), b"\xff\xfe")
    os.mkdir(odd)
    Path(os.fsdecode(odd), "a.md").write_text(good_article(2), encoding="utf-8")
    report = load_paths(sessions, [folder])
    assert report.new == 1
    assert [r.line for r in report.rejected] == [
        f"{folder}/\\xff\\xfe/a.md: file name is not valid UTF-8: rename the file"
    ]


def test_a_folder_found_by_a_non_utf8_path_still_loads(
    tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    folder = Path(os.fsdecode(os.path.join(os.fsencode(tmp_path), b"articles-\xe9")))
    write_good_files(folder, 2)  # the keys (relative names) are fine; only the folder is odd
    report = load_paths(sessions, [folder])
    assert (report.new, report.rejected) == (2, [])


def test_find_article_files_yields_problems_in_path_order(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    write_good_files(folder, 2)
    os.mkfifo(folder / "0000a.md")
    found = [(f.key, f.problem) for f in find_article_files([folder])]
    assert found == [("0000", ""), ("0000a", "not a regular file (a FIFO)"), ("0001", "")]


def test_rejection_reasons_are_one_printable_line() -> None:
    rejected = Rejected(Path("a\nb.md"), "broken YAML\n  in line 3:\n\ttitle: \x1b[31m\u202e")
    assert rejected.reason == "broken YAML in line 3: title: \\x1b[31m\\u202e"
    assert rejected.line == "a\\nb.md: broken YAML in line 3: title: \\x1b[31m\\u202e"
    assert printable(os.fsdecode(b"caf\xe9 \xe4\xb8\xad.md")) == "caf\\xe9 中.md"


class _Undecodable(bytes):
    """File contents whose decoding fails unexpectedly: a stand-in for any parser bug."""

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        raise LookupError("boom")


class _Interrupted(bytes):
    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        raise KeyboardInterrupt


def test_an_unexpected_exception_rejects_only_its_file() -> None:
    good = good_article(1).encode()
    assert _parse_job((_Undecodable(good), "k", NOW, "sqlite")) == (
        "could not be read as an article: LookupError"
    )
    assert isinstance(_parse_job((good, "k", NOW, "sqlite")), tuple)
    with pytest.raises(KeyboardInterrupt):  # never swallowed
        _parse_job((_Interrupted(good), "k", NOW, "sqlite"))


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")
def test_an_unexpected_exception_in_a_worker_process_rejects_only_its_file() -> None:
    good = good_article(1).encode()
    chunk = [(good, "a", NOW, "sqlite"), (_Undecodable(good), "b", NOW, "sqlite")]
    chunk.append((good.replace(b"sodium1", b"sodium2"), "c", NOW, "sqlite"))
    with ProcessPoolExecutor(1, multiprocessing.get_context("fork")) as pool:
        outcomes = pool.submit(_parse_chunk, chunk).result()
    assert [type(outcome) for outcome in outcomes] == [tuple, str, tuple]
    assert outcomes[1] == "could not be read as an article: LookupError"


def test_large_files_go_to_workers_in_smaller_chunks() -> None:
    def job(size: int) -> _Item:
        return _ParseJob(ArticleFile(Path(f"{size}.md"), "k"), b"x" * size, "", NOW)

    def sizes(chunk: tuple[_Item, ...]) -> list[int]:
        return [len(item.data) if isinstance(item, _ParseJob) else 0 for item in chunk]

    unchanged = _Unchanged(ArticleFile(Path("same.md"), "same"), "same")
    items = [job(3), job(3), unchanged, job(3), job(1), job(9), job(1)]
    chunks = _chunked(iter(items), 4, max_bytes=6)  # at most 4 files, cut once 6 bytes are in
    assert [sizes(chunk) for chunk in chunks] == [[3, 3], [0, 3, 1, 9], [1]]
