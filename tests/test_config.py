"""Settings: defaults, the shipped file, environment overrides and clear errors."""

from datetime import time
from pathlib import Path

import pytest

from digestbot.articles.model import Lang
from digestbot.config import load_settings
from digestbot.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "config" / "digestbot.toml"


def test_defaults_use_sqlite_under_the_data_folder() -> None:
    settings = load_settings(None, environ={})
    assert settings.database_url == "sqlite:///data/digestbot.sqlite3"
    assert settings.digest.time == time(8, 0)
    assert settings.resolve_token() == ""


def test_shipped_file_loads_and_labels_tags() -> None:
    settings = load_settings(SHIPPED, environ={})
    assert settings.reader.tag_label("world", Lang.ZH) == "国际"
    assert settings.reader.tag_label("unlabelled", Lang.ZH) == "unlabelled"
    assert settings.paths.articles_dir == Path("seeds")


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("123:abc\n", encoding="utf-8")
    env = {
        "DIGESTBOT_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1/test",
        "DIGESTBOT_TOKEN_FILE": str(token_file),
        "DIGESTBOT_API_URL": "http://127.0.0.1:8081/",
    }
    settings = load_settings(SHIPPED, environ=env)
    assert settings.database_url == env["DIGESTBOT_DATABASE_URL"]
    assert settings.resolve_token() == "123:abc"
    assert settings.telegram.api_url == "http://127.0.0.1:8081"


def test_token_is_not_in_repr() -> None:
    settings = load_settings(None, environ={"DIGESTBOT_TOKEN": "123:secret-token"})
    assert "secret-token" not in repr(settings)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[digest]\ntime = 'noon'\n", "must be a time"),
        ("[digest]\ntimezone = 'Mars/Base'\n", "unknown time zone"),
        ("[digest]\nmax_articles = 0\n", "at least 1"),
        ("[digset]\n", "unknown setting"),
        ("[digest]\ntmie = '08:00'\n", "unknown setting"),
        ("[reader]\ndefault_language = 'fr'\n", '"zh" or "en"'),
        ("[telegram]\nwebhook_secret = 'has space'\n", "webhook_secret"),
        ("[digest\n", "invalid TOML"),
    ],
)
def test_bad_settings_say_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings(path, environ={})


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml", environ={})
