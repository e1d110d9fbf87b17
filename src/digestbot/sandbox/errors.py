"""Bot API failures as Telegram reports them: an error code, a description and optional parameters.

Every helper builds the exact text Telegram sends (see ``shared/telegram/FACTS.md``), so a client
such as python-telegram-bot raises the same exception with the same message it would in production.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ApiError",
    "bad_request",
    "conflict_getupdates",
    "conflict_webhook_active",
    "forbidden",
    "not_found_method",
    "too_many_requests",
    "unauthorized",
    "utf8_bytes",
]


class ApiError(Exception):
    """A failed Bot API call; ``error_code`` doubles as the HTTP status."""

    def __init__(
        self, error_code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def to_envelope(self) -> dict[str, Any]:
        """The JSON body Telegram answers with: ``ok`` false, code, description, parameters."""
        envelope: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters is not None:
            envelope["parameters"] = dict(self.parameters)
        return envelope

    def __repr__(self) -> str:
        return f"ApiError({self.error_code!r}, {self.description!r}, {self.parameters!r})"


def bad_request(text: str) -> ApiError:
    """400 ``Bad Request: <text>``."""
    return ApiError(400, f"Bad Request: {text}")


def utf8_bytes(text: str) -> bytes:
    """``text`` as UTF-8; a lone surrogate is 400 ``strings must be encoded in UTF-8``."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise bad_request("strings must be encoded in UTF-8") from None


def forbidden(text: str) -> ApiError:
    """403 ``Forbidden: <text>``, e.g. ``bot was blocked by the user``."""
    return ApiError(403, f"Forbidden: {text}")


def too_many_requests(retry_after: int) -> ApiError:
    """429 with ``parameters.retry_after``, which python-telegram-bot turns into ``RetryAfter``."""
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


def not_found_method() -> ApiError:
    """404 for a method name the server does not know."""
    return ApiError(404, "Not Found: method not found")


def unauthorized() -> ApiError:
    """401 for a token that is malformed or not the bot's."""
    return ApiError(401, "Unauthorized: invalid token specified")


def conflict_getupdates() -> ApiError:
    """409 when a second getUpdates overlaps a running one (or a webhook is set)."""
    return ApiError(
        409,
        "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running",
    )


def conflict_webhook_active() -> ApiError:
    """409 for getUpdates while a webhook is set."""
    return ApiError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first",
    )
