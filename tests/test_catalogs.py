"""The message catalogs: up to date with the source, fully translated to Simplified and Traditional
Chinese, placeholders and Telegram HTML intact."""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import opencc
import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords
from babel.messages.pofile import read_po

from digestbot import messages
from digestbot.chinese_script import Script
from digestbot.i18n import DOMAIN, LOCALES_DIR, Plural, catalog_dir
from digestbot.model import Lang

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "digestbot"
TELEGRAM_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre"}
    | {"blockquote", "tg-spoiler"}
)
_ENTITY = re.compile(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)")

MessageId = tuple[str | None, str | tuple[str, ...]]  # (context, id or (singular, plural))


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as fp:
        return read_po(fp, domain=DOMAIN)


def template() -> Catalog:
    return read_catalog(LOCALES_DIR / "messages.pot")


CATALOGS = {
    "zh_Hans": (Lang.ZH, Script.HANS),
    "zh_Hant": (Lang.ZH, Script.HANT_TW),
    "en": (Lang.EN, Script.HANS),
}
CHINESE = ("zh_Hans", "zh_Hant")


def translations(name: str) -> Catalog:
    lang, script = CATALOGS[name]
    return read_catalog(catalog_dir(lang, script=script) / f"{DOMAIN}.po")


def entries(catalog: Catalog) -> Iterator[Message]:
    """The catalog's messages without the header entry."""
    return (message for message in catalog if message.id)


def message_key(message: Message) -> MessageId:
    ids = all_ids(message)
    return (message.context, tuple(ids) if len(ids) > 1 else ids[0])


def extract_source() -> set[MessageId]:
    """Re-extract the package's messages in memory with the mapping in pyproject.toml."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    found: set[MessageId] = set()
    for mapping in config["tool"]["babel"]["mappings"]:
        keywords = {**DEFAULT_KEYWORDS, **parse_keywords(mapping["keywords"].split())}
        method_map = [(mapping["pattern"], mapping["method"])]
        for _file, _line, message, _comments, context in extract_from_dir(
            str(PACKAGE), method_map=method_map, keywords=keywords
        ):
            found.add((context, tuple(message) if isinstance(message, tuple) else message))
    return found


def fields(text: str) -> set[str]:
    """The ``str.format`` fields of ``text``; fails on positional or malformed ones."""
    names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    assert all(name.isidentifier() for name in names), f"positional or odd field in {text!r}"
    return names


class _TelegramHtml(HTMLParser):
    """Collects the problems Telegram's HTML parse mode would reject, and the tags used."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TELEGRAM_TAGS:
            self.problems.append(f"<{tag}> is not Telegram HTML")
        names = [name for name, _ in attrs]
        if names and names != (["href"] if tag == "a" else []):
            self.problems.append(f"<{tag}> has attributes {names}")
        self.stack.append(tag)
        self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data or ">" in data:
            self.problems.append(f"unescaped < or > in {data!r}")


def html_problems(text: str) -> tuple[list[str], list[str]]:
    """Telegram HTML problems in ``text`` and its tags in order."""
    parser = _TelegramHtml()
    parser.feed(text)
    parser.close()
    problems = parser.problems + [f"<{tag}> is never closed" for tag in parser.stack]
    if _ENTITY.search(text):
        problems.append("a bare & (write &amp;)")
    return problems, parser.tags


def all_ids(message: Message) -> list[str]:
    """The message id, or its singular and plural ids."""
    return [str(i) for i in message.id] if isinstance(message.id, tuple) else [str(message.id)]


def forms(message: Message) -> list[tuple[str, str]]:
    """(translated form, the id it translates) pairs; the last form stands for the plural id."""
    ids = all_ids(message)
    if len(ids) == 1:
        return [(str(message.string or ""), ids[0])]
    strings = [str(s) for s in message.string or ()]
    return [(s, ids[0] if i == 0 and len(strings) > 1 else ids[1]) for i, s in enumerate(strings)]


def test_template_matches_the_source() -> None:
    in_template = {message_key(m) for m in entries(template())}
    in_source = extract_source()
    assert sorted(map(str, in_source - in_template)) == [], (
        "messages missing from messages.pot: run the extract/update commands in locales/README.md"
    )
    assert sorted(map(str, in_template - in_source)) == [], "obsolete messages in messages.pot"


@pytest.mark.parametrize("name", CATALOGS)
def test_catalog_has_every_template_message(name: str) -> None:
    catalog = translations(name)
    in_catalog = {message_key(m) for m in entries(catalog)}
    missing = {message_key(m) for m in entries(template())} - in_catalog
    assert sorted(map(str, missing)) == [], f"run pybabel update for {name}"


def test_every_messages_constant_is_in_the_template() -> None:
    ids = {m.id[0] if isinstance(m.id, tuple) else m.id for m in entries(template())}
    constants: list[str] = []
    for name, value in vars(messages).items():
        if name.isupper() and isinstance(value, Plural):
            constants.append(value.singular)
        elif name.isupper() and isinstance(value, str):
            constants.append(value)
    constants += [description for _, description in messages.COMMANDS]
    assert [c for c in constants if c not in ids] == [], "mark these with N_()/NP_()"


@pytest.mark.parametrize("name", CHINESE)
def test_every_message_has_a_chinese_translation(name: str) -> None:
    catalog = translations(name)
    assert catalog.num_plurals == 1
    untranslated = [m.id for m in entries(catalog) if not m.string or not all(m.string)]
    assert untranslated == []


def chinese_texts(name: str) -> Iterator[str]:
    for message in entries(translations(name)):
        for text, _ in forms(message):
            yield text


_HAN = "\u3400-\u9fff"
_STRAY_SPACE = re.compile(f"[{_HAN}，。：；！？（）「」“”、] +[{_HAN}，。：；！？（）「」“”、]")
_HALF_WIDTH_PUNCTUATION = re.compile(f"[{_HAN}][,.:;!?]|[,:;!?][{_HAN}]")


@pytest.mark.parametrize("name", CHINESE)
def test_chinese_has_no_stray_spaces_and_full_width_punctuation(name: str) -> None:
    texts = list(chinese_texts(name))
    assert [t for t in texts if _STRAY_SPACE.search(t)] == []
    assert [t for t in texts if _HALF_WIDTH_PUNCTUATION.search(t)] == []


def test_traditional_catalog_is_traditional_in_taiwan_usage() -> None:
    """OpenCC's Simplified-to-Taiwan conversion (characters, variants and Taiwan words such as
    軟體 for 软件) leaves every zh_Hant translation as it is."""
    to_taiwan = opencc.OpenCC("s2twp")
    texts = list(chinese_texts("zh_Hant"))
    assert [(t, to_taiwan.convert(t)) for t in texts if to_taiwan.convert(t) != t] == []


@pytest.mark.parametrize("name", CATALOGS)
def test_no_translation_is_fuzzy(name: str) -> None:
    catalog = translations(name)
    assert not catalog.fuzzy, "the catalog header is marked fuzzy"
    assert [m.id for m in entries(catalog) if m.fuzzy] == []


@pytest.mark.parametrize("name", CATALOGS)
def test_translations_keep_their_placeholders(name: str) -> None:
    wrong = []
    for message in entries(translations(name)):
        for text, source in forms(message):
            if text and fields(text) != fields(source):
                wrong.append((source, text))
    assert wrong == []


def test_message_ids_are_valid_telegram_html() -> None:
    wrong = [(m.id, html_problems(text)[0]) for m in entries(template()) for text in all_ids(m)]
    assert [(i, p) for i, p in wrong if p] == []


@pytest.mark.parametrize("name", CATALOGS)
def test_translations_are_valid_telegram_html_with_the_same_tags(name: str) -> None:
    wrong = []
    for message in entries(translations(name)):
        for text, source in forms(message):
            if not text:
                continue
            problems, tags = html_problems(text)
            if sorted(tags) != sorted(html_problems(source)[1]):
                problems.append(f"tags {tags} differ from the id's")
            if problems:
                wrong.append((text, problems))
    assert wrong == []


_HAN = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
_COMMAND = re.compile(r"(?:^|[^<])/[a-z]")


def stray_spaces(text: str) -> list[str]:
    """Spaces between Chinese and a placeholder, digit, Latin word or bold text in ``text``;
    a space beside a command (``/help``, ``/read 编号``) or a ``<code>`` span is needed."""
    found = []
    for i, char in enumerate(text):
        if char != " ":
            continue
        left, right = text[:i].split(" ")[-1], text[i + 1 :].split(" ")[0]
        chinese = [bool(side) and bool(_HAN.match(side)) for side in (left[-1:], right[:1])]
        command = _COMMAND.search(left) or right.startswith("/")
        if chinese[0] == chinese[1] or command or "code>" in left:
            continue
        if right.startswith(("<code>", "—")) or left.endswith("—"):
            continue
        found.append(f"{left} {right}")
    return found


@pytest.mark.parametrize("name", CHINESE)
def test_chinese_has_no_stray_spaces(name: str) -> None:
    stray = [
        (text, spaces)
        for message in entries(translations(name))
        for text, _ in forms(message)
        if (spaces := stray_spaces(text))
    ]
    assert stray == []
    assert stray_spaces("<b>{query}</b> 的搜索结果：共 {n} 篇") == [
        "<b>{query}</b> 的搜索结果：共",
        "的搜索结果：共 {n}",
        "{n} 篇",
    ]
    assert stray_spaces("发送 /help 看看，或 <code>/read 42</code> 吧") == []


@pytest.mark.parametrize("name", CATALOGS)
def test_command_descriptions_fit_set_my_commands(name: str) -> None:
    catalog = translations(name)
    for command, description in messages.COMMANDS:
        assert re.fullmatch(r"[a-z0-9_]{1,32}", command)
        translated = catalog[description]
        text = str(translated.string) if translated and translated.string else description
        assert 1 <= len(text) <= 256
        assert html_problems(text) == ([], []), f"/{command}: descriptions are plain text"


def test_the_html_checker_catches_broken_markup() -> None:
    assert html_problems("<b>ok</b> <a href='x'>y</a> &amp; &lt;") == ([], ["b", "a"])
    assert html_problems("<b><i>crossed</b></i>")[0]
    assert html_problems("<div>x</div>")[0]
    assert html_problems("<b>open")[0]
    assert html_problems("a & b")[0]
    assert html_problems('<code class="x">y</code>')[0]
