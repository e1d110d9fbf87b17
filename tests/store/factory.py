"""Articles for store tests, built directly from the domain model."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from digestbot.model import Article, ArticleText, Lang
from digestbot.store.articles import save_article
from digestbot.store.db import create_engine_for, session_factory, upgrade_schema
from tests.support.databases import postgres_schema


def text(
    lang: Lang, title: str, body: str, summary: str = "", terms: tuple[str, ...] = ()
) -> ArticleText:
    """One language's text; ``plain`` is title + body, as the parser makes it."""
    return ArticleText(
        lang=lang,
        title=title,
        summary=summary or body[:40],
        body=body,
        key_terms=terms,
        plain=f"{title}\n\n{body}",
    )


def article(
    key: str,
    *texts: ArticleText,
    tags: tuple[str, ...] = ("tech",),
    url: str | None = None,
    day: int = 1,
) -> Article:
    """An article dated 2024-05-``day`` with ``texts``."""
    return Article(
        key=key,
        url=url if url is not None else f"https://example.com/{key}",
        date=datetime(2024, 5, day, 8, 30, tzinfo=UTC),
        tags=tags,
        author="ft",
        texts={t.lang: t for t in texts},
    )


@contextmanager
def loaded_session(kind: str, folder: Path, corpus: Sequence[Article]) -> Iterator[Session]:
    """A session on a fresh ``kind`` ("sqlite" or "postgres") database holding ``corpus``."""
    with ExitStack() as stack:
        if kind == "sqlite":
            url = f"sqlite:///{folder}/search.sqlite3"
        else:
            url = stack.enter_context(postgres_schema())
        engine = create_engine_for(url)
        stack.callback(engine.dispose)
        upgrade_schema(engine)
        session = stack.enter_context(session_factory(engine)())
        for item in corpus:
            save_article(session, item, content_hash=item.key, source_path=f"{item.key}.md")
        session.commit()
        yield session


def corpus_fixture(corpus: Sequence[Article], folder: str) -> Any:
    """A module-scoped ``loaded`` fixture: a session on ``corpus``, once per database (SQLite,
    and PostgreSQL where a server runs); the tests using it only read."""

    @pytest.fixture(
        scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
    )
    def loaded(
        request: pytest.FixtureRequest,
        tmp_path_factory: pytest.TempPathFactory,
        postgres_available: bool,
    ) -> Iterator[Session]:
        with loaded_session(request.param, tmp_path_factory.mktemp(folder), corpus) as session:
            yield session

    return loaded
