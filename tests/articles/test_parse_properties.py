"""Property tests for the article parser: generated articles round-trip, bad input fails cleanly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digestbot.articles.fields import MAX_TAG_CHARS, parse_tags
from digestbot.articles.parse import parse_article
from digestbot.articles.summary import SUMMARY_LIMITS, cut_summary, lead
from digestbot.errors import ArticleError
from digestbot.model import Article, Lang

HANZI = (
    "阿里巴巴集团中国电子商务巨头正在利用云计算基础设施投资本国蓬勃发展的生成式人工智能初創企業傳統"
)
LATIN = "abcdefghijklmnopqrstuvwxyz"
LABELS = ("原文链接", "原文連結", "Source Link", "Source", "来源", "原文", "source link")
MTIME = datetime(2025, 1, 2, tzinfo=UTC)

zh_words = st.text(alphabet=HANZI, min_size=1, max_size=6)
en_words = st.text(alphabet=LATIN, min_size=1, max_size=9)


def sentences(words: st.SearchStrategy[str], sep: str, end: str) -> st.SearchStrategy[str]:
    """Sentences of 1-12 words joined by ``sep`` and closed by ``end``."""
    return st.lists(words, min_size=1, max_size=12).map(lambda ws: sep.join(ws) + end)


PROSE = {
    Lang.ZH: st.lists(sentences(zh_words, "，", "。"), min_size=1, max_size=8).map("".join),
    Lang.EN: st.lists(sentences(en_words, " ", "."), min_size=1, max_size=8).map(" ".join),
}
TITLES = {
    Lang.ZH: st.lists(zh_words, min_size=1, max_size=4).map(" ".join),
    Lang.EN: st.lists(en_words, min_size=1, max_size=6).map(lambda ws: " ".join(ws).title()),
}


@dataclass(frozen=True)
class Section:
    """One generated language section."""

    lang: Lang
    title: str
    paragraphs: list[str]
    term: str
    divided: bool  # a `---` divider between two paragraphs of the same language


@st.composite
def paragraph(draw: st.DrawFn, lang: Lang) -> str:
    """Prose, sometimes as a list, with a link or inline code."""
    text = draw(PROSE[lang])
    shape = draw(st.sampled_from(["plain", "list", "link", "code"]))
    if shape == "list":
        return "\n".join(
            f"- {item}" for item in draw(st.lists(PROSE[lang], min_size=1, max_size=3))
        )
    if shape == "link":
        return f"[{draw(TITLES[lang])}](https://example.org/x) {text}"
    if shape == "code":
        return f"{text} `{draw(en_words)}`"
    return text


@st.composite
def section(draw: st.DrawFn, lang: Lang) -> Section:
    paragraphs = draw(st.lists(paragraph(lang), min_size=1, max_size=4))
    term = draw(zh_words if lang is Lang.ZH else en_words)
    return Section(lang, draw(TITLES[lang]), paragraphs, term, draw(st.booleans()))


def render(part: Section) -> str:
    """A section as the Markdown a writer would produce."""
    paragraphs = [f"**{part.term}** {part.paragraphs[0]}", *part.paragraphs[1:]]
    if part.divided and len(paragraphs) > 1:
        paragraphs.insert(1, "---")
    return f"# {part.title}\n\n" + "\n\n".join(paragraphs)


timezones = st.builds(timezone, st.integers(-14 * 60, 14 * 60).map(lambda m: timedelta(minutes=m)))
dates = st.datetimes(
    datetime(1900, 1, 1), datetime(2100, 1, 1), timezones=st.one_of(st.none(), timezones)
)
tags = st.lists(st.text(alphabet=LATIN + "ABC -中文", max_size=8), max_size=6)


@st.composite
def article_file(draw: st.DrawFn) -> tuple[str, list[Section], list[str], datetime, str]:
    """File text plus the parts it was made from: sections, tags, date, source URL."""
    langs = draw(st.sampled_from([[Lang.ZH], [Lang.EN], [Lang.ZH, Lang.EN], [Lang.EN, Lang.ZH]]))
    parts = [draw(section(lang)) for lang in langs]
    url = "https://example.com/" + draw(st.text(alphabet=LATIN + "0123456789-/", max_size=20))
    link = f"[{draw(st.sampled_from(LABELS))}]({url})"
    blocks = [render(part) for part in parts]
    where = draw(st.integers(0, 2 * len(blocks)))
    body = "\n\n---\n\n".join(blocks)
    if where == 0:
        body = f"{link}\n\n{body}"
    elif where == 1:
        body = f"{body}\n\n{link}"
    else:  # right after the H1 of one section
        index = (where - 2) % len(blocks)
        heading, rest = blocks[index].split("\n\n", 1)
        blocks[index] = f"{heading}\n{link}\n\n{rest}"
        body = "\n\n---\n\n".join(blocks)
    tag_list = draw(tags)
    when = draw(dates)
    front = yaml.safe_dump(
        {"date": when.isoformat(), "tags": tag_list, "author": "ft"}, allow_unicode=True
    )
    return f"---\n{front}---\n\n{body}\n", parts, tag_list, when, url


@given(article_file())
def test_generated_articles_round_trip(
    case: tuple[str, list[Section], list[str], datetime, str],
) -> None:
    text, parts, tag_list, when, url = case
    article = parse_article(text, key="k")
    assert article.langs == tuple(part.lang for part in parts)
    assert article.url == url
    expected_date = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    assert article.date == expected_date
    expected_tags = dict.fromkeys(t for raw in tag_list if (t := " ".join(raw.lower().split())))
    assert article.tags == tuple(expected_tags)
    for part in parts:
        got = article.texts[part.lang]
        assert got.title == part.title
        assert got.key_terms == (part.term,)
        assert "**" not in got.plain
        assert url not in got.body
        assert got.body.endswith(part.paragraphs[-1])
        assert len(got.summary) <= SUMMARY_LIMITS[part.lang]
        body_plain = got.plain.split("\n", 1)[1]
        assert lead(body_plain).startswith(got.summary.rstrip("…"))


def outcome(text: str, default_date: datetime | None) -> Article | str:
    """The parsed article, or the reason it was rejected; anything else raised fails the test."""
    try:
        return parse_article(text, key="k", default_date=default_date)
    except ArticleError as err:
        return str(err)


front_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.dates() | dates,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children),
    max_leaves=8,
)
FIELDS = ("title", "date", "tags", "author", "id", "summary", "description", "lang", "source")


@given(
    st.dictionaries(st.sampled_from(FIELDS) | st.text(), front_values, max_size=6),
    st.text(),
    st.none() | st.just(MTIME),
)
def test_any_front_matter_fails_only_with_article_error(
    front: dict[str, object], body: str, default_date: datetime | None
) -> None:
    text = f"---\n{yaml.safe_dump(front, allow_unicode=True)}---\n{body}"
    result = outcome(text, default_date)
    if isinstance(result, Article):
        assert result.texts
        assert result.date.tzinfo is UTC
    else:
        assert result  # a reason an operator can read


@given(st.text(), st.none() | st.just(MTIME))
def test_any_text_fails_only_with_article_error(text: str, default_date: datetime | None) -> None:
    for candidate in (text, f"---\n{text}", f"---\ndate: 2024-01-01\n---\n{text}"):
        result = outcome(candidate, default_date)
        if isinstance(result, Article):
            assert all(t.lang is lang for lang, t in result.texts.items())
        else:
            assert result


@given(st.text(), st.sampled_from(list(Lang)))
def test_summaries_never_exceed_the_limits(text: str, lang: Lang) -> None:
    summary = cut_summary(text, lang)
    assert len(summary) <= SUMMARY_LIMITS[lang]
    assert summary.rstrip("…") in text


@given(st.lists(en_words, min_size=60, max_size=120).map(" ".join))
def test_latin_summary_is_never_cut_mid_word(text: str) -> None:
    summary = cut_summary(text, Lang.EN)
    assert summary.endswith("…") == (len(text) > SUMMARY_LIMITS[Lang.EN])
    assert set(summary.rstrip("…").split()) <= set(text.split())


tag_text = st.text(max_size=MAX_TAG_CHARS // 2)  # lower() may lengthen; over the limit: next test


@given(st.lists(st.none() | st.integers() | st.floats(allow_nan=False) | tag_text) | tag_text)
def test_tags_are_always_lower_case_and_unique(value: object) -> None:
    result = parse_tags(value)
    assert len(set(result)) == len(result)
    assert all(tag and tag == " ".join(tag.lower().split()) for tag in result)


@given(st.text(st.characters(categories=["L", "N"]), min_size=MAX_TAG_CHARS + 1))
def test_a_tag_over_the_limit_is_refused(text: str) -> None:
    with pytest.raises(ArticleError, match="over the limit"):
        parse_tags([text])


# --- hostile front matter --------------------------------------------------------------------
# Written as YAML text, not dumped from Python values, so that it holds what yaml.safe_dump never
# writes: tags, anchors and aliases, merge keys, billion laughs, deep nesting, odd numbers and
# dates, escaped control characters, values over the size limit.

HOSTILE_FIELDS = (*FIELDS, "url", "summary", "date", "tags")  # some twice as often
YAML_TAGS = (
    "!!bool",
    "!!int",
    "!!float",
    "!!timestamp",
    "!!binary",
    "!!str",
    "!!null",
    "!!set",
    "!!omap",
    "!!pairs",
    "!!seq",
    "!!map",
    "!!merge",
    "!!value",
    "!!python/object/apply:os.system",
    "!!python/name:os.system",
    "!!python/tuple",
    "!local",
    "!<tag:yaml.org,2002:int>",
)
ODD_SCALARS = (
    "",
    "maybe",
    "~",
    "-",
    "0x",
    "0b",
    "0o7",
    "0_",
    "+",
    "1:2:3",
    "1:99",
    "190:20:30.15",
    "1e999",
    "-.inf",
    ".nan",
    "9" * 400,
    "0x" + "f" * 3000,
    "1" + ":1" * 2000,
    "0001-01-01",
    "0000-01-01",
    "9999-12-31T23:59:59Z",
    "9999-12-31 23:59:59 -14:00",
    "0001-01-01T00:00:00+14:00",
    "'0001-01-01T00:00:00+14:00'",
    "'9999-12-31'",
    "99999-01-01",
    "2024-02-30",
    "2024-05-12T25:61:61",
    "2024-05-12 04:00:00 +24:00",
    "2024-05-12t04:00:00.1234567890-23:59",
    "!!!",
    '"\\0\\x1b\\x85\\u2028\\U0010FFFF"',
    '"\\ud800"',
    '"\\UDFFFFFFF"',
    "https://example.com/a b",
    "javascript:alert(1)",
    "x" * 70_000,
)
GOOD_SCALARS = (
    "2024-05-12",
    "2024-05-12T04:00:21.300Z",
    "'2024-05-12T12:00:00+08:00'",
    "0002-01-01",
    "9998-12-31T23:59:59Z",
    "https://example.com/a",
    "world, china",
    "zh",
    "zh-Hant",
    "en_US",
    "中文",
    "42",
    "0x2a",
    "3.5",
    "true",
    "null",
    "aGVsbG8=",
)
MAP_KEYS = ("zh", "en", "zh-Hant", "<<", "k", "1", "2024-01-01", "null", "[a]")
words = st.text(alphabet=LATIN + "中文 -_.", min_size=1, max_size=12).map(str.strip).filter(bool)
noise = st.text(alphabet=LATIN + "中文 -_:.,#&*!|>'\"%@`{}[]?\t", max_size=12)


def quoted(text: str) -> str:
    """``text`` as a double-quoted YAML scalar, control and other unprintable characters escaped."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char.isprintable():
            out.append(char)
        else:
            out.append(f"\\u{ord(char):04x}" if ord(char) < 0x10000 else f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


@st.composite
def yaml_scalar(draw: st.DrawFn) -> str:
    """A scalar as YAML text: odd, good, plain words, quoted with control characters, noise."""
    text = draw(
        st.sampled_from(ODD_SCALARS)
        | st.sampled_from(GOOD_SCALARS)
        | words
        | st.text(st.characters(codec="utf-8"), max_size=20).map(quoted)
        | st.text(st.characters(max_codepoint=0x9F), max_size=20).map(quoted)
    )
    if draw(st.integers(0, 19)) == 0:
        text = draw(noise)
    if draw(st.integers(0, 3)) == 0:
        text = f"{draw(st.sampled_from(YAML_TAGS))} {text}"
    return text


@st.composite
def yaml_node(draw: st.DrawFn, anchors: list[str], depth: int = 0) -> str:
    """A YAML value as flow text; defines anchors (appended to ``anchors``) and uses aliases."""
    kind = draw(st.integers(0, 9)) if depth < 4 else 0
    if kind == 6 and anchors:
        return "*" + draw(st.sampled_from(anchors))
    prefix = ""
    if draw(st.integers(0, 3)) == 0:  # children may use it too: a recursive structure
        anchors.append(f"a{len(anchors)}")
        prefix = f"&{anchors[-1]} "
    if kind <= 6:
        value = draw(yaml_scalar())
    elif kind <= 8:
        items = [draw(yaml_node(anchors, depth + 1)) for _ in range(draw(st.integers(0, 4)))]
        value = "[" + ", ".join(items) + "]"
    else:
        pairs = []
        for _ in range(draw(st.integers(0, 3))):
            key = draw(st.sampled_from(MAP_KEYS))
            pairs.append(f"{key}: {draw(yaml_node(anchors, depth + 1))}")
        value = "{" + ", ".join(pairs) + "}"
    if kind > 6 and draw(st.integers(0, 3)) == 0:
        value = f"{draw(st.sampled_from(YAML_TAGS))} {value}"
    return prefix + value


@st.composite
def nested(draw: st.DrawFn) -> str:
    """A value nested up to 1,200 levels deep, in flow or in block style."""
    depth = draw(st.integers(1, 1200))
    style = draw(st.sampled_from(["list", "map", "dash"]))
    if style == "list":
        return "[" * depth + "x" + "]" * depth
    if style == "map":
        return "{a: " * depth + "x" + "}" * depth
    return "\n" + "- " * depth + "x"


@st.composite
def laughs(draw: st.DrawFn) -> tuple[list[str], str]:
    """Billion-laughs anchor lines (lists or maps) and the alias that uses the last of them."""
    levels = draw(st.integers(2, 12))
    width = draw(st.integers(2, 10))
    as_list = draw(st.booleans())
    lines = [f"l0: &l0 {draw(words)}"]
    for level in range(1, levels):
        refs = [f"*l{level - 1}"] * width
        if as_list:
            body = "[" + ", ".join(refs) + "]"
        else:
            body = "{" + ", ".join(f"k{i}: {ref}" for i, ref in enumerate(refs)) + "}"
        lines.append(f"l{level}: &l{level} {body}")
    return lines, f"*l{levels - 1}"


@st.composite
def hostile_front_matter(draw: st.DrawFn) -> str:
    """Front-matter lines for every field: wrong types, tags, aliases, bombs and deep nesting."""
    lines: list[str] = []
    bomb = None
    if draw(st.integers(0, 3)) == 0:
        lines, bomb = draw(laughs())
    anchors: list[str] = []
    for name in draw(st.lists(st.sampled_from(HOSTILE_FIELDS) | words, max_size=8)):
        choice = draw(st.integers(0, 9))
        if choice < 3 and bomb is not None:
            value = bomb
        elif choice == 3:
            value = draw(nested())
        elif choice == 4:
            items = [draw(yaml_node(anchors, 1)) for _ in range(draw(st.integers(1, 3)))]
            value = "".join(f"\n  - {item}" for item in items)
        else:
            value = draw(yaml_node(anchors))
        lines.append(f"{quoted(name)}: {value}")
    return "\n".join(lines)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_front_matter(), st.none() | st.just(MTIME))
def test_hostile_front_matter_fails_only_with_article_error(
    front: str, default_date: datetime | None
) -> None:
    text = f"---\n{front}\n---\n# Title\n\nSome text of the article.\n"
    result = outcome(text, default_date)
    if isinstance(result, Article):
        assert result.texts
        assert result.date.tzinfo is UTC
    else:
        assert result  # a reason an operator can read: one short line
        assert "\n" not in result
        assert len(result) < 300
