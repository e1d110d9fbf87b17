"""The domain model's pure rules: which articles a reader is offered."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from digestbot.model import Lang, offered_to, required_lang

LANGS = st.sampled_from(list(Lang))
ARTICLE_LANGS = st.frozensets(LANGS, min_size=1)


@given(ARTICLE_LANGS, LANGS)
def test_with_the_setting_on_every_article_is_offered(langs: frozenset[Lang], reader: Lang) -> None:
    assert offered_to(langs, reader, other_language=True)
    assert required_lang(reader, other_language=True) is None


@given(ARTICLE_LANGS, LANGS)
def test_with_the_setting_off_only_articles_in_the_readers_language(
    langs: frozenset[Lang], reader: Lang
) -> None:
    assert offered_to(langs, reader, other_language=False) == (reader in langs)
    assert required_lang(reader, other_language=False) is reader


@given(ARTICLE_LANGS, LANGS, st.booleans())
def test_an_article_in_both_languages_is_always_offered(
    langs: frozenset[Lang], reader: Lang, other: bool
) -> None:
    assert offered_to(langs | {reader}, reader, other)
    assert offered_to(frozenset(Lang), reader, other)


def test_examples() -> None:
    assert not offered_to((Lang.EN,), Lang.ZH, other_language=False)
    assert not offered_to([Lang.ZH], Lang.EN, other_language=False)
    assert offered_to([Lang.ZH], Lang.EN, other_language=True)
    assert offered_to((Lang.EN, Lang.ZH), Lang.ZH, other_language=False)
