"""The sandbox's method table agrees with the machine-readable Bot API specification, when present.

The specification lives outside the project (``../shared/telegram/bot-api-spec.json``, or the
path in ``DIGESTBOT_BOT_API_SPEC``); without it these tests skip.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from digestbot.sandbox.validate import METHODS, MethodSpec

DEFAULT_SPEC = Path(__file__).resolve().parents[2].parent / "shared/telegram/bot-api-spec.json"


def spec_path() -> Path:
    override = os.environ.get("DIGESTBOT_BOT_API_SPEC")
    return Path(override) if override else DEFAULT_SPEC


@pytest.fixture(scope="module")
def spec_methods() -> dict[str, Any]:
    path = spec_path()
    if not path.is_file():
        pytest.skip(f"Bot API specification not found at {path} (set DIGESTBOT_BOT_API_SPEC)")
    methods: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["methods"]
    return methods


def spec_fields(spec_methods: dict[str, Any], method: str) -> dict[str, Any]:
    assert method in spec_methods, f"{method} is not a Bot API method"
    return {field["name"]: field for field in spec_methods[method].get("fields", [])}


@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_table_parameter_matches_the_spec(method: str, spec_methods: dict[str, Any]) -> None:
    fields = spec_fields(spec_methods, method)
    for param in METHODS[method].params:
        assert param.name in fields, f"{method}.{param.name} is not in the spec"
        field = fields[param.name]
        assert param.required == field["required"], f"{method}.{param.name} required flag"
        assert set(param.types) == set(field["types"]), f"{method}.{param.name} types"


@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_required_spec_parameter_is_in_the_table(
    method: str, spec_methods: dict[str, Any]
) -> None:
    spec: MethodSpec = METHODS[method]
    required = {name for name, f in spec_fields(spec_methods, method).items() if f["required"]}
    assert required <= {p.name for p in spec.params}


def test_the_served_methods_are_all_listed() -> None:
    served = {
        "getMe", "getUpdates", "deleteWebhook", "setWebhook", "getWebhookInfo", "setMyCommands",
        "getMyCommands", "deleteMyCommands", "sendMessage", "editMessageText",
        "editMessageReplyMarkup", "deleteMessage", "answerCallbackQuery", "answerInlineQuery",
        "sendChatAction", "setChatMenuButton", "getChat", "getChatAdministrators", "sendDocument",
        "close", "logOut",
    }  # fmt: skip
    assert set(METHODS) == served


def test_spec_path_honours_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGESTBOT_BOT_API_SPEC", "/elsewhere/spec.json")
    assert spec_path() == Path("/elsewhere/spec.json")
    monkeypatch.delenv("DIGESTBOT_BOT_API_SPEC")
    assert spec_path() == DEFAULT_SPEC
