"""Entities as JSON, UTF-16 lengths, and the bot_command entities Telegram finds in user text."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digestbot.sandbox.entities import Entity, command_entities, message_entities, utf16_len


def utf16_slice(text: str, offset: int, length: int) -> str:
    raw = text.encode("utf-16-le")
    return raw[2 * offset : 2 * (offset + length)].decode("utf-16-le")


@pytest.mark.parametrize(
    ("text", "units"), [("", 0), ("abc", 3), ("中文", 2), ("😀", 2), ("👍🏽", 4), ("é", 1)]
)
def test_utf16_len(text: str, units: int) -> None:
    assert utf16_len(text) == units


def test_to_dict_has_only_set_keys() -> None:
    assert Entity("bold", 1, 2).to_dict() == {"type": "bold", "offset": 1, "length": 2}
    assert Entity("pre", 0, 3, language="py").to_dict() == {
        "type": "pre",
        "offset": 0,
        "length": 3,
        "language": "py",
    }


def test_from_dict_round_trip_and_rejects_bad_fields() -> None:
    entity = Entity("text_link", 0, 4, url="https://e.com/")
    assert Entity.from_dict(entity.to_dict()) == entity
    with pytest.raises(KeyError):
        Entity.from_dict({"type": "bold", "offset": 0})
    with pytest.raises(TypeError):
        Entity.from_dict({"type": "bold", "offset": "0", "length": 1})


def commands(text: str) -> list[str]:
    return [utf16_slice(text, e.offset, e.length) for e in command_entities(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("/start", ["/start"]),
        ("/start@digest_bot hello", ["/start@digest_bot"]),
        ("hi /help and /lang zh", ["/help", "/lang"]),
        ("😀 /help", ["/help"]),
        ("中文/help", []),
        ("中文 /help", ["/help"]),
        ("(/start)", ["/start"]),
        ("/start.", ["/start"]),
        ("/start_now", ["/start_now"]),
        ("a/b", []),
        ("/a/b", []),
        ("//x", []),
        ("</x>", []),
        ("/", []),
        ("/ start", []),
        ("/帮助", []),
        ("/startÉ", []),
        ("/cmd@ab", []),
        ("/cmd@" + "b" * 33, []),
        ("/" + "a" * 64, ["/" + "a" * 64]),
        ("/" + "a" * 65, []),
    ],
)
def test_command_entities(text: str, found: list[str]) -> None:
    assert commands(text) == found


def test_command_offsets_in_utf16_units() -> None:
    assert command_entities("😀中 /go") == (Entity("bot_command", 4, 3),)


@given(st.text(alphabet=st.sampled_from("/ab_@1 😀中.\n"), max_size=30))
def test_every_found_command_looks_like_one(text: str) -> None:
    for entity in command_entities(text):
        assert entity.type == "bot_command"
        body = utf16_slice(text, entity.offset, entity.length)
        assert re.fullmatch(r"/[A-Za-z0-9_]{1,64}(@[A-Za-z0-9_]{3,32})?", body)


def detected(text: str) -> list[tuple[str, str]]:
    return [(e.type, utf16_slice(text, e.offset, e.length)) for e in message_entities(text)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("hi @digest_bot", [("mention", "@digest_bot")]),
        ("@abc @abcd", [("mention", "@abcd")]),
        ("@gif @PIC", [("mention", "@gif"), ("mention", "@PIC")]),
        ("mail a@b.com", []),
        ("@" + "u" * 33, []),
        ("😀@user_name", [("mention", "@user_name")]),
        ("#news #中文 #123 #a#b x#y", [("hashtag", "#news"), ("hashtag", "#中文")]),
        ("#" + "t" * 300, [("hashtag", "#" + "t" * 256)]),
        (
            "/start@digest_bot #go @someone",
            [("bot_command", "/start@digest_bot"), ("hashtag", "#go"), ("mention", "@someone")],
        ),
    ],
)
def test_message_entities(text: str, found: list[tuple[str, str]]) -> None:
    assert detected(text) == found


@given(st.text(alphabet=st.sampled_from("/#@ab_1 😀中.\n"), max_size=30))
def test_detected_entities_are_sorted_and_disjoint(text: str) -> None:
    entities = message_entities(text)
    for before, after in itertools.pairwise(entities):
        assert before.offset + before.length <= after.offset
