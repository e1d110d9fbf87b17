"""Commands read out of message text: for this bot, another bot, or no command at all."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from digestbot.bot.commands import command_for, parse_command


def test_commands_for_this_bot_and_others() -> None:
    assert command_for("/Tags@DigestBot extra", "digestbot") == "tags"
    assert command_for("/tags", "digestbot") == "tags"
    assert command_for("/tags@otherbot", "digestbot") is None
    assert parse_command("/tags@OtherBot x") == ("tags", "otherbot")
    assert parse_command("/cancel") == ("cancel", "")
    for text in ("hello /tags", "/", "", "   "):
        assert parse_command(text) is None, text


@given(st.text(), st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1))
def test_a_command_name_is_one_lower_case_word(text: str, bot: str) -> None:
    name = command_for(text, bot)
    if name is not None:
        assert name == name.lower()
        assert not any(ch.isspace() for ch in name)
        assert "@" not in name
        assert text.lstrip().startswith("/")
