"""A whole conversation with DEBUG logging never writes the bot token; a secret learnt after the
start (a generated webhook secret) is redacted from then on."""

from __future__ import annotations

import logging

import pytest

from digestbot.logs import configure_logging, redact_also
from tests.support.bot import ANN, LI, BotHarness, button_data
from tests.support.content import LONG_ARTICLE, article_id


async def test_debug_logs_of_a_conversation_hold_no_token(
    bot: BotHarness, capfd: pytest.CaptureFixture[str]
) -> None:
    token = bot.emulator.token
    configure_logging(logging.DEBUG, token)
    results = await bot.say(ANN, "/search the")
    await bot.press(ANN, results, button_data(results)[0])
    await bot.say(LI, f"/read_{article_id(bot, '001_chip_export_rules')}")
    await bot.say(ANN, "/foo")
    update = bot.driver.send_inline_query(LI, "芯片")
    await bot.driver.inline_answer(update["inline_query"]["id"])
    await bot.say(ANN, f"/read {article_id(bot, LONG_ARTICLE)}")
    await bot.replies(ANN, 3, timeout=20)
    logging.getLogger("test").debug("calling with %s", token)
    err = capfd.readouterr().err
    assert "getUpdates" in err or "sendMessage" in err  # the requests were logged
    assert "calling with <token>" in err
    assert token not in err
    assert token.split(":", 1)[1] not in err


@pytest.mark.parametrize("json_lines", [False, True], ids=["text", "json"])
def test_a_secret_added_after_the_start_is_redacted_from_then_on(
    capfd: pytest.CaptureFixture[str], json_lines: bool
) -> None:
    configure_logging(logging.DEBUG, json_lines=json_lines)
    redact_also("generated-secret-1234567890")
    logging.getLogger("test").debug(
        "setWebhook: %s", {"secret_token": "generated-secret-1234567890"}
    )
    err = capfd.readouterr().err
    assert "secret_token" in err
    assert "generated-secret-1234567890" not in err
    assert "***" in err
