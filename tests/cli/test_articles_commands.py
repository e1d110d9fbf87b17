"""The operator commands end to end: load, search, show, articles and db upgrade."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from digestbot.articles.files import printable
from digestbot.cli import main
from digestbot.ingest import PARALLEL_FROM
from tests.articles.hostile import write_good_files, write_hostile_files
from tests.support.articles import SEED, write_article_folder

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def database(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'data' / 'digestbot.sqlite3'}"


@pytest.fixture
def loaded(tmp_path: Path, database: str) -> str:
    """A database holding the good articles of the test folder."""
    write_article_folder(tmp_path / "articles")
    main(["load", "--database", database, str(tmp_path / "articles")])
    return database


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_load_reports_rejections_and_the_summary_last(
    tmp_path: Path, database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = write_article_folder(tmp_path / "articles")
    status, out, err = run(capsys, "load", "--database", database, str(tmp_path / "articles"))
    assert status == 1
    assert out.strip().splitlines()[-1] == "loaded 3 new, 0 updated, 0 unchanged, 5 rejected"
    assert f"{paths['empty.md']}: empty file" in err.splitlines()
    assert "Traceback" not in err

    status, out, _ = run(capsys, "load", "--database", database, str(paths["seed"]))
    assert status == 0
    assert out.strip() == "loaded 0 new, 0 updated, 1 unchanged, 0 rejected"


@pytest.mark.parametrize("good", [3, PARALLEL_FROM])  # PARALLEL_FROM: worker processes
def test_load_reports_each_hostile_file_on_one_line_and_loads_the_rest(
    tmp_path: Path, database: str, capsys: pytest.CaptureFixture[str], good: int
) -> None:
    folder = tmp_path / "articles"
    write_good_files(folder, good)
    expected = write_hostile_files(folder, tmp_path / "elsewhere")

    status, out, err = run(capsys, "load", "--database", database, str(folder))

    assert status == 1
    assert out.splitlines() == [f"loaded {good} new, 0 updated, 0 unchanged, 12 rejected"]
    lines = err.splitlines()
    assert len(lines) == len(expected) == 12
    assert all(line.isprintable() for line in lines), lines  # no forged line, no escape
    for path, word in expected.items():
        shown = f"{printable(str(path))}: "
        [line] = [line for line in lines if line.startswith(shown)]
        assert word in line
    assert "Traceback" not in err


def test_load_takes_its_size_limit_from_the_config(
    tmp_path: Path, database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "digestbot.toml"
    config.write_text("[paths]\nmax_article_bytes = 1000\n", encoding="utf-8")
    status, out, err = run(
        capsys, "load", "--config", str(config), "--database", database, str(SEED)
    )
    assert status == 1
    assert out.strip() == "loaded 0 new, 0 updated, 0 unchanged, 1 rejected"
    assert err.strip() == (
        f"{SEED}: too large: {SEED.stat().st_size:,} bytes, over the limit of 1,000 bytes "
        "([paths] max_article_bytes)"
    )

    config.write_text("[paths]\nmax_article_bytes = 0\n", encoding="utf-8")
    status, _, err = run(capsys, "load", "--config", str(config), "--database", database, str(SEED))
    assert status == 1
    assert (
        err.strip() == f"digestbot: error: {config}: [paths] max_article_bytes must be at least 1"
    )


def test_load_usage_errors_exit_2(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "load", "--database", database, "/no/such/folder")[0] == 2
    assert run(capsys, "load")[0] == 2
    assert run(capsys, "frobnicate")[0] == 2


def test_search_json_has_the_documented_fields(
    loaded: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "search", "--database", loaded, "巴巴", "--json")
    assert status == 0
    hits = json.loads(out)
    assert [hit["key"] for hit in hits] == ["seed"]
    hit = hits[0]
    assert {"id", "key", "lang", "title", "snippet", "url", "date", "tags"} <= set(hit)
    assert hit["lang"] == "zh"
    start, end = hit["highlights"][0]
    assert "巴巴" in hit["snippet"][start:end]


def test_search_in_english_and_by_language(loaded: str, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "search", "--database", loaded, "chip", "--json", "--lang", "en")
    hits = json.loads(out)
    assert {hit["key"] for hit in hits} == {"seed", "english"}
    assert {hit["lang"] for hit in hits} == {"en"}

    status, out, _ = run(capsys, "search", "--database", loaded, "zeppelin")
    assert status == 0
    assert "no articles match" in out


def test_search_rejects_an_empty_query_clearly(
    loaded: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "search", "--database", loaded, "  ")
    assert status == 1
    assert err.startswith("digestbot: error:")
    assert "Traceback" not in err


def test_show_json_holds_only_the_languages_the_article_has(
    loaded: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "show", "--database", loaded, "seed", "--json")
    assert status == 0
    article = json.loads(out)
    assert article["url"] == "https://ft.com/content/978687d4-f9cf-4990-94b6-8d4f21c5e94b"
    assert set(article["texts"]) == {"zh", "en"}
    assert set(article["texts"]["zh"]) == {"title", "summary", "body", "key_terms"}
    assert "阿里巴巴集团" in article["texts"]["zh"]["key_terms"]

    _, out, _ = run(capsys, "show", "--database", loaded, "english", "--json")
    assert set(json.loads(out)["texts"]) == {"en"}

    _, out, _ = run(capsys, "show", "--database", loaded, str(article["id"]), "--lang", "en")
    assert out.startswith("Alibaba leverages cloud business")


def test_show_unknown_article_is_a_clear_error(
    loaded: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "show", "--database", loaded, "9999")
    assert status == 1
    assert "no article" in err


def test_articles_lists_newest_first_and_filters_by_tag(
    loaded: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, "articles", "--database", loaded, "--json")
    listed = json.loads(out)
    dates = [article["date"] for article in listed]
    assert dates == sorted(dates, reverse=True)
    assert all("body" not in text for article in listed for text in article["texts"].values())

    _, out, _ = run(capsys, "articles", "--database", loaded, "--tag", "WORLD", "--json")
    assert [article["key"] for article in json.loads(out)] == ["seed"]

    _, out, _ = run(capsys, "articles", "--database", loaded)
    assert out.strip().endswith("3 articles")
    assert "阿里巴巴借助云业务" in out


def test_db_upgrade_creates_the_schema(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "db", "upgrade", "--database", database)
    assert status == 0
    assert "up to date" in out


def test_console_script_reports_a_bad_database_without_traceback(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    env = {**os.environ, "DIGESTBOT_DATABASE_URL": f"sqlite:///{blocker}/sub/db.sqlite3"}
    result = subprocess.run(
        [sys.executable, "-m", "digestbot", "load", str(SEED)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("digestbot: error:")
    assert "Traceback" not in result.stderr
