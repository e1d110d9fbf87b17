"""The article parser, one test per case of DESIGN.md sections 1 and 2."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from digestbot.articles.parse import parse_article, parse_date
from digestbot.articles.summary import SUMMARY_LIMITS
from digestbot.errors import ArticleError
from digestbot.model import Article, Lang

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_58ff1f57d9aa1e3e.txt"
SHARED_SEED = Path("/work/shared/seeds/000_58ff1f57d9aa1e3e.txt")

ZH_TEXT = "阿里巴巴正在利用云计算基础设施投资初创企业。这一策略与微软的投资如出一辙。"
EN_TEXT = "Alibaba is using its cloud to invest in start-ups. The strategy mirrors Microsoft."
MTIME = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def make(body: str, front: str = "date: 2024-05-12") -> str:
    """An article file's text from front-matter lines and a body."""
    return f"---\n{front}\n---\n\n{body}\n"


def parse(body: str, front: str = "date: 2024-05-12", **kwargs: object) -> Article:
    """``make`` then parse with the key ``k``."""
    return parse_article(make(body, front), key="k", **kwargs)  # type: ignore[arg-type]


def reason(text: str, default_date: datetime | None = MTIME) -> str:
    """The ArticleError message for ``text``."""
    with pytest.raises(ArticleError) as caught:
        parse_article(text, key="k", default_date=default_date)
    return str(caught.value)


# --- the seed --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> Article:
    path = SEED if SEED.exists() else SHARED_SEED
    return parse_article(path.read_text(encoding="utf-8"), key="000_58ff1f57d9aa1e3e")


def test_seed_metadata(seed: Article) -> None:
    assert seed.key == "000_58ff1f57d9aa1e3e"
    assert seed.url == "https://ft.com/content/978687d4-f9cf-4990-94b6-8d4f21c5e94b"
    assert seed.date == datetime(2024, 5, 12, 4, 0, 21, 300000, tzinfo=UTC)
    assert seed.tags == ("world",)
    assert seed.author == "ft"
    assert seed.langs == (Lang.ZH, Lang.EN)


def test_seed_texts(seed: Article) -> None:
    zh, en = seed.texts[Lang.ZH], seed.texts[Lang.EN]
    assert zh.title == "阿里巴巴借助云业务成为中国领先的 AI 投资者"
    assert en.title == "Alibaba leverages cloud business to become a leading AI investor in China"
    assert "阿里巴巴集团" in zh.key_terms
    assert "Alibaba Group" in en.key_terms
    assert zh.key_terms[0] == "阿里巴巴集团"
    assert en.summary == (
        "Ecommerce giant offers computing resources to fast-growing start-ups"
        " in exchange for equity"
    )
    assert zh.summary.endswith("。")
    assert zh.summary.startswith("阿里巴巴集团，这家中国电子商务巨头")
    assert len(zh.summary) <= SUMMARY_LIMITS[Lang.ZH]
    assert "**" not in zh.summary
    for text in (zh, en):
        assert "ft.com" not in text.body
        assert not text.body.startswith("#")
        assert text.plain.startswith(text.title + "\n")
        assert "**" not in text.plain


# --- language sections -----------------------------------------------------------------------


def test_sections_in_either_order() -> None:
    article = parse(f"# English title\n\n{EN_TEXT}\n\n---\n\n# 中文标题\n\n{ZH_TEXT}")
    assert article.langs == (Lang.EN, Lang.ZH)
    assert article.texts[Lang.ZH].title == "中文标题"
    assert article.texts[Lang.EN].body == EN_TEXT


def test_single_language_article() -> None:
    article = parse(f"# 中文标题\n\n{ZH_TEXT}")
    assert article.langs == (Lang.ZH,)
    assert article.text(Lang.EN).lang is Lang.ZH  # shown in the other language, not dropped


def test_traditional_chinese_is_chinese() -> None:
    article = parse("# 耐旱水稻\n\n研究人員培育出一種耐旱的水稻品種，產量與傳統品種相當。")
    assert article.langs == (Lang.ZH,)


def test_chinese_with_english_names_is_chinese() -> None:
    body = (
        "# OpenAI 发布 GPT-4o\n\n"
        "OpenAI 和 Microsoft、Google DeepMind、Anthropic 的 Claude 竞争 API 市场。"
    )
    assert parse(body).langs == (Lang.ZH,)


def test_divider_inside_one_language_makes_no_section() -> None:
    article = parse(
        "# Title\n\nFirst part.\n\n---\n\nSecond part after a divider.\n\n***\n\nThird."
    )
    assert article.langs == (Lang.EN,)
    body = article.texts[Lang.EN].body
    assert "First part." in body
    assert "Second part after a divider." in body
    assert body.endswith("Third.")
    assert "---" not in body


@pytest.mark.parametrize("rule", ["***", "___", "- - -", "-----"])
def test_other_thematic_breaks_separate_sections(rule: str) -> None:
    article = parse(f"# 中文标题\n\n{ZH_TEXT}\n\n{rule}\n\n# English title\n\n{EN_TEXT}")
    assert article.langs == (Lang.ZH, Lang.EN)


def test_same_language_twice_is_merged_in_first_place() -> None:
    body = f"# 中文标题\n\n{ZH_TEXT}\n\n---\n\n# English\n\n{EN_TEXT}\n\n---\n\n补充：一段中文。"
    article = parse(body)
    assert article.langs == (Lang.ZH, Lang.EN)
    assert article.texts[Lang.ZH].body.endswith("补充：一段中文。")
    assert article.texts[Lang.ZH].title == "中文标题"


def test_break_inside_code_block_is_not_a_section() -> None:
    body = f"{EN_TEXT}\n\n```\n# not a title\n---\n```\n\nAfter the code."
    article = parse(body, "date: 2024-05-12\ntitle: Code")
    text = article.texts[Lang.EN]
    assert text.title == "Code"
    assert "# not a title\n---" in text.body


def test_front_matter_lang_decides_an_ambiguous_text() -> None:
    body = "GPT-4o, o1-preview, o1-mini, DALL-E 3, Whisper, Sora and API benchmarks: 表"
    assert parse(body).langs == (Lang.EN,)
    assert parse(body, "date: 2024-05-12\nlang: zh").langs == (Lang.ZH,)
    assert parse(body, "date: 2024-05-12\nlang: zh-Hant").langs == (Lang.ZH,)


def test_front_matter_lang_does_not_drop_a_second_language() -> None:
    body = f"# 中文标题\n\n{ZH_TEXT}\n\n---\n\n# English title\n\n{EN_TEXT}"
    assert parse(body, "date: 2024-05-12\nlang: en").langs == (Lang.ZH, Lang.EN)


def test_unknown_lang_is_rejected() -> None:
    assert "unknown lang 'fr'" in reason(make(EN_TEXT, "lang: fr"))


# --- source links ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "label",
    ["原文链接", "原文連結", "Source Link", "Source", "来源", "原文", "SOURCE LINK", "source"],
)
def test_source_link_labels(label: str) -> None:
    article = parse(f"[{label}](https://example.com/a)\n\n# Title\n\n{EN_TEXT}")
    assert article.url == "https://example.com/a"
    assert "example.com" not in article.texts[Lang.EN].body
    assert "example.com" not in article.texts[Lang.EN].plain


@pytest.mark.parametrize(
    "body",
    [
        f"[Source](https://example.com/a)\n# T\n\n{EN_TEXT}",
        f"# T\n\n{EN_TEXT}\n\n[Source](https://example.com/a)",
        f"# T\n\nFirst paragraph.\n\n[Source](https://example.com/a)\n\n{EN_TEXT}",
    ],
    ids=["before", "after", "inside"],
)
def test_source_link_anywhere(body: str) -> None:
    article = parse(body)
    assert article.url == "https://example.com/a"
    assert "[Source]" not in article.texts[Lang.EN].body


def test_link_with_other_label_stays_in_the_body() -> None:
    article = parse(f"# T\n\n{EN_TEXT}\n\n[Read more](https://example.com/more)")
    assert article.url is None
    assert "[Read more](https://example.com/more)" in article.texts[Lang.EN].body
    assert article.texts[Lang.EN].plain.endswith("Read more")


@pytest.mark.parametrize("field", ["source", "url"])
def test_front_matter_source_overrides(field: str) -> None:
    front = f"date: 2024-05-12\n{field}: https://example.com/front"
    article = parse(f"[Source](https://example.com/body)\n\n{EN_TEXT}", front)
    assert article.url == "https://example.com/front"


def test_disagreeing_source_links_take_the_first() -> None:
    body = f"[原文链接](https://a.example/1)\n\n{ZH_TEXT}\n\n---\n\n{EN_TEXT}\n\n[Source](https://b.example/2)"
    article = parse(body)
    assert article.url == "https://a.example/1"
    assert article.langs == (Lang.ZH, Lang.EN)


def test_front_matter_source_must_be_a_url() -> None:
    assert "source is not an http(s) URL" in reason(make(EN_TEXT, "source: javascript:alert(1)"))


# --- titles, bodies, key terms, plain text ---------------------------------------------------


def test_title_from_front_matter_when_no_h1() -> None:
    article = parse(EN_TEXT, "date: 2024-05-12\ntitle: From the front matter")
    assert article.texts[Lang.EN].title == "From the front matter"


def test_h1_wins_over_front_matter_title() -> None:
    article = parse(f"# From the H1\n\n{EN_TEXT}", "date: 2024-05-12\ntitle: From the front")
    assert article.texts[Lang.EN].title == "From the H1"
    assert article.texts[Lang.EN].body == EN_TEXT


def test_section_without_h1_gets_the_front_matter_title_anyway() -> None:
    article = parse(
        f"# 中文标题\n\n{ZH_TEXT}\n\n---\n\n{EN_TEXT}", "date: 2024-05-12\ntitle: 中文标题"
    )
    assert article.texts[Lang.EN].title == "中文标题"


def test_title_without_h1_or_front_matter_is_the_first_line() -> None:
    long_line = "A first line that runs on. " * 10
    assert parse(EN_TEXT).texts[Lang.EN].title == EN_TEXT
    assert parse(long_line).texts[Lang.EN].title == ("A first line that runs on. " * 4).strip()


def test_body_is_trimmed_markdown_without_title_and_source() -> None:
    body = "\n\n# Title\n\n**Bold** start.\n\n- item one\n- item two\n\n[Source](https://e.example/x)\n\n"
    text = parse(body).texts[Lang.EN]
    assert text.body == "**Bold** start.\n\n- item one\n- item two"


def test_key_terms_in_order_unique_stripped() -> None:
    body = (
        "# T\n\n**Alibaba Group** and __cloud credits__ and ** spaced **"
        " and **Alibaba Group** again, **AI**."
    )
    assert parse(body).texts[Lang.EN].key_terms == ("Alibaba Group", "cloud credits", "AI")


def test_key_terms_ignore_snake_case_and_code() -> None:
    body = "# T\n\nCall my__private__name here.\n\n```\n**not a term**\n```\n\nA **real** one."
    assert parse(body).texts[Lang.EN].key_terms == ("real",)


def test_plain_text_has_no_markdown() -> None:
    body = (
        "# The *Title*\n\n"
        "Some **bold**, _italic_, `code` and a [link text](https://e.example/x).\n"
        "Second line of the paragraph.\n\n"
        "## A subheading\n\n"
        "- first item\n"
        "1. numbered item\n\n"
        "> quoted words\n\n"
        "![an image](https://e.example/i.png)\n\n"
        "```python\nprint('hi')\n```"
    )
    text = parse(body).texts[Lang.EN]
    assert text.title == "The Title"
    assert text.plain == (
        "The Title\n"
        "Some bold, italic, code and a link text.\n"
        "Second line of the paragraph.\n"
        "A subheading\n"
        "first item\n"
        "numbered item\n"
        "quoted words\n"
        "an image\n"
        "print('hi')"
    )


def test_html_and_ampersands_stay_text() -> None:
    body = "# Tom & Jerry <b>now</b>\n\nUse <script>alert(1)</script> & 1 < 2 carefully."
    text = parse(body).texts[Lang.EN]
    assert text.title == "Tom & Jerry <b>now</b>"
    assert "<script>alert(1)</script> & 1 < 2" in text.body
    assert "<script>alert(1)</script> & 1 < 2" in text.plain


# --- summaries -------------------------------------------------------------------------------


BILINGUAL = f"# 中文标题\n\n{ZH_TEXT}\n\n---\n\n# English title\n\n{EN_TEXT}"


@pytest.mark.parametrize(
    ("front", "zh", "en"),
    [
        ("summary: 这是中文摘要。", "这是中文摘要。", EN_TEXT),
        (
            "summary:\n  zh: 中文摘要。\n  en: English summary.\ndescription: Not used.",
            "中文摘要。",
            "English summary.",
        ),
        ("description: An English description.", ZH_TEXT, "An English description."),
        ("summary: The summary.\ndescription: The description.", ZH_TEXT, "The summary."),
    ],
    ids=["string-in-its-language", "map", "description-in-its-language", "summary-first"],
)
def test_front_matter_summaries(front: str, zh: str, en: str) -> None:
    article = parse(BILINGUAL, f"date: 2024-05-12\n{front}")
    assert article.texts[Lang.ZH].summary == zh
    assert article.texts[Lang.EN].summary == en


def test_chinese_lead_is_cut_at_a_sentence_end() -> None:
    sentence = "这是一个用于测试摘要长度的中文句子，它有二十多个字。"
    text = parse("# 标题\n\n" + sentence * 10).texts[Lang.ZH]
    assert text.summary == sentence * (SUMMARY_LIMITS[Lang.ZH] // len(sentence))
    assert len(text.summary) <= SUMMARY_LIMITS[Lang.ZH]


def test_english_lead_is_cut_at_a_sentence_end() -> None:
    sentence = "This sentence is exactly as long as it needs to be for the test. "
    text = parse("# Title\n\n" + sentence * 10).texts[Lang.EN]
    assert text.summary == (sentence * (SUMMARY_LIMITS[Lang.EN] // len(sentence))).strip()


def test_lead_without_sentence_end_is_cut_between_words() -> None:
    text = parse("# Title\n\n" + "wordy " * 100).texts[Lang.EN]
    assert text.summary.endswith("wordy…")
    assert len(text.summary) <= SUMMARY_LIMITS[Lang.EN]


def test_chinese_lead_without_sentence_end_is_cut_with_an_ellipsis() -> None:
    text = parse("# 标题\n\n" + "没有句号的长句子" * 30).texts[Lang.ZH]
    assert text.summary.endswith("…")
    assert len(text.summary) == SUMMARY_LIMITS[Lang.ZH]


def test_long_written_summary_is_held_to_the_limit() -> None:
    front = "date: 2024-05-12\nsummary: " + "Words and more words. " * 30
    summary = parse(EN_TEXT, front).texts[Lang.EN].summary
    assert summary.endswith("words.")
    assert len(summary) <= SUMMARY_LIMITS[Lang.EN]


def test_lead_joins_paragraphs() -> None:
    text = parse("# 标题\n\n第一段。\n\n第二段。").texts[Lang.ZH]
    assert text.summary == "第一段。第二段。"


# --- tags ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yaml_tags", "expected"),
    [
        ("[World, ai]", ("world", "ai")),
        ("World", ("world",)),
        ('"ai, China"', ("ai", "china")),
        ("[' AI ', ai, Ai, china, AI]", ("ai", "china")),
        ("[2024, 3.5]", ("2024", "3.5")),
        ("[ai, '', null, ' ']", ("ai",)),
        ("", ()),
        ("\n- world\n- Tech", ("world", "tech")),
    ],
)
def test_tags(yaml_tags: str, expected: tuple[str, ...]) -> None:
    assert parse(EN_TEXT, f"date: 2024-05-12\ntags: {yaml_tags}").tags == expected


def test_missing_tags() -> None:
    assert parse(EN_TEXT).tags == ()


@pytest.mark.parametrize("yaml_tags", ["{a: 1}", "[[nested]]", "true"])
def test_tags_of_another_shape_are_rejected(yaml_tags: str) -> None:
    assert reason(make(EN_TEXT, f"tags: {yaml_tags}")) == "tags must be a list or a string"


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yaml_date", "expected"),
    [
        ("2024-05-12", datetime(2024, 5, 12, tzinfo=UTC)),
        ("'2024-05-12'", datetime(2024, 5, 12, tzinfo=UTC)),
        ("2024-05-12T04:00:21.300Z", datetime(2024, 5, 12, 4, 0, 21, 300000, tzinfo=UTC)),
        ("'2024-05-12T04:00:21.300Z'", datetime(2024, 5, 12, 4, 0, 21, 300000, tzinfo=UTC)),
        ("2024-05-12T12:00:00+08:00", datetime(2024, 5, 12, 4, tzinfo=UTC)),
        ('"2024-05-12T12:00:00+08:00"', datetime(2024, 5, 12, 4, tzinfo=UTC)),
        ("2024-05-12 04:00:00", datetime(2024, 5, 12, 4, tzinfo=UTC)),
        ('"2024-05-12T04:00"', datetime(2024, 5, 12, 4, tzinfo=UTC)),
    ],
)
def test_dates(yaml_date: str, expected: datetime) -> None:
    parsed = parse(EN_TEXT, f"date: {yaml_date}").date
    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2024, 5, 12), datetime(2024, 5, 12, tzinfo=UTC)),
        (datetime(2024, 5, 12, 4), datetime(2024, 5, 12, 4, tzinfo=UTC)),
        (
            datetime(2024, 5, 12, 12, tzinfo=timezone(timedelta(hours=8))),
            datetime(2024, 5, 12, 4, tzinfo=UTC),
        ),
    ],
)
def test_parse_date_takes_yaml_objects(value: object, expected: datetime) -> None:
    assert parse_date(value) == expected
    assert parse_date(value).tzinfo is UTC


@pytest.mark.parametrize("value", ["xyz", "2024-13-01", 20240512, True, ["2024-05-12"]])
def test_invalid_dates(value: object) -> None:
    with pytest.raises(ArticleError, match="invalid date"):
        parse_date(value)


def test_invalid_date_reason() -> None:
    assert reason(make(EN_TEXT, "date: xyz")) == "invalid date 'xyz'"


def test_default_date_when_front_matter_has_none() -> None:
    assert parse(EN_TEXT, "title: T", default_date=MTIME).date == MTIME


def test_no_date_at_all() -> None:
    assert reason(make(EN_TEXT, "title: T"), default_date=None) == "no date in front matter"


# --- key, author -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yaml_id", "expected"), [("42", "42"), ("abc-1", "abc-1"), ("'007'", "007")]
)
def test_front_matter_id_is_the_key(yaml_id: str, expected: str) -> None:
    assert parse(EN_TEXT, f"date: 2024-05-12\nid: {yaml_id}").key == expected


def test_key_falls_back_to_the_path() -> None:
    assert parse_article(make(EN_TEXT), key="2024/alibaba").key == "2024/alibaba"


def test_author() -> None:
    assert parse(EN_TEXT, "date: 2024-05-12\nauthor: ft").author == "ft"
    assert parse(EN_TEXT).author is None


# --- file encodings ---------------------------------------------------------------------------


def test_crlf_and_bom() -> None:
    text = "\ufeff" + make(BILINGUAL, "date: 2024-05-12\ntags: [a]").replace("\n", "\r\n")
    article = parse_article(text, key="k")
    assert article.langs == (Lang.ZH, Lang.EN)
    assert article.tags == ("a",)
    assert "\r" not in article.texts[Lang.EN].body
    assert article.texts[Lang.EN].title == "English title"


def test_empty_front_matter_with_default_date() -> None:
    article = parse_article(f"---\n---\n{EN_TEXT}", key="k", default_date=MTIME)
    assert article.date == MTIME


# --- rejected files ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n\n\t", "\ufeff\r\n"])
def test_empty_file(text: str) -> None:
    assert reason(text) == "empty file"


def test_broken_yaml_names_the_file_line() -> None:
    text = "\n---\ntitle: ok\nbad: [unclosed, \nx: : y\n---\n\nText.\n"
    assert reason(text).startswith("broken YAML front matter (line 5): ")


def test_broken_yaml_line_counts_crlf_lines() -> None:
    text = "---\r\ntitle: ok\r\nx: y: z\r\n---\r\nText.\r\n"
    assert reason(text).startswith("broken YAML front matter (line 3): ")


def test_front_matter_not_a_mapping() -> None:
    assert reason("---\n- a\n- b\n---\nText.\n") == "front matter is not a mapping"


def test_no_front_matter() -> None:
    assert reason(f"# A Markdown file\n\n{EN_TEXT}\n") == "no YAML front matter"


def test_unclosed_front_matter() -> None:
    assert "not closed" in reason(f"---\ntitle: T\n\n{EN_TEXT}\n")


@pytest.mark.parametrize(
    "body",
    [
        "",
        "[Source](https://e.example/x)",
        "# Only a title",
        "---\n\n***",
        "[原文链接](https://e.example/x)\n---",
    ],
)
def test_no_article_text(body: str) -> None:
    assert reason(make(body)) == "no article text"


@pytest.mark.parametrize(
    ("field", "value"), [("title", "[a, b]"), ("author", "{a: 1}"), ("description", "[x]")]
)
def test_wrong_field_types_are_reasons(field: str, value: str) -> None:
    assert reason(make(EN_TEXT, f"{field}: {value}")) == f"{field} must be a string"


# --- hostile input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "*a " * 20000,
        "_a " * 20000,
        "~~a " * 20000,
        "`a " * 20000,
        "[" * 20000 + "](",
        "# a" + " " * 20000 + "b\n\ntext",
    ],
    ids=["stars", "underscores", "tildes", "backticks", "brackets", "spaced-h1"],
)
def test_hostile_markdown_is_parsed_in_linear_time(body: str) -> None:
    started = time.thread_time()
    article = parse(body)
    assert article.texts
    assert time.thread_time() - started < 2  # quadratic backtracking took 5-35 s here


def test_h1_closing_hashes_are_dropped() -> None:
    assert parse(f"# Title #2 ##\n\n{EN_TEXT}").texts[Lang.EN].title == "Title #2"
    assert parse(f"# C#\n\n{EN_TEXT}").texts[Lang.EN].title == "C#"


def test_setext_h1_is_a_title() -> None:
    text = parse(f"Underlined title\n================\n\n{EN_TEXT}").texts[Lang.EN]
    assert text.title == "Underlined title"
    assert text.body == EN_TEXT
    later = parse(f"# Title\n\nIntro words.\n\nPart two\n========\n\n{EN_TEXT}").texts[Lang.EN]
    assert "=" not in later.plain
    assert "Part two" in later.plain


def test_backslash_escapes_are_literal_text() -> None:
    text = parse("# T\n\nA \\*starred\\* word and a \\_name\\_ here.").texts[Lang.EN]
    assert text.plain.endswith("A *starred* word and a _name_ here.")
    assert text.key_terms == ()


def test_short_untitled_chunk_in_another_language_is_no_section() -> None:
    long_english = f"# Title\n\n{EN_TEXT} {EN_TEXT} {EN_TEXT}"
    article = parse(f"{long_english}\n\n---\n\n翻译：张三")
    assert article.langs == (Lang.EN,)
    assert article.texts[Lang.EN].body.endswith("翻译：张三")
    titled = parse(f"{long_english}\n\n---\n\n# 中文\n\n短文。")
    assert titled.langs == (Lang.EN, Lang.ZH)
