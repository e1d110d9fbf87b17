"""Settings: defaults, the shipped file, environment overrides and clear errors."""

from datetime import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digestbot.config import Settings, load_settings
from digestbot.errors import ConfigError
from digestbot.model import Lang
from digestbot.proxies import redact_url

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "config" / "digestbot.toml"


def test_an_empty_file_means_exactly_the_dataclass_defaults(tmp_path: Path) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    from_file = load_settings(empty, environ={})
    assert from_file == Settings(source=empty)
    assert load_settings(None, environ={}) == Settings()


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
        ("[telegram]\nproxy_url = 3128\n", "proxy_url must be a string"),
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


def test_the_standard_proxy_variables_apply_when_proxy_url_is_empty() -> None:
    env = {"HTTPS_PROXY": "http://127.0.0.1:3128", "ALL_PROXY": "socks5://127.0.0.1:1080"}
    assert load_settings(None, environ=env).telegram.proxy_url == "http://127.0.0.1:3128"
    local = env | {"DIGESTBOT_API_URL": "http://127.0.0.1:8081"}  # http: ALL_PROXY applies
    assert load_settings(None, environ=local).telegram.proxy_url == "socks5://127.0.0.1:1080"
    bypass = local | {"NO_PROXY": "127.0.0.1"}
    assert load_settings(None, environ=bypass).telegram.proxy_url == ""
    chosen = env | {"DIGESTBOT_PROXY_URL": "socks5h://127.0.0.1:9050"}
    assert load_settings(None, environ=chosen).telegram.proxy_url == "socks5h://127.0.0.1:9050"


def test_proxy_url_comes_from_the_file_or_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "proxy.toml"
    path.write_text("[telegram]\nproxy_url = 'socks5://127.0.0.1:1080'\n", encoding="utf-8")
    assert load_settings(None, environ={}).telegram.proxy_url == ""
    assert load_settings(path, environ={}).telegram.proxy_url == "socks5://127.0.0.1:1080"
    env = {"DIGESTBOT_PROXY_URL": "http://user:pw@proxy.example.cn:3128"}
    assert load_settings(path, environ=env).telegram.proxy_url == env["DIGESTBOT_PROXY_URL"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:3128",
        "https://proxy.example.cn:443/",
        "socks5://127.0.0.1:1080",
        "socks5h://user:p%40ss@[::1]:1080",
    ],
)
def test_proxy_url_takes_http_https_and_socks5(url: str) -> None:
    settings = load_settings(None, environ={"DIGESTBOT_PROXY_URL": url})
    assert settings.telegram.proxy_url == url


@pytest.mark.parametrize(
    "url",
    [
        "ftp://user:s3cret-pw@127.0.0.1:21",  # scheme
        "socks4://user:s3cret-pw@127.0.0.1:1080",
        "user:s3cret-pw@127.0.0.1:3128",  # no scheme
        "http://user:s3cret-pw@127.0.0.1",  # no port
        "socks5://user:s3cret-pw@:1080",  # no host
        "http://user:s3cret-pw@127.0.0.1:99999",  # port out of range
        "http://user:s3cret-pw@127.0.0.1:0",
        "http://user:s3cret-pw@127.0.0.1:port",
        "http://user:s3cret-pw@127.0.0.1:3128/some/path",
        "http://user:s3cret-pw@[::1:3128",
    ],
)
def test_a_bad_proxy_url_is_one_line_naming_the_setting_without_the_password(url: str) -> None:
    with pytest.raises(ConfigError, match=r"^\[telegram\] proxy_url must be") as caught:
        load_settings(None, environ={"DIGESTBOT_PROXY_URL": url})
    message = str(caught.value)
    assert "\n" not in message
    assert "s3cret-pw" not in message
    assert "user:***@" in message


def test_proxy_url_is_not_in_repr() -> None:
    settings = load_settings(None, environ={"DIGESTBOT_PROXY_URL": "http://u:s3cret@h:3128"})
    assert "s3cret" not in repr(settings)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://127.0.0.1:3128", "http://127.0.0.1:3128"),
        ("http://ann:pw@127.0.0.1:3128", "http://ann:***@127.0.0.1:3128"),
        ("socks5://ann:p@ss/w#rd?@[::1]:1080", "socks5://ann:***@[::1]:1080"),
        ("socks5://token-alone@127.0.0.1:1080", "socks5://***@127.0.0.1:1080"),
        ("ann:pw@127.0.0.1:3128", "ann:***@127.0.0.1:3128"),
        ("", ""),
    ],
)
def test_redact_url_hides_the_password(url: str, shown: str) -> None:
    assert redact_url(url) == shown


userinfo_text = st.text(st.characters(exclude_characters="\n"), min_size=1)


@given(
    st.sampled_from(["http", "https", "socks5", "socks5h"]),
    st.text("abcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=1),
    userinfo_text,
    st.sampled_from(["127.0.0.1:3128", "[::1]:1080", "proxy.example.cn:8080"]),
)
def test_redact_url_never_shows_a_password(
    scheme: str, user: str, password: str, host: str
) -> None:
    shown = redact_url(f"{scheme}://{user}:{password}@{host}")
    assert shown == f"{scheme}://{user}:***@{host}"


def test_a_proxy_from_the_environment_without_a_port_gets_its_schemes_port() -> None:
    env = {"HTTPS_PROXY": "http://proxy.corp", "DIGESTBOT_CONFIG": ""}
    assert load_settings(None, environ=env).telegram.proxy_url == "http://proxy.corp:80"
    env = {"ALL_PROXY": "socks5://user:pw@proxy.corp"}
    assert load_settings(None, environ=env).telegram.proxy_url == "socks5://user:pw@proxy.corp:1080"


def test_monitoring_is_on_by_default_and_an_empty_environment_value_turns_it_off() -> None:
    assert load_settings(None, environ={}).monitoring.host_port == ("127.0.0.1", 9464)
    off = load_settings(None, environ={"DIGESTBOT_MONITORING_ADDRESS": ""})
    assert off.monitoring.host_port is None
    v6 = load_settings(None, environ={"DIGESTBOT_MONITORING_ADDRESS": "[::1]:0"})
    assert v6.monitoring.host_port == ("::1", 0)
    with pytest.raises(ConfigError, match=r"^\[monitoring\] address must be"):
        load_settings(None, environ={"DIGESTBOT_MONITORING_ADDRESS": "9464"})


def test_the_environment_overrides_a_monitoring_address_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "monitoring.toml"
    path.write_text('[monitoring]\naddress = "0.0.0.0:9464"\n', encoding="utf-8")
    env = {"DIGESTBOT_MONITORING_ADDRESS": "127.0.0.1:0"}
    assert load_settings(path, environ=env).monitoring.address == "127.0.0.1:0"
    assert load_settings(path, environ={}).monitoring.address == "0.0.0.0:9464"
