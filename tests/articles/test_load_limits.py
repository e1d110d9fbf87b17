"""Values the store cannot hold are refused file by file, with why, on SQLite and PostgreSQL alike
(PostgreSQL refuses an over-long ``varchar`` and a NUL in text, which would fail a whole batch)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from digestbot.articles.fields import (
    MAX_AUTHOR_CHARS,
    MAX_KEY_CHARS,
    MAX_TAG_CHARS,
    MAX_URL_CHARS,
)
from digestbot.ingest import load_paths
from digestbot.store import models as m
from digestbot.store.articles import get_article, list_articles


def article(front: str, body: str = "Some text about grid batteries.") -> str:
    """An otherwise good article file with ``front`` as extra front-matter lines."""
    return f"---\ndate: 2025-03-04\n{front}\n---\n\n# A title\n\n{body}\n"


LONG = {
    # file name: (text, what the rejection reason must say)
    "source.md": (
        article(f"source: https://example.com/{'a' * MAX_URL_CHARS}"),
        f"source is {MAX_URL_CHARS + 20:,} characters long, over the limit of 2,048 for a link",
    ),
    "link_line.md": (
        article("", f"Text.\n\n[Source](https://example.com/{'b' * 60_000})"),
        "source link is 60,020 characters long",
    ),
    "author.md": (article(f"author: {'c' * 1000}"), "author is 1,000 characters long"),
    "id.md": (article(f"id: {'d' * 600}"), "id is 600 characters long, over the limit of 512"),
    "tag.md": (
        article(f"tags: [ok, {'e' * 101}]"),
        "is 101 characters long, over the limit of 100",
    ),
}


def test_values_longer_than_the_store_keeps_are_refused_with_why(
    tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, (text, _) in LONG.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "good.md").write_text(article("source: https://example.com/ok"), encoding="utf-8")
    longest = article(
        f"id: {'k' * MAX_KEY_CHARS}\nauthor: {'a' * MAX_AUTHOR_CHARS}\n"
        f"tags: [{'t' * MAX_TAG_CHARS}]\nsource: https://e.com/{'u' * (MAX_URL_CHARS - 14)}"
    )
    (folder / "longest.md").write_text(longest, encoding="utf-8")

    report = load_paths(sessions, [folder], workers=1)

    assert report.new == 2
    reasons = {rejected.path.name: rejected.reason for rejected in report.rejected}
    assert set(reasons) == set(LONG)
    for name, (_, why) in LONG.items():
        assert why in reasons[name], reasons[name]
        assert "(the store keeps no more)" in reasons[name]
    with sessions() as session:
        stored = get_article(session, "k" * MAX_KEY_CHARS)
        assert stored is not None
        assert stored.url is not None
        assert len(stored.url) == MAX_URL_CHARS


def test_the_limits_are_the_column_sizes() -> None:
    assert m.Article.__table__.c.url.type.length == MAX_URL_CHARS
    assert m.Article.__table__.c.key.type.length == MAX_KEY_CHARS
    assert m.Article.__table__.c.author.type.length == MAX_AUTHOR_CHARS
    assert m.Tag.__table__.c.name.type.length == MAX_TAG_CHARS


def test_nul_is_dropped_from_front_matter_and_refuses_a_file_body(
    tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    escaped = 'title: "Grid\\0 batteries"\ntags: ["po\\0wer"]\nauthor: "An\\0n"\nid: "nul\\0key"'
    (folder / "escaped.md").write_text(article(escaped), encoding="utf-8")
    (folder / "raw.md").write_text(article("", "Grid\x00 batteries."), encoding="utf-8")

    report = load_paths(sessions, [folder], workers=1)

    assert report.new == 1
    assert [(r.path.name, r.reason) for r in report.rejected] == [
        ("raw.md", "not a text file (contains NUL bytes)")
    ]
    with sessions() as session:
        (stored,) = list_articles(session)
    assert (stored.key, stored.tags, stored.author) == ("nulkey", ("power",), "Ann")
    assert all("\x00" not in text.plain for text in stored.texts.values())
