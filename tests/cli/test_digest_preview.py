"""``digestbot digest preview``: the messages a reader would get, as HTML or JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digestbot.cli import main
from digestbot.sandbox.validate import check_message_text

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'data' / 'digestbot.sqlite3'}"
    assert main(["load", "--database", url, str(SEEDS)]) == 0
    return url


def preview(capsys: pytest.CaptureFixture[str], database: str, *argv: str) -> str:
    capsys.readouterr()
    assert main(["digest", "preview", "--database", database, *argv]) == 0
    return capsys.readouterr().out


def test_json_preview_lists_valid_messages_with_the_switch_button(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    composed = json.loads(preview(capsys, database, "--lang", "zh", "--json"))
    assert composed
    for message in composed:
        check_message_text(message["text"], "HTML", None)
        [button], *_ = message["reply_markup"]["inline_keyboard"]
        assert button["callback_data"].endswith(":en")
    assert composed[-1]["reply_markup"]["inline_keyboard"][1:] == [  # 16 seeds, 10 shown
        [{"text": "查看更多文章", "callback_data": "m:0:0"}]
    ]
    assert composed[0]["text"].startswith("<b>")
    assert "/read_" in composed[0]["text"]


def test_tags_and_since_narrow_the_preview(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    everything = preview(capsys, database, "--lang", "en")
    science = preview(capsys, database, "--lang", "en", "--tags", "Science")
    assert len(science) < len(everything)
    assert "Tags:" in science
    assert all("science" in line for line in science.splitlines() if line.startswith("2"))
    assert main(["digest", "preview", "--database", database, "--since", "2999-01-01"]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert "nothing new" in err


def test_a_bad_date_is_a_usage_error(database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["digest", "preview", "--database", database, "--since", "May 5"]) == 2
    assert "2024-05-12" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("lang", "mark", "only_other"),
    [
        ("en", "(Chinese only)", "首批动力电池迎来集中退役"),
        ("zh", "（仅有英文版）", "Heat pump sales"),
    ],
)
def test_the_other_language_flag_shows_or_hides_articles_only_in_the_other_language(
    database: str, capsys: pytest.CaptureFixture[str], lang: str, mark: str, only_other: str
) -> None:
    default = preview(capsys, database, "--lang", lang, "--html")
    shown = preview(capsys, database, "--lang", lang, "--html", "--other-language")
    hidden = preview(capsys, database, "--lang", lang, "--html", "--no-other-language")
    assert default == shown  # on by default, as for readers
    assert mark in shown
    assert only_other in shown
    assert mark not in hidden
    assert only_other not in hidden
    assert "/read_" in hidden  # articles in both languages stay
