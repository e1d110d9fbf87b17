"""Script folding in search: the phrase check reads each text's folded phrases, stored once.

Simplified and Traditional spellings of a query find the same articles in the same order with
the same scores and snippets, and a text written in Traditional ranks as its Simplified twin,
on SQLite (phrases checked in Python against ``article_texts.folded``) as on PostgreSQL.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from digestbot.chinese_script import fold_han
from digestbot.model import Article, Lang
from digestbot.store.search import search_articles
from digestbot.store.search_schema import folded_phrases, has_phrases, phrase_score
from digestbot.store.tokenize import SEP, cjk_bigrams, index_tokens, is_cjk
from tests.store.factory import article, corpus_fixture, text
from tests.store.test_tokenize import SAMPLE

# Simplified -> Traditional, character by character (what search folds back)
TRADITIONAL = dict(
    zip("台积电设厂车销导体产业发湾扩们资", "臺積電設廠車銷導體產業發灣擴們資", strict=True)
)
SENTENCES = (
    "台积电在高雄设新厂",
    "新能源汽车销量创新高，电池成本下降",
    "半导体产业发展迅速",
    "台湾的半导体产业领先全球，台积电扩产",
    "我们投资半导体，也投资新能源汽车",
    "高雄新厂，半导体产业",
)


def traditional(simplified: str) -> str:
    return "".join(TRADITIONAL.get(ch, ch) for ch in simplified)


def _corpus() -> tuple[Article, ...]:
    """Each sentence twice, once per script; titles and summaries from other sentences."""
    articles = []
    for i, body in enumerate(SENTENCES):
        title = SENTENCES[(i + 1) % len(SENTENCES)][:6]
        summary = SENTENCES[(i + 2) % len(SENTENCES)][:8]
        for script, convert in (("hans", str), ("hant", traditional)):
            articles.append(
                article(
                    f"{i}-{script}",
                    text(Lang.ZH, convert(title), convert(body), convert(summary)),
                    day=len(articles) + 1,
                )
            )
    return tuple(articles)


CORPUS = _corpus()


def test_the_traditional_spellings_fold_to_the_simplified() -> None:
    assert all(fold_han(trad) == simp for simp, trad in TRADITIONAL.items())


loaded = corpus_fixture(CORPUS, "folding")


def _ranked(session: Session, query: str) -> list[tuple[str, float, str]]:
    hits = search_articles(session, query, limit=50)
    return [(hit.key, hit.score, hit.snippet.text.translate(_FOLD)) for hit in hits]


_FOLD = str.maketrans({trad: simp for simp, trad in TRADITIONAL.items()})


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_either_spelling_finds_the_same_articles_in_the_same_order(
    loaded: Session, data: st.DataObject
) -> None:
    sentence = data.draw(st.sampled_from(SENTENCES))
    start = data.draw(st.integers(0, len(sentence) - 1))
    query = sentence[start : data.draw(st.integers(start + 1, min(len(sentence), start + 6)))]
    assume(any(is_cjk(ch) for ch in query))
    spelled = "".join(
        TRADITIONAL[ch] if ch in TRADITIONAL and data.draw(st.booleans()) else ch for ch in query
    )
    simplified = _ranked(loaded, query)
    assert _ranked(loaded, spelled) == simplified
    assert _ranked(loaded, traditional(query)) == simplified
    scores = {key: score for key, score, _ in simplified}
    for key, score in scores.items():  # each text ranks as its twin in the other script
        twin = key.replace("hans", "hant") if key.endswith("hans") else key.replace("hant", "hans")
        assert scores.get(twin) == pytest.approx(score), (query, key)
    assert simplified  # a piece of a sentence always finds it


# Text with what folds: Traditional, compatibility forms, ゟ (folds to two characters), ㈠ and
# U+037A (letters that fold to nothing), half-width kana, beside the tokenizer's sample.
FOLDING = "臺灣台湾積电電\uf900豈ゟより㈠\u037aｶカ"
ALPHABET = st.sampled_from([*SAMPLE, *FOLDING, SEP, "\u0301"])
FIELDS = st.text(alphabet=ALPHABET, max_size=40)


def _reference(field: str, phrase: str) -> bool:
    """The definition: the phrase's bigrams, in order, among the field's (no shortcuts)."""
    pairs = [a + b for a, b in itertools.pairwise(phrase.split(" "))]
    found = cjk_bigrams(index_tokens(field))
    return any(found[i : i + len(pairs)] == pairs for i in range(len(found)))


def _phrases(fields: tuple[str, ...], data: st.DataObject) -> list[str]:
    """Phrases of 2+ tokens cut from the fields' CJK runs, and one from anywhere."""
    runs: list[list[str]] = [[]]
    for field in fields:
        for token in [*index_tokens(field), SEP]:
            if is_cjk(token[0]):
                runs[-1].append(token)
            elif runs[-1]:
                runs.append([])
    phrases = []
    for run in runs:
        if len(run) > 1:
            start = data.draw(st.integers(0, len(run) - 2))
            end = data.draw(st.integers(start + 2, len(run)))
            phrases.append(" ".join(run[start:end]))
    other = data.draw(st.text(alphabet=FOLDING, min_size=2, max_size=4))
    phrases.append(" ".join(t for t in index_tokens(other) if t != SEP))
    return [phrase for phrase in phrases if len(phrase.split(" ")) > 1]


@settings(max_examples=300)
@given(FIELDS, FIELDS, FIELDS, st.sampled_from(["\n", "", " ", "。"]), st.data())
def test_the_stored_folding_checks_phrases_as_the_tokenizer(
    title: str, summary: str, body: str, gap: str, data: st.DataObject
) -> None:
    """With a text's stored folded phrases, the substring check says what the tokens say."""
    plain = f"{title}{gap}{body}" if title else body
    fields = (title, summary, plain[len(title) :].lstrip() if title else plain)
    folded = folded_phrases(fields)
    for phrase in _phrases(fields, data):
        expected = any(_reference(field, phrase) for field in fields)
        assert has_phrases(title, summary, plain, folded, phrase) == expected, (fields, phrase)
        score = phrase_score(title, summary, plain, folded, phrase)
        assert (score < 0) == expected, (fields, phrase)
