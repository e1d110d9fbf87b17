"""A synthetic bilingual article corpus, deterministic from a seed.

Articles look like the project's files (front matter, a Chinese section with **bold** terms, a
thematic break, an English section, source-link lines), with word frequencies that follow a
Zipf-like curve so common characters and words are common, rare ones rare.

    python bench/corpus.py OUT_DIR --count 10000 [--seed 7]    # writes OUT_DIR/NNNNNN.md files
"""

from __future__ import annotations

import argparse
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path

from digestbot.model import Article, ArticleText, Lang

__all__ = ["Corpus", "Draft", "generate_articles", "main", "write_corpus"]

# Common Simplified characters, most frequent first (a stand-in for a frequency list).
CHARS = (
    "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过"
    "发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本"
    "前开但因只从想实日军者意无力它与长把机十民第公此已工使情明性知全三又关点正业外将两高间由问很"
    "最重并物手应战向头文体政美相见被利什二等产或新己制身果加西斯月话合回特代内信表化老给世位次度"
    "门任常先海通教儿原东声提立及比员解水名真论处走义各入几口认条平系气题活尔更别打女变四神总何电"
    "数安少报才结反受目太量再感建务做接必场件计管期市直德资命山金指克许统区保至队形社便空决治展马"
    "科司五基眼书非则听白却界达光放强即像难且权思王象完设式色路记南品住告类求据程北边死张该交规万"
    "取拉格望觉术领共确传师观清今切院让识候带导争运笑飞风步改收根干造言联持组每济车亲极林服快办议"
    "往元英士证近失转夫令准布始怎存未远叫台单影具罗字爱击流备兵连调深商算质团集百需价花党华城石级"
    "整府离况亚请技际约示复病息究线似官火断精满支视消越器容照须九增研写称企八功包片史委乎查轻易早"
    "曾除农找装广显阿李标谈吃图念六引历首医局突专费号尽另周较注语仅考落青随选列武红响虽推势参希古"
    "众构房半节土投某案黑维革划敌致陈律足态护七兴派孩验责营星够章音跟志底站严巴例防族供效续施留讲"
    "型料终答紧黄绝奇察母京段依批群项故按河米围江织害斗双境客纪采举杀攻父苏密低朝友诉止细愿千值仍"
    "芯源汽能锂储电池云算芯片网络模型数据投资市场银行利率火箭卫星航天半导体"
)
_ENGLISH_WORDS = """
the of and to in a is that for it as with was on be by at this are from or an have which
not but has were they their its one all new more can been other will would market
company china chinese government said year years people first last also about after into
over two most some than time between investment investors business growth economy
economic bank banks rate rates policy price prices technology chip chips chipmaker
semiconductor semiconductors export exports restrictions cloud computing artificial
intelligence model models data start-ups startup energy battery batteries electric
vehicle vehicles sales record power grid storage solar wind rocket rockets launch
booster boosters satellite space quality said aid aim air alibaba tencent huawei apple
microsoft nvidia research engineers production factory factories supply demand capital
equity stake stakes credit credits analysts shares stock profit revenue quarter billion
million percent trade tariffs officials minister regulators rules security national
global international local industry industries strategy plan plans support development
resources access users platform services service customers network networks software
hardware devices phones consumer consumers lithium sodium ion cells cost costs lower
higher record strong weak rising falling pressure competition competitors leading
largest biggest major key critical advanced domestic foreign according report reported
statement week month months today recently while because however despite amid since
during before under against across through without within around toward
"""
ENGLISH = _ENGLISH_WORDS.split()
TAGS = ("tech", "world", "markets", "energy", "auto", "space", "policy", "science", "health")
AUTHORS = ("ft", "reuters", "caixin", "bloomberg", "scmp", None)
ZH_PUNCT = "，，，、。"
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def _zipf_weights(count: int, shift: float) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + shift) for rank in range(count)))


@dataclass(frozen=True, slots=True)
class Draft:
    """One generated article, before it becomes a file or an :class:`Article`."""

    index: int
    date: datetime
    tags: tuple[str, ...]
    author: str | None
    url: str
    zh: tuple[str, tuple[str, ...]] | None  # title, paragraphs (Markdown with **bold**)
    en: tuple[str, tuple[str, ...]] | None
    zh_first: bool

    def markdown(self) -> str:
        """The article file's text in the project's format."""
        title = (self.zh or self.en or ("", ()))[0]
        summary = _summary(self.en[1]) if self.en else _summary(self.zh[1] if self.zh else ())
        head = [
            "---",
            f"title: {title}",
            f"date: {self.date.isoformat().replace('+00:00', 'Z')}",
            f"description: {summary}",
            "tags:",
            *(f"- {tag}" for tag in self.tags),
            *([f"author: {self.author}"] if self.author else []),
            "---",
            "",
        ]
        sections = []
        if self.zh:
            sections.append(
                "\n\n".join([f"[原文链接]({self.url})", f"# {self.zh[0]}", *self.zh[1]])
            )
        if self.en:
            sections.append(
                "\n\n".join([f"# {self.en[0]}", *self.en[1], f"[Source Link]({self.url})"])
            )
        if not self.zh_first:
            sections.reverse()
        return "\n".join(head) + "\n" + "\n\n---\n\n".join(sections) + "\n"

    def article(self) -> Article:
        """The article as the parser would make it (for database-level benchmarks)."""
        texts: dict[Lang, ArticleText] = {}
        for lang, section in ((Lang.ZH, self.zh), (Lang.EN, self.en)):
            if section is None:
                continue
            title, paragraphs = section
            body = "\n\n".join(paragraphs)
            terms = tuple(dict.fromkeys(part for part in body.split("**")[1::2]))
            plain_body = body.replace("**", "")
            texts[lang] = ArticleText(
                lang=lang,
                title=title,
                summary=_summary(paragraphs),
                body=body,
                key_terms=terms,
                plain=f"{title}\n\n{plain_body}",
            )
        if not self.zh_first:
            texts = dict(reversed(texts.items()))
        return Article(
            key=f"bench/{self.index:06d}",
            url=self.url,
            date=self.date,
            tags=self.tags,
            author=self.author,
            texts=texts,
        )


def _summary(paragraphs: tuple[str, ...]) -> str:
    lead = paragraphs[0].replace("**", "") if paragraphs else ""
    for end in ("。", ". "):
        cut = lead.find(end)
        if cut > 0:
            return lead[: cut + 1].strip()
    return lead[:120]


class Corpus:
    """The vocabulary and its frequencies; drafts are a pure function of (seed, index)."""

    def __init__(self, seed: int = 7, zh_words: int = 6000) -> None:
        self.seed = seed
        rng = random.Random(seed)
        char_weights = _zipf_weights(len(CHARS), shift=12.0)
        lengths = rng.choices((1, 2, 3, 4), weights=(15, 55, 18, 12), k=zh_words)
        words = {
            "".join(rng.choices(CHARS, cum_weights=char_weights, k=length)) for length in lengths
        }
        # Shuffled from sorted order: a set's own order changes with the process's hash seed.
        self.zh_words = sorted(sorted(words), key=lambda w: (rng.random(), w))
        self._zh_weights = _zipf_weights(len(self.zh_words), shift=8.0)
        self._en_weights = _zipf_weights(len(ENGLISH), shift=4.0)

    @cached_property
    def english(self) -> list[str]:
        """English vocabulary, most frequent first."""
        return list(ENGLISH)

    def _zh_paragraph(self, rng: random.Random) -> str:
        words = rng.choices(self.zh_words, cum_weights=self._zh_weights, k=rng.randint(30, 60))
        out = []
        for i, word in enumerate(words):
            out.append(f"**{word}**" if len(word) >= 3 and rng.random() < 0.08 else word)
            if i % rng.randint(5, 9) == 4:
                out.append(rng.choice(ZH_PUNCT))
        return "".join(out).rstrip("，、。") + "。"

    def _en_sentence(self, rng: random.Random) -> str:
        words = rng.choices(ENGLISH, cum_weights=self._en_weights, k=rng.randint(8, 20))
        words[0] = words[0].capitalize()
        return " ".join(f"**{w}**" if rng.random() < 0.02 else w for w in words) + "."

    def draft(self, index: int) -> Draft:
        """Article number ``index`` (the same for the same seed and index, always)."""
        rng = random.Random(self.seed * 1_000_003 + index)
        kind = rng.random()
        zh_title = "".join(
            rng.choices(self.zh_words, cum_weights=self._zh_weights, k=rng.randint(4, 8))
        )
        en_title = " ".join(
            rng.choices(ENGLISH, cum_weights=self._en_weights, k=rng.randint(5, 10))
        ).capitalize()
        zh = (zh_title, tuple(self._zh_paragraph(rng) for _ in range(rng.randint(3, 6))))
        en = (
            en_title,
            tuple(
                " ".join(self._en_sentence(rng) for _ in range(rng.randint(2, 5)))
                for _ in range(rng.randint(3, 6))
            ),
        )
        return Draft(
            index=index,
            date=EPOCH + timedelta(minutes=rng.randint(0, 5 * 365 * 24 * 60)),
            tags=tuple(rng.sample(TAGS, rng.randint(1, 3))),
            author=rng.choice(AUTHORS),
            url=f"https://news.example.com/{index:06d}",
            zh=None if kind > 0.9 else zh,  # 10% English only
            en=None if kind < 0.05 else en,  # 5% Chinese only
            zh_first=rng.random() < 0.85,
        )

    def drafts(self, count: int, start: int = 0) -> Iterator[Draft]:
        """Drafts ``start`` .. ``start + count - 1``."""
        return (self.draft(i) for i in range(start, start + count))


def generate_articles(count: int, seed: int = 7) -> Iterator[Article]:
    """``count`` articles as :class:`Article` objects, without files."""
    corpus = Corpus(seed)
    return (draft.article() for draft in corpus.drafts(count))


def write_corpus(folder: Path, count: int, seed: int = 7) -> list[Path]:
    """Write ``count`` article files into ``folder`` (created); returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for draft in Corpus(seed).drafts(count):
        path = folder / f"{draft.index:06d}.md"
        path.write_text(draft.markdown(), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> None:
    """Command line: write a corpus of files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    paths = write_corpus(args.folder, args.count, args.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} files, {size / 1e6:.1f} MB, to {args.folder}")


if __name__ == "__main__":
    main()
