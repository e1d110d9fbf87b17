"""``digestbot doctor`` on a good installation (the emulator as Bot API server) and broken ones."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from digestbot.cli import main
from digestbot.sandbox.emulator import Emulator

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(autouse=True)
def _no_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the config file written by the test counts."""
    for name in ("TOKEN", "TOKEN_FILE", "API_URL", "DATA_DIR", "DATABASE_URL", "CONFIG"):
        monkeypatch.delenv(f"DIGESTBOT_{name}", raising=False)


def write_config(tmp_path: Path, *, data_dir: Path, token: str = "", api_url: str = "") -> Path:
    """A settings file with the seed articles and the given data folder and Bot API server."""
    config = tmp_path / "digestbot.toml"
    config.write_text(
        f'[paths]\ndata_dir = "{data_dir}"\narticles_dir = "{SEEDS}"\n'
        f'[telegram]\ntoken = "{token}"\napi_url = "{api_url}"\n',
        encoding="utf-8",
    )
    return config


async def doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, str]]:
    """Run ``digestbot doctor`` (in a thread: it runs its own event loop); status, line by check."""
    status = await asyncio.to_thread(main, ["doctor", *args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    lines = captured.out.splitlines()
    checks = {line[5:].split(":", 1)[0]: line for line in lines[:-1]}
    assert lines[-1].endswith(" ok")
    return status, checks


async def test_a_good_installation_passes_every_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], emulator: Emulator
) -> None:
    data = tmp_path / "data"
    config = write_config(tmp_path, data_dir=data, token=emulator.token, api_url=emulator.base_url)
    assert await asyncio.to_thread(main, ["db", "upgrade", "--config", str(config)]) == 0
    capsys.readouterr()
    status, checks = await doctor(capsys, "--config", str(config))
    assert status == 0
    assert list(checks) == [
        "config",
        "data folder",
        "articles",
        "schedule",
        "webhook",
        "database",
        "catalogs",
        "token",
    ]
    assert all(line.startswith("ok   ") for line in checks.values()), checks
    assert "holds 16 article files" in checks["articles"]
    assert "schema is current" in checks["database"]
    assert "the bot is @digest_sandbox_bot" in checks["token"]


async def test_a_token_the_server_does_not_know_fails_with_its_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], emulator: Emulator
) -> None:
    config = write_config(
        tmp_path, data_dir=tmp_path / "data", token="42:wrong", api_url=emulator.base_url
    )
    status, checks = await doctor(capsys, "--config", str(config))
    assert status == 1
    assert checks["token"].startswith("FAIL token: ")
    assert f"the Bot API server ({emulator.base_url}) rejected the bot token" in checks["token"]
    assert "fix: set DIGESTBOT_TOKEN" in checks["token"]
    assert "42:wrong" not in "".join(checks.values())


async def test_quick_does_not_ask_the_server_and_a_missing_token_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unreachable = "http://127.0.0.1:9"
    config = write_config(tmp_path, data_dir=tmp_path / "data", token="1:x", api_url=unreachable)
    status, checks = await doctor(capsys, "--config", str(config), "--quick")
    assert status == 0
    assert checks["token"] == f"ok   token: present (not checked with {unreachable}: --quick)"
    assert checks["database"].startswith("warn database: ")
    assert "fix: digestbot db upgrade" in checks["database"]

    config = write_config(tmp_path, data_dir=tmp_path / "data")
    status, checks = await doctor(capsys, "--config", str(config))
    assert status == 0
    assert checks["token"].startswith("warn token: none configured")


async def test_an_unwritable_data_folder_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    config = write_config(tmp_path, data_dir=blocker / "data")
    status, checks = await doctor(capsys, "--config", str(config), "--quick")
    assert status == 1
    assert checks["data folder"].startswith(f"FAIL data folder: {blocker / 'data'} is not writable")
    assert "DIGESTBOT_DATA_DIR" in checks["data folder"]


async def test_a_broken_config_file_fails_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "digestbot.toml"
    config.write_text('[digest]\ntimezone = "Mars/Olympus"\n', encoding="utf-8")
    status, checks = await doctor(capsys, "--config", str(config))
    assert status == 1
    assert checks["config"].startswith("FAIL config: ")
    assert "unknown time zone 'Mars/Olympus'" in checks["config"]
    assert checks["catalogs"].startswith("ok   catalogs")


def webhook_config(tmp_path: Path, url: str) -> Path:
    """A settings file with a webhook at ``url`` (no secret) and no articles folder."""
    config = tmp_path / "webhook.toml"
    text = f'[paths]\ndata_dir = "{tmp_path}"\n[telegram]\nwebhook_url = "{url}"\n'
    config.write_text(text, encoding="utf-8")
    return config


async def test_a_plain_http_webhook_fails_and_one_without_secret_warns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = webhook_config(tmp_path, "http://bot.example/hook")
    status, checks = await doctor(capsys, "--config", str(config), "--quick")
    assert status == 1
    assert checks["webhook"].startswith("FAIL webhook: http://bot.example/hook is not https")
    assert checks["articles"].startswith("warn articles: no articles folder configured")

    config = webhook_config(tmp_path, "https://bot.example/hook")
    status, checks = await doctor(capsys, "--config", str(config), "--quick")
    assert status == 0
    assert checks["webhook"].startswith("warn webhook: https://bot.example/hook -> 127.0.0.1:8443")
    assert "webhook_secret" in checks["webhook"]
