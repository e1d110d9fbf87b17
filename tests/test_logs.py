"""Logging set-up: warnings are logged like everything else (token redacted), and
python-telegram-bot's retry_after deprecation, which digestbot handles, stays out of the log."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator

import pytest
from telegram.error import RetryAfter

from digestbot.logs import REDACTED, configure_logging
from digestbot.proxies import proxy_secrets

TOKEN = "123456789:AAbbccddeeffgghhiijjkkllmmnnoopp"


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
