"""The emulator's chats kept in a file: what is saved comes back, transcripts and all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digestbot.sandbox.driver import Driver
from digestbot.sandbox.emulator import Emulator
from digestbot.sandbox.saved import SavedChats, SavedChatsError, restore_chats, snapshot_chats
from digestbot.sandbox.state import DocumentRecord, SandboxState

BOT = {"id": 42, "is_bot": True, "first_name": "Bot", "username": "a_bot"}
names = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20)
texts = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60)


def a_world(users: list[tuple[str, str | None]], lines: list[tuple[int, str]]) -> SandboxState:
    """Users (with their private chats), a group, messages from users and a bot document."""
    state = SandboxState(bot_user=dict(BOT))
    driver = Driver(state)
    for number, (name, language) in enumerate(users, start=1):
        driver.create_user(number, name, None, language)
    driver.create_group(-100, "群 group", owner=1, admins=[1])
    for who, text in lines:
        driver.send_text(who % len(users) + 1, text)
    driver.block(1)
    document = DocumentRecord("f1", "u1", "a.txt", "text/plain", b"\x00\xffbytes")
    state.documents[document.file_id] = document
    message = state.add_message(state.chats[1], dict(BOT), from_bot=True)
    message.document, message.text = document, "caption"
    return state


@given(
    st.lists(st.tuples(names, st.sampled_from([None, "zh-hans", "en"])), min_size=1, max_size=4),
    st.lists(st.tuples(st.integers(0, 10), texts), max_size=8),
)
def test_a_snapshot_survives_json_and_comes_back_whole(
    users: list[tuple[str, str | None]], lines: list[tuple[int, str]]
) -> None:
    state = a_world(users, lines)
    saved = json.loads(json.dumps(snapshot_chats(state)))
    restored = SandboxState(bot_user=dict(BOT))
    restore_chats(restored, saved)
    assert snapshot_chats(restored) == snapshot_chats(state)
    driver, again = Driver(state), Driver(restored)
    for chat_id in state.chats:
        assert again.transcript(chat_id) == driver.transcript(chat_id)
    assert restored.documents["f1"].content == b"\x00\xffbytes"
    fresh = restored.add_message(restored.chats[1], dict(BOT), from_bot=True)
    assert fresh.message_id == max(state.messages[1]) + 1  # ids go on where they stopped


def test_another_bots_chats_are_refused() -> None:
    saved = snapshot_chats(a_world([("Ann", "en")], []))
    with pytest.raises(SavedChatsError, match="another bot"):
        restore_chats(SandboxState(bot_user={**BOT, "id": 43}), saved)


def test_a_broken_file_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "chats.json"
    path.write_text('{"format": 1, "bot_id": 42, "users": [{"id": "x"}]}', encoding="utf-8")
    with pytest.raises(SavedChatsError, match="delete the file"):
        SavedChats(SandboxState(bot_user=dict(BOT)), path).load()


async def test_an_emulator_with_a_chats_file_shows_its_chats_after_a_restart(
    tmp_path: Path,
) -> None:
    path = tmp_path / "chats.json"
    async with Emulator(chats_file=path) as first:
        first.driver.create_user(7, "Wei", None, "zh-hans")
        first.driver.send_text(7, "你好")
        before = first.driver.transcript(7)
    async with Emulator(chats_file=path) as second:
        assert second.driver.transcript(7) == before
        assert second.state.users[7].first_name == "Wei"


async def test_an_emulator_that_saw_nothing_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "chats.json"
    async with Emulator(chats_file=path):
        pass
    assert not path.exists()
