"""The operator's first five minutes: every failure an operator can fix is one line and an exit
status, never a traceback; output piped into ``head`` stops quietly; global options go anywhere."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from digestbot.cli import main
from digestbot.render.terminal import BOLD
from tests.support.articles import write_article_folder

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
BIG_BODY_LINES = 20_000  # ~1 MB of text: more than any pipe buffer holds


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database holding the seed articles and one very long article (key ``big``)."""
    folder = tmp_path_factory.mktemp("operator")
    big = folder / "articles" / "big.md"
    big.parent.mkdir()
    body = "\n\n".join(f"Paragraph {n} about batteries and chips." for n in range(BIG_BODY_LINES))
    big.write_text(f"---\ntitle: A long one\ndate: 2025-01-01\n---\n\n{body}\n", encoding="utf-8")
    url = f"sqlite:///{folder / 'data' / 'digestbot.sqlite3'}"
    assert main(["load", "--database", url, str(SEEDS), str(big.parent)]) == 0
    return url


def _environ(tmp_path: Path, database: str, **extra: str) -> dict[str, str]:
    """The test's environment without any DIGESTBOT_ setting, plus this database and ``extra``."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DIGESTBOT_")}
    return {
        **environ,
        "DIGESTBOT_DATABASE_URL": database,
        "DIGESTBOT_DATA_DIR": str(tmp_path / "data"),
        **extra,
    }


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def _assert_one_clean_line(err: str) -> None:
    assert "Traceback" not in err
    assert "Exception ignored" not in err
    assert len(err.strip().splitlines()) <= 1, err


HELP = -1  # marks the statuses that depend on buffering
# (arguments, extra environment, exit status with stdout closed)
CLOSED_STDOUT_CASES = [
    (["load", str(SEEDS)], {}, 141),
    (["search", "battery"], {}, 141),
    (["search", "battery", "--json"], {}, 141),
    (["show", "1"], {}, 141),
    (["show", "big", "--json"], {}, 141),
    (["articles"], {}, 141),
    (["articles", "--json"], {}, 141),
    (["db", "upgrade"], {}, 141),
    (["digest", "preview"], {}, 141),
    (["digest", "preview", "--html"], {}, 141),
    (["digest", "preview", "--json"], {}, 141),
    (["stats"], {}, 141),
    (["stats", "--json"], {}, 141),
    (["doctor", "--quick"], {}, 141),
    (["healthcheck", "--address", "127.0.0.1:1", "--timeout", "2"], {}, 141),
    # argparse swallows a failed write of the help: 0 when stdout is unbuffered, else 141
    (["--help"], {}, HELP),
    (["digest", "preview", "--help"], {}, HELP),
    (["--version"], {}, HELP),
    (["run"], {}, 1),  # no token: the error goes to stderr, stdout is never written
    (
        ["digest", "send"],
        {"DIGESTBOT_TOKEN": "123:abc", "DIGESTBOT_API_URL": "http://127.0.0.1:1"},
        1,
    ),
]


@pytest.mark.parametrize("unbuffered", ["", "1"], ids=["buffered", "unbuffered"])
@pytest.mark.parametrize(
    ("argv", "extra", "status"),
    CLOSED_STDOUT_CASES,
    ids=[" ".join(case[0]) for case in CLOSED_STDOUT_CASES],
)
def test_every_command_stops_quietly_when_nobody_reads_its_output(
    store: str,
    tmp_path: Path,
    argv: list[str],
    extra: dict[str, str],
    status: int,
    unbuffered: str,
) -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # closed before the command starts: its first write fails with EPIPE
    try:
        done = subprocess.run(
            [sys.executable, "-m", "digestbot", *argv],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env={**_environ(tmp_path, store, **extra), "PYTHONUNBUFFERED": unbuffered},
            cwd=tmp_path,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    if status == HELP:
        status = 0 if unbuffered else 141
    assert done.returncode == status, done.stderr
    _assert_one_clean_line(done.stderr)


@pytest.mark.parametrize(
    "argv", [["show", "big"], ["show", "big", "--json"], ["digest", "preview", "--html"]]
)
def test_reading_one_line_and_closing_the_pipe_ends_with_status_141(
    store: str, tmp_path: Path, argv: list[str]
) -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "digestbot", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_environ(tmp_path, store),
        cwd=tmp_path,
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        assert process.stdout.readline()
        process.stdout.close()  # what `| head -1` does
        err = process.stderr.read().decode()
        status = process.wait(timeout=120)
    if argv[-1] == "--html":  # a short output may be all written before the pipe closes
        assert status in (0, 141), err
    else:
        assert status == 141, err
    _assert_one_clean_line(err)


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port on 127.0.0.1 that something else listens on."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


@pytest.mark.parametrize("command", [["sandbox"], ["run", "--sandbox-without-token"]])
def test_a_busy_port_is_one_line_naming_the_port_and_the_fix(
    tmp_path: Path, busy_port: int, command: list[str]
) -> None:
    database = f"sqlite:///{tmp_path / 'sandbox.sqlite3'}"
    done = subprocess.run(
        [sys.executable, "-m", "digestbot", *command, "--port", str(busy_port)],
        capture_output=True,
        text=True,
        env=_environ(tmp_path, database),
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(f"digestbot: error: 127.0.0.1:{busy_port} is already in use")
    assert "--port" in last
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "argv_around",
    [
        lambda db, cfg: ["--config", cfg, "--database", db, "stats", "--json"],
        lambda db, cfg: ["stats", "--json", "--config", cfg, "--database", db],
        lambda db, cfg: ["--config", cfg, "stats", "--database", db, "--json"],
        lambda db, cfg: ["--database", db, "digest", "preview", "--json", "--config", cfg],
    ],
    ids=["before", "after", "mixed", "before a group"],
)
def test_global_options_work_before_and_after_the_command(
    tmp_path: Path, store: str, capsys: pytest.CaptureFixture[str], argv_around: object
) -> None:
    config = tmp_path / "digestbot.toml"
    config.write_text('[reader]\ndefault_language = "en"\n', encoding="utf-8")
    assert callable(argv_around)
    status, out, err = _run(capsys, *argv_around(store, str(config)))
    assert status == 0, err
    assert '"' in out  # JSON from the loaded store, not an error
    missing = str(tmp_path / "nope.toml")
    status, _, err = _run(capsys, "--config", missing, "stats")
    assert status == 1
    assert err.strip() == (
        f"digestbot: error: config file not found: {missing} (check the path given to --config)"
    )


def test_a_later_database_option_does_not_undo_an_earlier_one(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = _run(capsys, "--database", store, "articles")
    assert status == 0
    assert out.strip().endswith("articles")
    assert not out.strip().endswith(" 0 articles")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["search", "chips", "--limit", "abc"],
            "argument --limit: expected a whole number of 1 or more, got 'abc'",
        ),
        (["search", "chips", "--limit", "0"], "expected a whole number of 1 or more, got '0'"),
        (["search", "chips", "--lang", "fr"], "argument --lang: expected zh or en, got 'fr'"),
        (["run", "--port", "abc"], "argument --port: expected a port number from 1 to 65535"),
        (["sandbox", "--port", "abc"], "argument --port: expected a whole number, got 'abc'"),
        (["digest", "send", "--wait", "soon"], "argument --wait: expected a number of seconds"),
        (["digest", "preview", "--since", "May 5"], "expected a date like 2024-05-12, got 'May 5'"),
        (["healthcheck", "--timeout", "-1"], "expected a number of seconds above 0, got '-1'"),
    ],
)
def test_usage_errors_say_what_is_expected_in_plain_words(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    status, _, err = _run(capsys, *argv)
    assert status == 2
    assert expected in err
    assert "invalid" not in err


def test_a_huge_value_is_echoed_shortened(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    huge = "x" * 10_000
    status, out, _ = _run(capsys, "search", "--database", store, huge)
    assert status == 0
    assert out.strip() == f"no articles match '{'x' * 79}…'"
    status, _, err = _run(capsys, "search", "chips", "--limit", huge)
    assert status == 2
    assert f"got '{'x' * 79}…'" in err
    assert len(err) < 1000
    status, _, err = _run(capsys, "show", "--database", store, huge)
    assert status == 1
    assert len(err) < 200


def test_a_query_starting_with_a_dash_goes_after_double_dash(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (["search", "-foot"], ["search", "battery", "-foot"]):
        status, _, err = _run(capsys, *argv, "--database", store)
        assert status == 2
        assert "digestbot search -- -foo" in err
    status, out, _ = _run(capsys, "search", "--database", store, "--", "-foot")
    assert status == 0
    assert "#5" in out  # the grid battery explainer mentions a 20-foot container


def test_a_query_of_several_words_needs_no_quotes(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = _run(capsys, "search", "--database", store, "grid", "battery")
    assert status == 0
    assert out.startswith("#")


@pytest.mark.parametrize(
    "argv",
    [["digest", "preview", "--tags", "science,nosuchtag"], ["articles", "--tag", "nosuchtag"]],
)
def test_an_unknown_tag_is_named_with_the_known_ones(
    store: str, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    status, out, err = _run(capsys, *argv, "--database", store)
    assert status == 2
    assert out == ""
    assert err.strip() == (
        "digestbot: error: unknown tag 'nosuchtag'; known tags: business, climate, science, "
        "tech, world"
    )


def test_a_misspelt_tag_gets_a_suggestion(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _run(capsys, "digest", "preview", "--database", store, "--tags", "sciense")
    assert status == 2
    assert "unknown tag 'sciense' (did you mean 'science'?)" in err


def test_preview_prints_text_for_a_terminal_and_html_on_request(
    store: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _, text, _ = _run(capsys, "digest", "preview", "--database", store, "--lang", "en")
    _, html, _ = _run(capsys, "digest", "preview", "--database", store, "--lang", "en", "--html")
    assert "<b>R&amp;D spending &lt;up&gt; 12%" in html
    assert 'R&D spending <up> 12% as firms bet on "AI & chips"' in text
    assert "<b>" not in text
    assert "&amp;" not in text
    assert BOLD not in text  # stdout is not a terminal
    assert "Source (https://news.example.org/2026/02/rd-spending-survey)" in text
    assert text.count("\n" + "-" * 40 + "\n") == html.count("\n" + "-" * 40 + "\n")


def test_a_database_url_with_a_bad_port_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    url = "postgresql://u:secret@localhost:abc/db"
    status, _, err = _run(capsys, "stats", "--database", url)
    assert status == 1
    assert err.startswith("digestbot: error: not a database URL")
    assert "secret" not in err
    _assert_one_clean_line(err)


def test_an_unreachable_database_is_one_line_with_the_fix(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    status, _, err = _run(capsys, "stats", "--database", f"postgresql://u@127.0.0.1:{port}/db")
    assert status == 1
    assert err.startswith("digestbot: error: cannot open the database")
    assert "check --database, $DIGESTBOT_DATABASE_URL or [database] url" in err
    _assert_one_clean_line(err)


def test_a_missing_file_to_load_is_one_shortened_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_article_folder(tmp_path / "articles")
    missing = str(tmp_path.joinpath(*["n" * 100] * 3))
    status, _, err = _run(capsys, "load", "--database", f"sqlite:///{tmp_path}/d.sqlite3", missing)
    assert status == 2
    assert err.startswith("digestbot load: error: no such file or folder: ")
    assert len(err) < 200


def test_the_help_documents_the_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    for status in ("0 done", "1 failed", "2 usage error", "130 interrupted", "141 the output"):
        assert status in out
    assert "--config and --database go before or after the command" in out


def test_a_file_name_too_long_for_the_system_is_one_shortened_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    too_long = str(tmp_path / ("n" * 300))
    status, _, err = _run(capsys, "load", "--database", f"sqlite:///{tmp_path}/d.sqlite3", too_long)
    assert status == 1
    assert err.startswith("digestbot: error: File name too long: ")
    assert err.rstrip().endswith("(check the path and its rights)")
    assert len(err) < 200
