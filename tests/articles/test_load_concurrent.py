"""Two processes loading the same folder into one database at once (two bots watching it, or a
``digestbot load`` beside a running bot): each file is loaded once, neither load fails."""

from __future__ import annotations

import threading
from pathlib import Path

from digestbot.ingest import LoadReport, load_paths
from digestbot.store.articles import count_articles, get_article
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema

FILES = 120


def write_folder(folder: Path, title: str) -> None:
    folder.mkdir(exist_ok=True)
    for n in range(FILES):
        (folder / f"a{n:03}.md").write_text(
            f"---\ntitle: {title} {n}\ndate: 2026-05-01\ntags: [tech]\n---\n"
            f"# {title} {n}\n\nThe body of article {n}, {title}.\n\n"
            f"[Source](https://example.com/{n})\n",
            encoding="utf-8",
        )


def load_at_once(url: str, folder: Path, loads: int = 2) -> list[LoadReport]:
    """``loads`` loads of ``folder``, each on its own engine, started together."""
    start = threading.Barrier(loads)
    reports: list[LoadReport] = []
    errors: list[BaseException] = []

    def load() -> None:
        engine = create_engine_for(url)
        try:
            start.wait()
            reports.append(load_paths(session_factory(engine), [folder], workers=1))
        except BaseException as exc:
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=load) for _ in range(loads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    return reports


def test_loading_the_same_files_at_once_is_harmless(bot_database: str, tmp_path: Path) -> None:
    engine = create_engine_for(bot_database)
    upgrade_schema(engine)
    sessions = session_factory(engine)
    folder = tmp_path / "articles"

    write_folder(folder, "First")
    reports = load_at_once(bot_database, folder)
    assert sorted(r.new for r in reports) == [0, FILES]
    assert all(not r.rejected for r in reports)

    write_folder(folder, "Edited")
    reports = load_at_once(bot_database, folder)
    assert sorted(r.updated for r in reports) == [0, FILES]
    with sessions() as session:
        assert count_articles(session) == FILES
        article = get_article(session, "a007")
        assert article is not None
        assert [t.title for t in article.texts.values()] == ["Edited 7"]
    engine.dispose()
