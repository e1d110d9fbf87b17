"""Parameter coercion and Telegram's content checks, with the exact texts Telegram answers."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digestbot.sandbox.entities import Entity
from digestbot.sandbox.errors import ApiError
from digestbot.sandbox.html import FormattedText, escape_html
from digestbot.sandbox.validate import (
    MAX_MESSAGE_CHARS,
    MAX_RAW_TEXT_BYTES,
    canonical_method,
    check_callback_answer_text,
    check_caption,
    check_commands,
    check_message_text,
    check_reply_markup,
    check_webhook_secret,
    coerce_params,
)


def bad(description: str) -> Any:
    """Expect a 400 with exactly ``Bad Request: <description>``."""
    return pytest.raises(ApiError, match="^" + re.escape("Bad Request: " + description) + "$")


def form(params: dict[str, Any]) -> dict[str, str]:
    """Encode like python-telegram-bot: strings as they are, everything else JSON-encoded."""
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}


KEYBOARD = {"inline_keyboard": [[{"text": "Next", "callback_data": "page:2"}]]}


# -- method names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "canonical"),
    [("sendMessage", "sendMessage"), ("SENDMESSAGE", "sendMessage"), ("getme", "getMe")],
)
def test_method_names_are_case_insensitive(name: str, canonical: str) -> None:
    assert canonical_method(name) == canonical


def test_unknown_method() -> None:
    assert canonical_method("sendTelepathy") is None
    with pytest.raises(ApiError, match=r"^Not Found: method not found$") as caught:
        coerce_params("sendTelepathy", {})
    assert caught.value.error_code == 404


# -- coercion ----------------------------------------------------------------------------------


def test_form_values_are_decoded_by_type() -> None:
    params = {
        "chat_id": 42,
        "text": "hi",
        "disable_notification": True,
        "reply_markup": KEYBOARD,
        "entities": [{"type": "bold", "offset": 0, "length": 2}],
        "not_a_parameter": "ignored",
    }
    expected = {k: v for k, v in params.items() if k != "not_a_parameter"}
    assert coerce_params("sendMessage", form(params)) == expected
    assert coerce_params("sendmessage", params) == expected


@given(
    chat_id=st.integers(-(10**15), 10**15),
    text=st.text(st.characters(exclude_categories=("Cs",)), min_size=1),
    silent=st.booleans(),
    limit=st.integers(1, 100),
)
def test_form_and_json_bodies_agree(chat_id: int, text: str, silent: bool, limit: int) -> None:
    params = {"chat_id": chat_id, "text": text, "disable_notification": silent}
    assert coerce_params("sendMessage", form(params)) == coerce_params("sendMessage", params)
    assert coerce_params("getUpdates", form({"limit": limit})) == {"limit": limit}


def test_chat_id_forms() -> None:
    assert coerce_params("getChat", {"chat_id": "-1001234"}) == {"chat_id": -1001234}
    assert coerce_params("getChat", {"chat_id": "@digest"}) == {"chat_id": "@digest"}
    with bad("chat not found"):
        coerce_params("getChat", {"chat_id": "digest"})


@pytest.mark.parametrize(
    ("method", "params", "description"),
    [
        ("sendMessage", {"text": "hi"}, "chat_id is empty"),
        ("sendMessage", {"chat_id": "", "text": "hi"}, "chat_id is empty"),
        ("sendMessage", {"chat_id": 1}, "message text is empty"),
        ("sendMessage", {"chat_id": 1, "text": ""}, "message text is empty"),
        ("getChat", {}, "chat_id is empty"),
        ("sendChatAction", {"chat_id": 1}, "wrong parameter action in request"),
        ("sendDocument", {"chat_id": 1}, "there is no document in the request"),
        (
            "answerCallbackQuery",
            {},
            "query is too old and response timeout expired or query ID is invalid",
        ),
        ("deleteMessage", {"chat_id": 1}, "message identifier is not specified"),
    ],
)
def test_missing_required_parameters(method: str, params: dict[str, Any], description: str) -> None:
    with bad(description):
        coerce_params(method, params)


def test_parameters_telegram_reads_as_empty() -> None:
    assert coerce_params("setMyCommands", {}) == {"commands": []}
    assert coerce_params("setWebhook", {}) == {"url": ""}


@pytest.mark.parametrize(
    ("method", "params", "description"),
    [
        ("sendMessage", {"reply_markup": "{"}, "can't parse reply keyboard markup JSON object"),
        ("sendMessage", {"reply_markup": "[]"}, "object expected as reply markup"),
        ("sendMessage", {"entities": "[{"}, "can't parse entities JSON object"),
        ("sendMessage", {"entities": "{}"}, "expected an Array of MessageEntity"),
        ("setMyCommands", {"commands": "["}, "can't parse commands JSON object"),
        ("setMyCommands", {"commands": "{}"}, "expected an Array of BotCommand"),
        ("setMyCommands", {"commands": "[1]"}, "can't parse BotCommand: expected an Object"),
        ("getMyCommands", {"scope": "[]"}, "can't parse BotCommandScope: expected an Object"),
        ("getUpdates", {"limit": "ten"}, 'field "limit" must be of type Integer'),
        ("getUpdates", {"offset": "1.5"}, 'field "offset" must be of type Integer'),
    ],
)
def test_malformed_values(method: str, params: dict[str, Any], description: str) -> None:
    base = {"chat_id": "1", "text": "hi"} if method == "sendMessage" else {}
    with bad(description):
        coerce_params(method, {**base, **params})


@pytest.mark.parametrize(("raw", "value"), [("true", True), ("True", True), ("1", True)])
def test_booleans_are_read_leniently(raw: str, value: bool) -> None:
    assert coerce_params("deleteWebhook", {"drop_pending_updates": raw}) == {
        "drop_pending_updates": value
    }
    assert coerce_params("deleteWebhook", {"drop_pending_updates": "no"}) == {
        "drop_pending_updates": False
    }


def test_uploaded_files_pass_through() -> None:
    upload = object()
    params = coerce_params("sendDocument", {"chat_id": "1", "document": upload})
    assert params["document"] is upload
    assert coerce_params("sendDocument", {"chat_id": 1, "document": "BQAC"})["document"] == "BQAC"


def test_invalid_utf8_is_rejected() -> None:
    with bad("strings must be encoded in UTF-8"):
        coerce_params("sendMessage", {"chat_id": 1, "text": "\udcff"})


def test_keyboards_and_commands_are_checked_while_coercing() -> None:
    with bad("BUTTON_DATA_INVALID"):
        coerce_params(
            "sendMessage",
            {
                "chat_id": 1,
                "text": "x",
                "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "x" * 65}]]},
            },
        )
    with bad("BOT_COMMAND_INVALID"):
        coerce_params("setMyCommands", {"commands": [{"command": "Start", "description": "go"}]})


# -- message text ------------------------------------------------------------------------------


def test_plain_text_and_html() -> None:
    assert check_message_text("a<b>", None, None) == FormattedText("a<b>")
    assert check_message_text("<b>hi</b>", "HTML", None) == FormattedText(
        "hi", (Entity("bold", 0, 2),)
    )
    assert check_message_text("<i>x</i>", "html", None).entities == (Entity("italic", 0, 1),)


@pytest.mark.parametrize(
    ("text", "mode", "description"),
    [
        (None, None, "message text is empty"),
        ("", "HTML", "message text is empty"),
        ("<b></b>", "HTML", "text must be non-empty"),
        (" \n ", None, "text must be non-empty"),
        ("<foo>", "HTML", 'can\'t parse entities: Unsupported start tag "foo" at byte offset 0'),
        ("x", "Klingon", "unsupported parse_mode"),
        ("*x*", "MarkdownV2", "parse_mode MarkdownV2 is not supported by the sandbox; use HTML"),
        ("*x*", "Markdown", "parse_mode Markdown is not supported by the sandbox; use HTML"),
    ],
)
def test_message_text_errors(text: str | None, mode: str | None, description: str) -> None:
    with bad(description):
        check_message_text(text, mode, None)


def test_length_limit_counts_code_points_at_the_boundary() -> None:
    assert len(check_message_text("a" * MAX_MESSAGE_CHARS, None, None).text) == 4096
    assert check_message_text("😀" * MAX_MESSAGE_CHARS, None, None).text == "😀" * 4096
    with bad("message is too long"):
        check_message_text("a" * (MAX_MESSAGE_CHARS + 1), None, None)
    with bad("message is too long"):
        check_message_text("中" * (MAX_MESSAGE_CHARS + 1), None, None)


def test_length_limit_applies_after_parsing() -> None:
    html = "<b>" + "a" * MAX_MESSAGE_CHARS + "</b>"
    assert len(check_message_text(html, "HTML", None).text) == 4096
    with bad("message is too long"):
        check_message_text("&lt;" * (MAX_MESSAGE_CHARS + 1), "HTML", None)


def test_raw_size_limit_in_bytes_before_parsing() -> None:
    padding = "<i></i>" * 4000
    source = padding + "x" * (MAX_RAW_TEXT_BYTES - len(padding))
    assert len(source.encode()) == MAX_RAW_TEXT_BYTES
    with bad("message is too long"):
        check_message_text(source, "HTML", None)  # passes the raw check, fails after parsing
    assert check_message_text(padding + "<b>ok</b>", "HTML", None).text == "ok"
    with bad("text is too long"):
        check_message_text(source + "x", "HTML", None)
    with bad("text is too long"):
        check_message_text("中" * (MAX_RAW_TEXT_BYTES // 3 + 1), None, None)


def test_explicit_entities_are_used_and_clipped() -> None:
    entities = [
        {"type": "bold", "offset": 0, "length": 2},
        {"type": "italic", "offset": 1, "length": 10},
        {"type": "underline", "offset": 5, "length": 1},
    ]
    assert check_message_text("hey", None, entities).entities == (
        Entity("bold", 0, 2),
        Entity("italic", 1, 2),
    )
    with bad("can't parse MessageEntity: expected an Object"):
        check_message_text("hey", None, ["bold"])
    with bad("can't parse MessageEntity: Can't find field \"length\""):
        check_message_text("hey", None, [{"type": "bold", "offset": 0}])
    with bad("can't parse MessageEntity: Unsupported type specified"):
        check_message_text("hey", None, [{"type": "blink", "offset": 0, "length": 1}])
    with bad("can't parse MessageEntity: Can't find field \"url\""):
        check_message_text("hey", None, [{"type": "text_link", "offset": 0, "length": 1}])


@given(st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=50))
def test_escaped_text_survives_the_checks_trimmed(text: str) -> None:
    expected = text.rstrip().lstrip(" \n")
    if expected:
        assert check_message_text(escape_html(text), "HTML", None) == FormattedText(expected)
    else:
        with bad("text must be non-empty"):
            check_message_text(escape_html(text), "HTML", None)


def test_text_is_trimmed_like_telegram() -> None:
    assert check_message_text("\n  hi  \n\t", None, None) == FormattedText("hi")
    # Leading blanks stay when an entity starts inside them; entities are cut at the end.
    assert check_message_text(" <b> x </b> ", "HTML", None) == FormattedText(
        " x", (Entity("bold", 0, 2),)
    )
    assert check_message_text("\n<i>a</i>\n<b>\n</b>", "HTML", None) == FormattedText(
        "a", (Entity("italic", 0, 1),)
    )
    assert check_message_text("\t x", None, None).text == "\t x"


def test_caption_limits() -> None:
    assert check_caption(None, None, None) == FormattedText("")
    assert len(check_caption("c" * 1024, None, None).text) == 1024
    with bad("message caption is too long"):
        check_caption("<b>" + "c" * 1025 + "</b>", "HTML", None)


# -- keyboards ---------------------------------------------------------------------------------


def button(**fields: Any) -> dict[str, Any]:
    return {"text": "b", **fields}


def test_valid_keyboards_are_kept() -> None:
    assert check_reply_markup(KEYBOARD) == KEYBOARD
    url_button = {"inline_keyboard": [[button(url="https://example.com")]]}
    assert check_reply_markup(url_button) == url_button
    for other in (
        {"keyboard": [[{"text": "a"}]]},
        {"remove_keyboard": True},
        {"force_reply": True},
    ):
        assert check_reply_markup(other) == other


@pytest.mark.parametrize(
    ("data", "ok"),
    [
        ("x", True),
        ("x" * 64, True),
        ("中" * 21, True),
        ("", False),
        ("x" * 65, False),
        ("中" * 22, False),
    ],
)
def test_callback_data_is_1_to_64_bytes(data: str, ok: bool) -> None:
    markup = {"inline_keyboard": [[button(callback_data=data)]]}
    if ok:
        assert check_reply_markup(markup) == markup
    else:
        with bad("BUTTON_DATA_INVALID"):
            check_reply_markup(markup)


@pytest.mark.parametrize(
    ("markup", "description"),
    [
        ([], "object expected as reply markup"),
        (
            {"inline_keyboard": {}},
            'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array',
        ),
        (
            {"inline_keyboard": [{}]},
            'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays',
        ),
        (
            {"inline_keyboard": [["b"]]},
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object",
        ),
        (
            {"inline_keyboard": [[{"callback_data": "x"}]]},
            "can't parse inline keyboard button: Can't find field \"text\"",
        ),
        ({"inline_keyboard": [[button()]]}, "text buttons are unallowed in the inline keyboard"),
        ({"inline_keyboard": [[button(url="not a link")]]}, "BUTTON_URL_INVALID"),
        (
            {"inline_keyboard": [[button(url="https://e.com", callback_data="x")]]},
            "can't parse inline keyboard button: only one of url, callback_data may be used",
        ),
        ({"inline_keyboard": [[{"text": "", "callback_data": "x"}]]}, "BUTTON_TEXT_EMPTY"),
    ],
)
def test_malformed_keyboards(markup: Any, description: str) -> None:
    with bad(description):
        check_reply_markup(markup)


def test_keyboard_keeps_12_a_row_and_300_in_all() -> None:
    row = [button(callback_data=str(i)) for i in range(13)]
    assert check_reply_markup({"inline_keyboard": [row]})["inline_keyboard"] == [row[:12]]
    rows = [[button(callback_data=f"{r}-{c}") for c in range(10)] for r in range(31)]
    kept = check_reply_markup({"inline_keyboard": rows})["inline_keyboard"]
    assert sum(len(r) for r in kept) == 300
    assert kept == rows[:30]


# -- commands, callback answers, webhook secrets -----------------------------------------------


def test_commands_are_trimmed_like_telegram() -> None:
    assert check_commands([{"command": " /start ", "description": " Begin "}]) == [
        {"command": "start", "description": "Begin"}
    ]
    assert check_commands([]) == []


@pytest.mark.parametrize(
    ("command", "description", "error"),
    [
        ("a" * 32, "d" * 256, None),
        ("", "d", "command must be non-empty"),
        ("/", "d", "command must be non-empty"),
        ("a" * 33, "d", "command length must not exceed 32"),
        ("a", " ", "command description must be non-empty"),
        ("a", "d" * 257, "command description length must not exceed 256"),
        ("Start", "d", "BOT_COMMAND_INVALID"),
        ("go-on", "d", "BOT_COMMAND_INVALID"),
        ("帮助", "d", "BOT_COMMAND_INVALID"),
    ],
)
def test_command_rules(command: str, description: str, error: str | None) -> None:
    commands = [{"command": command, "description": description}]
    if error is None:
        assert check_commands(commands) == commands
    else:
        with bad(error):
            check_commands(commands)


def test_command_list_shape_and_count() -> None:
    many = [{"command": f"c{i}", "description": "d"} for i in range(100)]
    assert len(check_commands(many)) == 100
    with bad("BOT_COMMANDS_TOO_MUCH"):
        check_commands([*many, {"command": "x", "description": "d"}])
    with bad("expected an Array of BotCommand"):
        check_commands({"command": "x"})
    with bad("can't parse BotCommand: Can't find field \"description\""):
        check_commands([{"command": "x"}])
    with bad('can\'t parse BotCommand: Field "command" must be of type String'):
        check_commands([{"command": 1, "description": "d"}])


def test_callback_answer_text_up_to_200_characters() -> None:
    assert check_callback_answer_text(None) == ""
    assert check_callback_answer_text("好" * 200) == "好" * 200
    with bad("MESSAGE_TOO_LONG"):
        check_callback_answer_text("x" * 201)


@pytest.mark.parametrize(
    ("token", "error"),
    [
        ("Abc_-09", None),
        ("s" * 256, None),
        ("s" * 257, "secret token is too long"),
        ("a b", "secret token contains unallowed characters"),
        ("ключ", "secret token contains unallowed characters"),
    ],
)
def test_webhook_secret(token: str, error: str | None) -> None:
    if error is None:
        assert check_webhook_secret(token) == token
    else:
        with bad(error):
            check_webhook_secret(token)
    assert check_webhook_secret(None) is None
    assert check_webhook_secret("") is None


_BUTTONS = st.builds(
    lambda text, data: {"text": text, "callback_data": data},
    st.text(min_size=1, max_size=5),
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=16),
)


@given(st.lists(st.lists(_BUTTONS, max_size=15), max_size=30))
def test_keyboard_check_keeps_limits_and_is_idempotent(rows: list[list[dict[str, Any]]]) -> None:
    checked = check_reply_markup({"inline_keyboard": rows})
    kept = checked["inline_keyboard"]
    assert all(0 < len(row) <= 12 for row in kept)
    assert sum(len(row) for row in kept) <= 300
    assert check_reply_markup(checked) == checked


@given(
    st.lists(
        st.builds(
            lambda c, d: {"command": c, "description": d},
            st.from_regex(r"[ /]?[a-z0-9_]{1,32} ?", fullmatch=True),
            st.text(st.characters(exclude_categories=("Cs",)), max_size=10).map(lambda s: s + "d"),
        ),
        max_size=100,
    )
)
def test_commands_check_is_idempotent(commands: list[dict[str, str]]) -> None:
    checked = check_commands(commands)
    assert check_commands(checked) == checked
    assert all(len(c["command"]) <= 32 for c in checked)
