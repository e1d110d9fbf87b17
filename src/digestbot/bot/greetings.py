"""Telling a greeting from a search (pure): "你好" or "hello" gets an answer, not "no results"."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["GREETINGS", "is_greeting"]

GREETINGS = frozenset(
    {
        "你好", "您好", "你们好", "大家好", "嗨", "哈喽", "哈啰", "哈罗", "喂", "在吗", "在么",
        "早", "早上好", "早安", "上午好", "中午好", "下午好", "晚上好", "晚安",
        "你好啊", "你好呀", "您好啊", "嗨嗨", "嗨喽",
        "hello", "hi", "hey", "hiya", "howdy", "yo", "greetings", "good morning",
        "good afternoon", "good evening", "hello there", "hi there", "hey there",
    }
)  # fmt: skip
_TRIM = re.compile(r"[\s!！.。,，~～?？…:：)）(（👋🙂😊]+")
_REPEATS = re.compile(r"(\w)\1{2,}")  # "hiii", "hellooo"


def is_greeting(text: str) -> bool:
    """Whether ``text`` is only a greeting (any case, punctuation and a name-free "bot" aside)."""
    value = unicodedata.normalize("NFKC", text).casefold()
    value = _TRIM.sub(" ", value).strip()
    value = value.removesuffix(" bot").removesuffix("机器人").strip()
    if len(value) > 40:
        return False
    return value in GREETINGS or _REPEATS.sub(r"\1", value) in GREETINGS
