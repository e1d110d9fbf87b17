"""Snippets (pure): hits marked in the original text, a window around the first hit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from digestbot.store.snippet import Snippet, hit_spans, make_snippet
from digestbot.store.tokenize import build_query


def test_marked_wraps_only_hits() -> None:
    snippet = Snippet((("阿里", False), ("巴巴", True), ("集团", False)))
    assert snippet.marked("<b>", "</b>") == "阿里<b>巴巴</b>集团"
    assert snippet.text == "阿里巴巴集团"


def test_hit_spans_follow_token_semantics() -> None:
    text = "He said AI chips matter. Quality, AI-chip 芯片，新能源汽车"
    spans = hit_spans(text, build_query("ai chip 新能源汽车"))
    marked = [text[a:b] for a, b in spans]
    assert marked == ["AI", "chips", "AI", "chip", "新能源汽车"]  # never inside "said"


def test_sentences_joined_across_lines_have_no_stray_space() -> None:
    body = "两国同步推进。\n新一代芯片\n\n明年量产。 The AI chip\nships."
    snippet = make_snippet([body], build_query("芯片"))
    assert snippet.text == "两国同步推进。新一代芯片明年量产。The AI chip ships."
    assert ("芯片", True) in snippet.segments


def test_phrase_does_not_cross_punctuation() -> None:
    assert hit_spans("新能源，汽车", build_query("新能源汽车")) == []


def test_window_around_a_late_hit_has_ellipses() -> None:
    body = "前文" * 200 + "芯片" + "后文" * 200
    snippet = make_snippet([body], build_query("芯片"))
    assert snippet.segments[0] == ("…", False)
    assert snippet.segments[-1] == ("…", False)
    assert ("芯片", True) in snippet.segments
    assert len(snippet.text) < 120


def test_best_field_wins_and_whitespace_collapses() -> None:
    snippet = make_snippet(["nothing here", "chip\n\n and   more chips"], build_query("chip"))
    assert snippet.marked("[", "]") == "[chip] and more [chips]"


def test_accented_text_is_found_by_the_exact_path() -> None:
    snippet = make_snippet(["Un café à Paris"], build_query("cafe"))
    assert snippet.marked("[", "]") == "Un [café] à Paris"


def test_no_hit_shows_the_start_of_the_first_field() -> None:
    snippet = make_snippet(["", "Some summary."], build_query("absent"))
    assert snippet.marked("[", "]") == "Some summary."


@given(st.text(max_size=300), st.sampled_from(["芯片", "ai", "巴巴 chip", "x"]))
def test_snippet_text_comes_from_the_source(text: str, query: str) -> None:
    snippet = make_snippet([text], build_query(query))
    for part, _ in snippet.segments:
        if part != "…":
            assert " ".join(part.split()) in " ".join(text.split()) or not part.strip()
