"""The loader against a real folder and a real SQLite store: every bad file reported, every good
file loaded, re-runs idempotent, edits picked up."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from digestbot.ingest import CHUNK_SIZE, CHUNKS_AHEAD, PARALLEL_FROM, load_paths
from digestbot.model import Lang
from digestbot.store.articles import get_article, list_articles
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema
from tests.support.articles import BAD_FILES, ENGLISH_ONLY, write_article_folder


@pytest.fixture
def sessions(tmp_path: Path) -> sessionmaker[Session]:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'db' / 'test.sqlite3'}")
    upgrade_schema(engine)
    return session_factory(engine)


def test_loads_good_files_and_reports_each_bad_one(
    tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    paths = write_article_folder(tmp_path / "articles")
    report = load_paths(sessions, [tmp_path / "articles"])

    assert (report.new, report.updated, report.unchanged) == (3, 0, 0)
    reasons = {rejected.path: rejected.reason for rejected in report.rejected}
    assert set(reasons) == {paths[name] for name in [*BAD_FILES, "duplicate"]}
    for name, (_, word) in BAD_FILES.items():
        assert word in reasons[paths[name]], reasons[paths[name]]
    assert "duplicate" in reasons[paths["duplicate"]]
    assert "seed" in reasons[paths["duplicate"]]
    assert report.summary() == "loaded 3 new, 0 updated, 0 unchanged, 5 rejected"

    with sessions() as session:
        keys = {article.key for article in list_articles(session)}
    assert keys == {"seed", "english", "sub/chinese"}


def test_second_run_reports_everything_unchanged(
    tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    write_article_folder(tmp_path / "articles")
    load_paths(sessions, [tmp_path / "articles"])
    again = load_paths(sessions, [tmp_path / "articles"])
    assert (again.new, again.updated, again.unchanged, len(again.rejected)) == (0, 0, 3, 5)


def test_an_edited_file_updates_its_article(
    tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    paths = write_article_folder(tmp_path / "articles")
    load_paths(sessions, [tmp_path / "articles"])
    paths["english"].write_text(
        ENGLISH_ONLY.replace("Sodium-ion cells reach the grid", "Sodium cells win"),
        encoding="utf-8",
    )
    report = load_paths(sessions, [tmp_path / "articles"])
    assert (report.new, report.updated, report.unchanged) == (0, 1, 2)
    with sessions() as session:
        article = get_article(session, "english")
        assert article is not None
        assert next(iter(article.texts.values())).title == "Sodium cells win"
        assert len(list_articles(session)) == 3


def test_a_single_file_gets_its_stem_as_key(
    tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    paths = write_article_folder(tmp_path / "articles")
    report = load_paths(sessions, [paths["english"]])
    assert report.new == 1
    with sessions() as session:
        assert get_article(session, "english") is not None


def test_a_later_file_with_a_known_url_is_a_duplicate(
    tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    paths = write_article_folder(tmp_path / "articles")
    load_paths(sessions, [paths["seed"]])
    report = load_paths(sessions, [paths["duplicate"]])
    assert report.new == 0
    assert len(report.rejected) == 1
    assert "duplicate of article 'seed'" in report.rejected[0].reason


def _many_articles(folder: Path, count: int) -> None:
    folder.mkdir(exist_ok=True)
    for index in range(count):
        body = ENGLISH_ONLY.replace("sodium", f"sodium{index}").replace(
            "https://example.com/sodium", f"https://example.com/{index}"
        )
        (folder / f"{index:04d}.md").write_text(body, encoding="utf-8")


# More files than the pool takes in at once, so reading keeps pace with parsing.
MANY = PARALLEL_FROM + CHUNK_SIZE * CHUNKS_AHEAD * 2


def test_parallel_parsing_loads_exactly_what_serial_parsing_does(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    _many_articles(folder, MANY)
    (folder / "broken.md").write_bytes(BAD_FILES["broken.md"][0])
    outcomes = []
    for workers in (1, 2):
        engine = create_engine_for(f"sqlite:///{tmp_path / f'w{workers}.sqlite3'}")
        upgrade_schema(engine)
        sessions = session_factory(engine)
        report = load_paths(sessions, [folder], workers=workers)
        with sessions() as session:
            keys = [(a.key, a.url) for a in list_articles(session)]
        outcomes.append((report.summary(), [r.reason for r in report.rejected], sorted(keys)))
        engine.dispose()
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == f"loaded {MANY} new, 0 updated, 0 unchanged, 1 rejected"
    assert len(outcomes[0][2]) == MANY


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_counts_every_file_once_up_to_the_total(
    tmp_path: Path, sessions: sessionmaker[Session], workers: int
) -> None:
    folder = tmp_path / "many"
    _many_articles(folder, MANY // 2)
    load_paths(sessions, [folder], workers=workers)
    _many_articles(folder, MANY)  # the first half unchanged
    calls: list[tuple[int, int]] = []

    report = load_paths(sessions, [folder], workers=workers, on_progress=lambda *c: calls.append(c))

    assert (report.new, report.unchanged) == (MANY - MANY // 2, MANY // 2)
    assert {total for _, total in calls} == {MANY}
    done = [count for count, _ in calls]
    assert done == sorted(done)
    assert done[-1] == MANY
    assert done.count(MANY) == 1


def _with_id(key: str, title: str) -> str:
    body = ENGLISH_ONLY.replace("title: Sodium", f"id: {key}\ntitle: Sodium")
    return body.replace("Sodium-ion cells reach the grid", title).replace(
        "https://example.com/sodium", f"https://example.com/{title.replace(' ', '-')}"
    )


@pytest.mark.parametrize(("between", "workers"), [(0, 1), (0, 2), (MANY, 1), (MANY, 2)])
def test_the_first_file_in_path_order_wins_an_id_however_far_apart(
    tmp_path: Path, sessions: sessionmaker[Session], between: int, workers: int
) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "zz.md").write_text(_with_id("k", "Loaded first"), encoding="utf-8")
    load_paths(sessions, [folder], workers=workers)
    _many_articles(folder / "mid", between)  # files between the two claimants
    (folder / "00.md").write_text(_with_id("k", "Came later"), encoding="utf-8")

    report = load_paths(sessions, [folder], workers=workers)

    assert [(r.path.name, r.reason) for r in report.rejected] == [
        ("zz.md", f"duplicate of {folder / '00.md'} (same id 'k')")
    ]
    assert (report.new, report.updated, report.unchanged) == (between, 1, 0)
    with sessions() as session:
        stored = get_article(session, "k")
    assert stored is not None
    assert stored.texts[Lang.EN].title == "Came later"
