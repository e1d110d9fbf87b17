"""Article files parsed into Articles: YAML front matter, language sections, summaries (pure).

Choices where DESIGN.md leaves room (each has a test in ``tests/articles/test_parse.py``):

- Front matter is required: a file without it is more often a README or a note than an article.
  It is untrusted: ``safe_yaml`` loads it within limits of size, nesting and alias expansion, and
  every fault of a value is a one-line ArticleError.
- Thematic breaks cut the body into chunks; chunks of one language are joined in the place of the
  first, so a divider inside a one-language article makes no bogus section. A chunk without
  letters, or a short untitled one in a language no main chunk has (a credit line), goes with
  its neighbour.
- Front-matter ``lang`` decides when the text shows at most one language; a text showing both
  keeps both.
- A section with a title but no text is dropped (readers get the other language, marked).
- Source link: front-matter ``source``, then ``url``, then the first source-link line.
- Title: the section's H1, else front-matter ``title``, else the first line of text.
- Summaries: front-matter ``summary``/``description`` in that language, else the body's lead;
  all are held to the same limits (an over-long written summary is cut like a lead).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from digestbot.articles.fields import (
    optional_str,
    parse_author,
    parse_date,
    parse_key,
    parse_lang,
    parse_summary,
    parse_tags,
    parse_url,
)
from digestbot.articles.lang import detect_lang
from digestbot.articles.markdown import bold_phrases, split_title, to_plain
from digestbot.articles.safe_yaml import FrontMatterRefused, load_front_matter
from digestbot.articles.sections import group_by_lang, split_body
from digestbot.articles.summary import TITLE_LIMITS, cut_summary, lead
from digestbot.errors import ArticleError
from digestbot.model import Article, ArticleText, Lang

__all__ = ["parse_article", "parse_date"]

# python-frontmatter's '---' line; the YAML between two of them is loaded by safe_yaml.
_FM_BOUNDARY = YAMLHandler.FM_BOUNDARY


@dataclass(frozen=True, slots=True)
class _Meta:
    """The front-matter fields the texts need, typed."""

    title: str | None
    summaries: dict[Lang, str]  # from ``summary`` and ``description``, by the language they are in


def parse_article(text: str, *, key: str, default_date: datetime | None = None) -> Article:
    """Parse one article file's text; raise ArticleError with a short reason when it is not one.

    ``key`` is used unless the front matter has an ``id``; ``default_date`` (the file's mtime)
    unless it has a ``date``.
    """
    meta, body = _split_front_matter(text)
    parts = split_body(body)
    if not parts.chunks:
        raise ArticleError("no article text")
    fields = _Meta(
        title=optional_str(meta.get("title"), "title"),
        summaries=_given_summaries(
            parse_summary(meta.get("summary")),
            optional_str(meta.get("description"), "description"),
        ),
    )
    declared = None if meta.get("lang") in (None, "") else parse_lang(meta["lang"])
    fallback = declared or detect_lang(fields.title or "") or Lang.EN
    texts: dict[Lang, ArticleText] = {}
    for lang, markdown in group_by_lang(parts.chunks, declared=declared, fallback=fallback):
        article_text = _build_text(lang, markdown, fields)
        if article_text is not None:
            texts[lang] = article_text
    if not texts:
        raise ArticleError("no article text")
    url = parse_url(meta.get("source"), "source") or parse_url(meta.get("url"), "url")
    if url is None and parts.urls:
        url = parse_url(parts.urls[0], "source link")
    return Article(
        key=parse_key(meta.get("id"), key),
        url=url,
        date=_article_date(meta.get("date"), default_date),
        tags=parse_tags(meta.get("tags")),
        author=parse_author(meta.get("author")),
        texts=texts,
    )


def _split_front_matter(text: str) -> tuple[Mapping[str, Any], str]:
    """The front matter as a mapping and the body after it (BOM and CRLF normalised)."""
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    stripped = text.lstrip()
    if not stripped:
        raise ArticleError("empty file")
    pattern = _FM_BOUNDARY
    assert pattern is not None
    opening = pattern.match(stripped)
    if opening is None:
        raise ArticleError("no YAML front matter")
    closing = pattern.search(stripped, opening.end())
    if closing is None:
        raise ArticleError("YAML front matter is not closed (no second '---' line)")
    # The YAML's line 0 is the rest of the opening '---' line; count file lines before it.
    first_line = text.count("\n", 0, len(text) - len(stripped)) + stripped.count(
        "\n", 0, opening.end()
    )
    meta = _load_yaml(stripped[opening.end() : closing.start()], first_line)
    return meta, stripped[closing.end() :]


def _load_yaml(source: str, first_line: int) -> Mapping[str, Any]:
    """The YAML mapping in ``source``; errors name the file line (``first_line`` is 0-based)."""
    try:
        data = load_front_matter(source)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f" (line {first_line + mark.line + 1})" if mark is not None else ""
        what = "YAML front matter refused" if isinstance(err, FrontMatterRefused) else None
        problem = " ".join(str(err.problem or err.context).split())
        raise ArticleError(f"{what or 'broken YAML front matter'}{where}: {problem}") from None
    except yaml.YAMLError as err:  # a ReaderError (a control character), a lone surrogate
        raise ArticleError(f"broken YAML front matter: {_first_line(str(err))}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ArticleError("front matter is not a mapping")
    return data


def _first_line(text: str) -> str:
    """The first line of a multi-line error message, for a one-line reason."""
    return text.strip().split("\n", 1)[0]


def _article_date(value: object, default: datetime | None) -> datetime:
    """The front-matter date, else ``default``, as UTC."""
    if value is None or value == "":
        if default is None:
            raise ArticleError("no date in front matter")
        value = default
    return parse_date(value)


def _build_text(lang: Lang, markdown: str, meta: _Meta) -> ArticleText | None:
    """One language's text from its section; None when the section has a title but no text."""
    heading, rest = split_title(markdown)
    body = rest.strip()
    body_plain = to_plain(body)
    if not body_plain:
        return None
    title = to_plain(heading) if heading else ""
    title = (
        title.replace("\n", " ")
        or meta.title
        or cut_summary(body_plain.split("\n")[0], lang, TITLE_LIMITS)
    )
    return ArticleText(
        lang=lang,
        title=title,
        summary=cut_summary(meta.summaries.get(lang) or lead(body_plain), lang),
        body=body,
        key_terms=bold_phrases(markdown),
        plain=f"{title}\n{body_plain}",
    )


def _given_summaries(
    summary: str | dict[Lang, str] | None, description: str | None
) -> dict[Lang, str]:
    """Summaries written in the front matter, per language: ``summary`` first, then ``description``.

    A string counts for the language it is written in; one without letters counts for any.
    """
    found = dict(summary) if isinstance(summary, dict) else {}
    for text in (description,) if isinstance(summary, dict) else (summary, description):
        if text:
            lang = detect_lang(text)
            for target in Lang if lang is None else (lang,):
                found.setdefault(target, text)
    return found
