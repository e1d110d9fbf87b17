"""ApiError and its helpers carry Telegram's exact codes, descriptions and envelopes."""

from __future__ import annotations

import pytest

from digestbot.sandbox.errors import (
    ApiError,
    bad_request,
    conflict_getupdates,
    conflict_webhook_active,
    forbidden,
    not_found_method,
    too_many_requests,
    unauthorized,
)


@pytest.mark.parametrize(
    ("error", "code", "description"),
    [
        (bad_request("chat not found"), 400, "Bad Request: chat not found"),
        (forbidden("bot was blocked by the user"), 403, "Forbidden: bot was blocked by the user"),
        (not_found_method(), 404, "Not Found: method not found"),
        (unauthorized(), 401, "Unauthorized: invalid token specified"),
        (
            conflict_getupdates(),
            409,
            "Conflict: terminated by other getUpdates request; "
            "make sure that only one bot instance is running",
        ),
        (
            conflict_webhook_active(),
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        ),
        (too_many_requests(7), 429, "Too Many Requests: retry after 7"),
    ],
)
def test_helpers_give_telegram_texts(error: ApiError, code: int, description: str) -> None:
    assert (error.error_code, error.description, str(error)) == (code, description, description)


def test_envelope_without_parameters() -> None:
    assert bad_request("message text is empty").to_envelope() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: message text is empty",
    }


def test_too_many_requests_envelope_carries_retry_after() -> None:
    envelope = too_many_requests(3).to_envelope()
    assert envelope["parameters"] == {"retry_after": 3}
    assert envelope["error_code"] == 429


def test_envelope_copies_parameters() -> None:
    error = ApiError(400, "Bad Request: x", {"migrate_to_chat_id": -100})
    envelope = error.to_envelope()
    envelope["parameters"]["migrate_to_chat_id"] = 0
    assert error.parameters == {"migrate_to_chat_id": -100}


def test_api_error_is_raisable_and_comparable_by_fields() -> None:
    with pytest.raises(ApiError) as caught:
        raise forbidden("user is deactivated")
    assert caught.value.error_code == 403
    assert caught.value.parameters is None
    assert "403" in repr(caught.value)
