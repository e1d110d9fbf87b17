"""Logging set-up: warnings are logged like everything else (token redacted), and
python-telegram-bot's retry_after deprecation, which digestbot handles, stays out of the log;
``[logging] format = "json"`` writes one valid, redacted JSON object a line."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import signal
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from telegram.error import RetryAfter

from digestbot.cli import main
from digestbot.logs import REDACTED, configure_logging, level_number
from digestbot.proxies import proxy_secrets
from digestbot.sandbox.emulator import Emulator

TOKEN = "123456789:AAbbccddeeffgghhiijjkkllmmnnoopp"
ROOT = Path(__file__).resolve().parents[1]
# a password with a quote and a backslash: JSON escapes both, so redaction must come first
PROXY = "socks5://digest:p%22ss%5Cw0rd@127.0.0.1:1080"
PASSWORD = 'p"ss\\w0rd'


@pytest.fixture(autouse=True)
def _warnings_shown() -> Iterator[None]:
    """Warnings shown as Python shows them outside pytest (logging is put back by conftest)."""
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        yield


def test_a_warning_is_logged_with_the_token_redacted(capfd: pytest.CaptureFixture[str]) -> None:
    configure_logging(logging.INFO, TOKEN)
    warnings.warn(f"slow answer from https://api.telegram.org/bot{TOKEN}/getMe", stacklevel=1)
    err = capfd.readouterr().err
    assert "WARNING py.warnings" in err
    assert f"bot{REDACTED}/getMe" in err
    assert TOKEN not in err


def test_retry_after_deprecation_stays_out_of_the_log(capfd: pytest.CaptureFixture[str]) -> None:
    configure_logging(logging.INFO, TOKEN)
    RetryAfter(3)  # python-telegram-bot 22 warns from the constructor itself
    assert "retry_after" not in capfd.readouterr().err


def test_a_proxy_password_is_redacted_and_httpcores_trace_is_never_written(
    capfd: pytest.CaptureFixture[str],
) -> None:
    proxy = "socks5://digest:p%40ss-w0rd@127.0.0.1:1080"
    configure_logging(logging.DEBUG, TOKEN, proxy_secrets(proxy))
    logging.getLogger("httpcore.socks").debug("setup_socks5 auth=(b'digest', b'p@ss-w0rd')")
    logging.getLogger("digestbot").info("through %s and p@ss-w0rd", proxy)
    err = capfd.readouterr().err
    assert "setup_socks5" not in err
    assert "p%40ss-w0rd" not in err
    assert "p@ss-w0rd" not in err
    assert "socks5://digest:***@127.0.0.1:1080" in err


def _json_lines(err: str) -> list[dict[str, Any]]:
    """Every line of ``err`` parsed; each must be one JSON object."""
    entries = [json.loads(line) for line in err.splitlines()]
    assert all(isinstance(entry, dict) for entry in entries)
    return entries


def test_json_lines_carry_time_level_logger_message_and_context(
    capfd: pytest.CaptureFixture[str],
) -> None:
    configure_logging(logging.INFO, TOKEN, json_lines=True)
    logging.getLogger("digestbot.delivery").info(
        "sent %d messages", 3, extra={"chat_id": 5, "tags": ("ai", "rust"), "late": 1.5}
    )
    [entry] = _json_lines(capfd.readouterr().err)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry.pop("time"))
    assert entry == {
        "level": "INFO",
        "logger": "digestbot.delivery",
        "message": "sent 3 messages",
        "chat_id": 5,
        "tags": ["ai", "rust"],
        "late": 1.5,
    }


def test_json_lines_redact_message_context_and_traceback(
    capfd: pytest.CaptureFixture[str],
) -> None:
    assert PASSWORD in proxy_secrets(PROXY)
    configure_logging(logging.INFO, TOKEN, proxy_secrets(PROXY), json_lines=True)

    class Opaque:
        def __str__(self) -> str:
            return f"<client bot{TOKEN} via {PASSWORD}>"

    try:
        raise ConnectionError(f'"{PASSWORD}"\n rejected at /bot{TOKEN}/getMe')
    except ConnectionError:
        logging.getLogger("digestbot").exception(
            'quoted "%s"\n\ttab %s and a bare token %s',
            PASSWORD,
            PROXY,
            TOKEN,
            extra={
                "url": f"https://api.telegram.org/bot{TOKEN}/getMe",
                "proxy": PROXY,
                "nested": {PASSWORD: [f"\\{TOKEN}\\", PASSWORD], "n": float("nan")},
                "client": Opaque(),
                "level": "an extra that would hide ours",
            },
        )
    err = capfd.readouterr().err
    for secret in (TOKEN, *proxy_secrets(PROXY), json.dumps(PASSWORD)[1:-1]):
        assert secret not in err
    [entry] = _json_lines(err)
    assert entry["level"] == "ERROR"
    assert entry["extra_level"] == "an extra that would hide ours"
    assert entry["message"] == (
        'quoted "***"\n\ttab socks5://digest:***@127.0.0.1:1080 and a bare token <token>'
    )
    assert entry["url"] == f"https://api.telegram.org/bot{REDACTED}/getMe"
    assert entry["proxy"] == "socks5://digest:***@127.0.0.1:1080"
    assert entry["nested"] == {"***": [f"\\{REDACTED}\\", "***"], "n": "nan"}
    assert entry["client"] == f"<client bot{REDACTED} via ***>"
    assert entry["exc"].startswith("Traceback (most recent call last):")
    assert entry["exc"].endswith(f'ConnectionError: "***"\n rejected at /bot{REDACTED}/getMe')


def test_a_warning_is_a_json_line_with_the_token_redacted(
    capfd: pytest.CaptureFixture[str],
) -> None:
    configure_logging(logging.INFO, TOKEN, json_lines=True)
    warnings.warn(f"slow answer from https://api.telegram.org/bot{TOKEN}/getMe", stacklevel=1)
    [entry] = _json_lines(capfd.readouterr().err)
    assert (entry["level"], entry["logger"]) == ("WARNING", "py.warnings")
    assert f"bot{REDACTED}/getMe" in entry["message"]


@pytest.mark.parametrize("json_lines", [False, True])
def test_the_level_setting_is_honoured(capfd: pytest.CaptureFixture[str], json_lines: bool) -> None:
    configure_logging("warning", json_lines=json_lines)
    log = logging.getLogger("digestbot")
    log.info("not this")
    log.warning("this")
    err = capfd.readouterr().err
    assert "not this" not in err
    assert len(err.splitlines()) == 1
    assert "this" in err


def test_level_names_are_read_in_any_case() -> None:
    assert [level_number(name) for name in ("debug", "INFO", "Warning", "error")] == [
        logging.DEBUG,
        logging.INFO,
        logging.WARNING,
        logging.ERROR,
    ]
    assert level_number(logging.ERROR) == logging.ERROR
    with pytest.raises(ValueError, match="loud"):
        level_number("loud")


async def test_run_with_format_json_writes_only_json_lines(
    emulator: Emulator, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "DIGESTBOT_TOKEN": emulator.token,
        "DIGESTBOT_API_URL": emulator.base_url,
        "DIGESTBOT_DATA_DIR": str(tmp_path / "data"),
        "DIGESTBOT_MONITORING_ADDRESS": "127.0.0.1:0",
        "DIGESTBOT_LOG_FORMAT": "json",
        "DIGESTBOT_LOG_LEVEL": "debug",  # as many lines, from as many libraries, as there are
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "digestbot", "run", "--config", "config/digestbot.toml",
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        emulator.driver.create_user(5, "Wei", None, "en")
        emulator.driver.send_text(5, "/help")
        reply = await emulator.driver.next_bot_message(5, timeout=30)
        assert "/search" in reply["text"]
    finally:
        process.send_signal(signal.SIGTERM)
        _, raw = await asyncio.wait_for(process.communicate(), timeout=30)
    err = raw.decode()
    assert process.returncode == 0, err
    assert emulator.token not in err
    entries = _json_lines("\n".join(line for line in err.splitlines() if line.strip()))
    assert entries, "debug logging wrote nothing"
    assert {entry["level"] for entry in entries} >= {"DEBUG"}
    assert all({"time", "level", "logger", "message"} <= entry.keys() for entry in entries)


@pytest.mark.parametrize(("name", "value"), [("FORMAT", "xml"), ("LEVEL", "loud")])
def test_a_bad_logging_setting_is_a_one_line_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str, value: str
) -> None:
    monkeypatch.setenv(f"DIGESTBOT_LOG_{name}", value)
    monkeypatch.setenv("DIGESTBOT_TOKEN", TOKEN)
    assert main(["run", "--config", str(ROOT / "config" / "digestbot.toml")]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"digestbot: error: [logging] {name.lower()} must be one of "
        f"{'text, json' if name == 'FORMAT' else 'debug, info, warning, error'}, not {value!r}"
    ]
