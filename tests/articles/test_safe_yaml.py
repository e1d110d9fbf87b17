"""Untrusted front matter: bad tagged values, alias bombs and deep nesting are refused."""

from __future__ import annotations

import re
import time
import tracemalloc
from datetime import UTC, date, datetime

import pytest
import yaml

from digestbot.articles.parse import parse_article
from digestbot.articles.safe_yaml import (
    MAX_ALIASES,
    MAX_BYTES,
    MAX_DEPTH,
    FrontMatterRefused,
    load_front_matter,
)
from digestbot.errors import ArticleError

TEXT = "# Title\n\nSome text of the article."
MTIME = datetime(2025, 1, 2, tzinfo=UTC)


def reason(front: str) -> str:
    """The ArticleError message for an article with the front matter ``front``."""
    with pytest.raises(ArticleError) as caught:
        parse_article(f"---\n{front}\n---\n{TEXT}\n", key="k", default_date=MTIME)
    return str(caught.value)


def laughs(levels: int, field: str, *, as_map: bool = False) -> str:
    """A billion-laughs front matter: ``levels`` anchors of 9 aliases each, used by ``field``."""
    lines = ['l0: &l0 "lol"']
    for level in range(1, levels):
        refs = [f"*l{level - 1}"] * 9
        if as_map:
            body = "{" + ", ".join(f"k{i}: {ref}" for i, ref in enumerate(refs)) + "}"
        else:
            body = "[" + ", ".join(refs) + "]"
        lines.append(f"l{level}: &l{level} {body}")
    lines.append(f"{field}: *l{levels - 1}")
    return "\n".join(lines)


# --- bad values of a YAML type ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("tags: !!bool maybe", "invalid !!bool value 'maybe'"),
        ("date: !!timestamp 99999-01-01", "invalid !!timestamp value '99999-01-01'"),
        ("date: !!timestamp 2024-02-30", "invalid !!timestamp value '2024-02-30'"),
        (
            "date: 2024-05-12 04:00:00 +24:00",
            "invalid !!timestamp value '2024-05-12 04:00:00 +24:00'",
        ),
        ("date: !!int ", "invalid !!int value ''"),
        ("id: !!int 0x", "invalid !!int value '0x'"),
        ("id: !!float abc", "invalid !!float value 'abc'"),
        ("title: !!bool [a]", "expected a scalar node, but found sequence"),
    ],
)
def test_bad_tagged_values_are_broken_front_matter(front: str, expected: str) -> None:
    assert reason(f"title: T\n{front}") == f"broken YAML front matter (line 3): {expected}"


@pytest.mark.parametrize(
    "tag",
    ["!!python/object/apply:os.system ['true']", "!!python/name:os.system", "!!python/tuple [a]"],
)
def test_python_tags_are_refused(tag: str) -> None:
    assert reason(f"title: {tag}").startswith(
        "broken YAML front matter (line 2): could not determine a constructor for the tag"
    )


@pytest.mark.parametrize("number", ["9" * 101, "0x" + "f" * 3000, "1" + ":1" * 20_000])
def test_numbers_too_long_are_refused_fast(number: str) -> None:
    started = time.thread_time()
    assert reason(f"id: {number}") == (
        "broken YAML front matter (line 2):"
        " number longer than 100 characters (quote it to make it text)"
    )
    assert time.thread_time() - started < 0.5


def test_long_number_quoted_is_text() -> None:
    article = parse_article(f"---\nid: '{'9' * 300}'\n---\n{TEXT}\n", key="k", default_date=MTIME)
    assert article.key == "9" * 300


def test_control_characters_in_a_reader_error_give_one_line() -> None:
    assert reason("title: a\x1bb") == (
        "broken YAML front matter:"
        " unacceptable character #x001b: control characters are not allowed"
    )


# --- alias bombs and nesting --------------------------------------------------------------------


@pytest.mark.parametrize("levels", [9, 12])
@pytest.mark.parametrize("field", ["date", "lang", "tags", "title", "summary", "id"])
@pytest.mark.parametrize("as_map", [False, True], ids=["lists", "maps"])
def test_billion_laughs_is_refused_fast_and_small(levels: int, field: str, as_map: bool) -> None:
    front = laughs(levels, field, as_map=as_map)
    tracemalloc.start()
    started = time.thread_time()
    try:
        message = reason(front)
        elapsed = time.thread_time() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert re.fullmatch(
        r"YAML front matter refused \(line \d\): aliases expand to over 10,000 values", message
    )
    assert elapsed < 0.5
    assert peak < 20 * 1024 * 1024


def test_merge_key_bomb_is_refused() -> None:
    lines = ["m0: &m0 {a: 1, b: 2}"]
    lines += [f"m{i}: &m{i} {{<<: [{', '.join([f'*m{i - 1}'] * 9)}]}}" for i in range(1, 12)]
    assert reason("\n".join(lines)).endswith("aliases expand to over 10,000 values")


def test_too_many_aliases_are_refused() -> None:
    front = "t: &t x\ntags: [" + ", ".join(["*t"] * (MAX_ALIASES + 1)) + "]"
    # The line is the anchor's: aliases share its node, so their own lines are not known.
    assert reason(front) == f"YAML front matter refused (line 2): more than {MAX_ALIASES} aliases"


def test_recursive_alias_is_refused() -> None:
    assert reason("tags: &t [a, *t]") == (
        f"YAML front matter refused (line 2): nested deeper than {MAX_DEPTH} levels"
    )


@pytest.mark.parametrize(
    "value",
    [
        "[" * (MAX_DEPTH + 1) + "x" + "]" * (MAX_DEPTH + 1),
        "{a: " * (MAX_DEPTH + 1) + "x" + "}" * (MAX_DEPTH + 1),
        "\n" + "- " * (MAX_DEPTH + 1) + "x",
    ],
    ids=["lists", "maps", "block"],
)
def test_deep_nesting_is_refused(value: str) -> None:
    assert reason(f"tags: {value}").startswith("YAML front matter refused (line ")
    assert reason(f"tags: {value}").endswith(f"nested deeper than {MAX_DEPTH} levels")


@pytest.mark.parametrize("depth", [1_000, 30_000])
def test_very_deep_nesting_is_broken_or_refused_fast(depth: int) -> None:
    started = time.thread_time()
    assert reason("tags: " + "[" * depth + "]" * depth).endswith(
        ("exceeded maximum nesting depth", f"nested deeper than {MAX_DEPTH} levels")
    )
    assert time.thread_time() - started < 0.5


def test_front_matter_over_the_size_limit_is_refused() -> None:
    assert reason("title: " + "x" * MAX_BYTES) == "YAML front matter refused: larger than 64 KiB"
    assert (
        reason("title: " + "字" * (MAX_BYTES // 3))
        == "YAML front matter refused: larger than 64 KiB"
    )


def test_front_matter_under_the_size_limit_loads() -> None:
    title = "x" * (MAX_BYTES - 100)
    article = parse_article(f"---\ntitle: {title}\n---\nSome text.\n", key="k", default_date=MTIME)
    assert article.texts  # the title is the front matter's; its length is the summary's business


# --- what stays allowed -------------------------------------------------------------------------


def test_ordinary_anchors_and_aliases_still_work() -> None:
    front = "date: &d 2024-05-12\nupdated: *d\ntags: &t [world, china]\nkeywords: *t"
    assert load_front_matter(front) == {
        "date": date(2024, 5, 12),
        "updated": date(2024, 5, 12),
        "tags": ["world", "china"],
        "keywords": ["world", "china"],
    }


def test_merge_keys_still_work() -> None:
    assert load_front_matter("base: &b {author: ft}\nmeta: {<<: *b, lang: zh}") == {
        "base": {"author": "ft"},
        "meta": {"author": "ft", "lang": "zh"},
    }


def test_nesting_up_to_the_limit_loads() -> None:
    value = "[" * (MAX_DEPTH - 1) + "x" + "]" * (MAX_DEPTH - 1)
    assert isinstance(load_front_matter(f"a: {value}"), dict)


def test_empty_front_matter_is_none() -> None:
    assert load_front_matter("") is None
    assert load_front_matter("# only a comment\n") is None


def test_refusals_are_yaml_errors_with_a_line() -> None:
    with pytest.raises(FrontMatterRefused) as caught:
        load_front_matter("a: &a [*a]")
    assert isinstance(caught.value, yaml.YAMLError)
    assert caught.value.problem_mark is not None
    assert caught.value.problem_mark.line == 0
