"""Text preparation for search (pure): CJK characters as single tokens, Latin words folded.

Every Han, kana or hangul character becomes its own token (a Traditional character folded to its
Simplified form, so 台積電 and 台积电 are the same tokens), so a Chinese query of any length is a
phrase of its characters (substring semantics). Other letters and digits form words, case- and
accent-folded, searched by prefix (``chip`` finds "chips", ``ai`` never matches inside "said").
A gap (punctuation, spaces) between two CJK characters becomes the separator token :data:`SEP`,
so a phrase never matches across it (新能源，汽车 does not contain 新能源汽车).
The query builders turn user text into FTS5 and PostgreSQL ``tsquery`` syntax with every token
quoted: nothing the user types is ever query syntax.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from digestbot.chinese_script import fold_han
from digestbot.errors import QueryError

__all__ = [
    "MAX_QUERY_CHARS",
    "MAX_QUERY_GROUPS",
    "MAX_QUERY_TOKENS",
    "SEP",
    "QueryGroup",
    "SearchQuery",
    "Token",
    "build_query",
    "cjk_bigrams",
    "fit_query",
    "has_phrase",
    "index_text",
    "index_tokens",
    "is_cjk",
    "phrase_pattern",
    "phrase_runs",
    "tokens_with_spans",
    "word_start",
]

SEP = "\ue000"  # private use: a token character for FTS5 unicode61; in user text, a mere gap
MAX_WORD = 64  # longer runs of letters are cut into several tokens (PostgreSQL lexeme limit)
MAX_QUERY_TOKENS = 64
MAX_QUERY_GROUPS = 16
MAX_QUERY_CHARS = 256  # of a reader's query (Telegram's own limit for inline queries)
MIN_PREFIX = 3  # shorter words match whole words only: "ai" is not "aim", "a" is not "and"
FTS_TOKEN_COLUMNS = "title summary body"
FTS_BIGRAM_COLUMNS = "title2 summary2 body2"

_CJK = (
    "\u1100-\u11ff"  # hangul jamo
    "\u3005-\u3007"  # 々 〆 〇
    "\u3041-\u3096\u309d-\u309f"  # hiragana
    "\u30a1-\u30fa\u30fc-\u30ff"  # katakana (without the middle dot)
    "\u3131-\u318e"  # hangul compatibility jamo
    "\u31f0-\u31ff"  # katakana phonetic extensions
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uac00-\ud7a3"  # hangul syllables
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\uff66-\uff9d"  # half-width katakana
    "\U00020000-\U0003134f"  # CJK extensions B-G and the compatibility supplement
)
_CJK_RE = re.compile(f"[{_CJK}]")
_RUN_RE = re.compile(f"(?P<cjk>[{_CJK}])|(?P<word>[^\\W_{_CJK}]+)")  # gaps lie between matches
_ASCII_WORD_RE = re.compile(f"[a-z0-9]{{1,{MAX_WORD}}}")
_GAP_MARK = "\x00"


def _fold_cjk(ch: str) -> str:
    """A CJK character as indexed: compatibility forms plain, Traditional as Simplified."""
    plain = unicodedata.normalize("NFKC", ch)
    return fold_han(plain) if len(plain) == 1 else plain


def _fold_word_char(ch: str) -> str:
    """A letter or digit folded: no accents, compatibility forms plain, casefolded."""
    plain = unicodedata.normalize("NFKD", ch)
    folded = "".join(c for c in plain if not unicodedata.combining(c)).casefold().lower()
    return "".join(c for c in folded if c.isalnum() and not _CJK_RE.match(c))


class _FoldTable(dict[int, str]):
    """A ``str.translate`` table filled on demand: CJK spaced, letters folded, gaps marked."""

    def __init__(self) -> None:
        super().__init__()
        self.cjk: set[str] = set()  # folded forms of the CJK characters seen
        # characters seen that a phrase cannot be found as written: CJK characters folded to
        # another (Traditional, compatibility forms), letters folded to nothing
        self.unwritten: set[str] = set()

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if _CJK_RE.match(ch):
            folded = _fold_cjk(ch)
            self.cjk.add(folded)
            if folded != ch:
                self.unwritten.add(ch)
            value = f" {folded} "
        elif ch.isalnum():
            value = _fold_word_char(ch)
            if not value:
                self.unwritten.add(ch)
        else:
            value = f" {_GAP_MARK} "
        self[code] = value
        return value


_TABLE = _FoldTable()


def is_cjk(ch: str) -> bool:
    """Whether ``ch`` is a character that stands as its own token (Han, kana, hangul)."""
    return _CJK_RE.fullmatch(ch) is not None


@lru_cache(maxsize=1024)
def word_start(word: str) -> re.Pattern[str]:
    """A case-insensitive pattern finding ``word`` where a word starts (a quick pre-search)."""
    return re.compile(f"(?<![^\\W_{_CJK}]){re.escape(word)}", re.IGNORECASE)


def _chunks(word: str) -> list[str]:
    return [word[i : i + MAX_WORD] for i in range(0, len(word), MAX_WORD)]


def index_tokens(text: str) -> list[str]:
    """The folded tokens of ``text`` in order, with :data:`SEP` where a CJK phrase must break."""
    if text.isascii():
        return _ASCII_WORD_RE.findall(text.lower())
    tokens: list[str] = []
    gap = last_cjk = False
    cjk_forms = _TABLE.cjk
    for token in text.translate(_TABLE).split():
        if token == _GAP_MARK:
            gap = True
            continue
        cjk = token in cjk_forms
        if gap and cjk and last_cjk:
            tokens.append(SEP)
        gap = False
        last_cjk = cjk
        if cjk or len(token) <= MAX_WORD:
            tokens.append(token)
        else:
            tokens.extend(_chunks(token))
    return tokens


def index_text(text: str) -> str:
    """``text`` as the search index sees it: folded tokens separated by spaces."""
    return " ".join(index_tokens(text))


def phrase_runs(text: str, tokens: list[str] | None = None) -> str | None:
    """Where the CJK phrases of ``text`` are, as plain strings: None when ``text`` itself is.

    A phrase of single-character tokens is in ``text`` (as :func:`has_phrase` says) exactly
    when its characters, joined, are in the returned string: the runs of adjacent
    single-character CJK tokens, one a line. None means the same holds of ``text`` as written:
    no character of it folds to another or to nothing. ``tokens`` are ``index_tokens(text)``
    when the caller has them.
    """
    tokens = index_tokens(text) if tokens is None else tokens
    if text.isascii() or _TABLE.unwritten.isdisjoint(text):  # the table has seen all of text
        return None
    cjk_forms = _TABLE.cjk
    runs = "".join(t if len(t) == 1 and t in cjk_forms else "\n" for t in tokens)
    return "\n".join(runs.split())


def cjk_bigrams(tokens: list[str]) -> list[str]:
    """Each pair of adjacent CJK tokens as one token, with :data:`SEP` between CJK runs.

    A phrase of bigrams matches exactly where the phrase of characters does, but FTS5 finds it
    from short posting lists instead of checking the positions of very common characters.
    """
    out: list[str] = []
    previous = ""
    cjk_forms = _TABLE.cjk
    for token in tokens:
        if token in cjk_forms:
            if previous:
                out.append(previous + token)
            elif out:
                out.append(SEP)
            previous = token
        else:
            previous = ""
    return out


@dataclass(frozen=True, slots=True)
class Token:
    """A token with its place in the original text, for highlighting."""

    text: str  # folded, as indexed
    start: int
    end: int
    cjk: bool


def tokens_with_spans(text: str) -> Iterator[Token]:
    """The same tokens as :func:`index_tokens`, each with its span in ``text``."""
    seen = last_end = 0
    gap = last_cjk = False
    for match in _RUN_RE.finditer(text):
        start, end = match.span()
        gap = gap or start > seen
        seen = end
        folded = match.group().translate(_TABLE).strip()
        if not folded:
            continue  # letters that fold to nothing are neither a token nor a gap
        cjk = match.lastgroup == "cjk"
        if gap and cjk and last_cjk:
            yield Token(SEP, last_end, start, cjk=False)
        gap = False
        last_cjk, last_end = cjk, end
        for piece in [folded] if cjk else _chunks(folded):
            yield Token(piece, start, end, cjk=cjk)


@dataclass(frozen=True, slots=True)
class QueryGroup:
    """One required part of a query: a phrase of CJK characters, or a word matched by prefix."""

    tokens: tuple[str, ...]
    prefix: bool  # a word of MIN_PREFIX letters or more: matches every token starting with it


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A user's query, cleaned: every group must match (AND)."""

    groups: tuple[QueryGroup, ...]

    def fts5(self) -> str:
        """The FTS5 MATCH expression; every token is a quoted string.

        Words and single characters search the token columns; longer CJK phrases search the
        bigram columns (``*2``, see :func:`cjk_bigrams`). This is the one-table form with
        positions; the store queries two tables (:meth:`fts5_tokens`, :meth:`fts5_bigrams`).
        """
        parts = []
        for group in self.groups:
            tokens = group.tokens
            columns = FTS_TOKEN_COLUMNS
            if len(tokens) > 1:
                tokens = tuple(a + b for a, b in itertools.pairwise(tokens))
                columns = FTS_BIGRAM_COLUMNS
            quoted = '"' + " ".join(tokens).replace('"', '""') + '"'
            parts.append(f"{{{columns}}} : {quoted}{'*' if group.prefix else ''}")
        return " AND ".join(parts)

    def fts5_tokens(self) -> str | None:
        """The MATCH expression for the token table: words and single characters (AND)."""
        parts = [
            f'"{group.tokens[0].replace(chr(34), chr(34) * 2)}"{"*" if group.prefix else ""}'
            for group in self.groups
            if len(group.tokens) == 1
        ]
        return " AND ".join(parts) or None

    def fts5_bigrams(self) -> str | None:
        """The MATCH expression for the bigram table: every bigram of every phrase (AND).

        The bigram table keeps no positions (``detail=column``), so a phrase of three or more
        characters is matched as the AND of its bigrams here and checked against the text
        (:meth:`phrases`); a two-character phrase is one bigram, exact as it is.
        """
        bigrams = dict.fromkeys(
            a + b
            for group in self.groups
            if len(group.tokens) > 1
            for a, b in itertools.pairwise(group.tokens)
        )
        return " AND ".join('"' + b.replace('"', '""') + '"' for b in bigrams) or None

    def phrases(self, min_tokens: int = 2) -> tuple[str, ...]:
        """The CJK phrases of ``min_tokens`` or more characters, tokens joined by spaces.

        Those of three or more are what the bigram index over-matches (see :func:`has_phrase`).
        """
        return tuple(
            " ".join(group.tokens) for group in self.groups if len(group.tokens) >= min_tokens
        )

    def tsquery(self) -> str:
        """The PostgreSQL ``tsquery`` text (cast it with ``CAST(:q AS tsquery)``)."""
        parts = []
        for group in self.groups:
            quoted = [_ts_quote(token) for token in group.tokens]
            if group.prefix:
                parts.append(quoted[0] + ":*")
            elif len(quoted) == 1:
                parts.append(quoted[0])
            else:
                parts.append("(" + " <-> ".join(quoted) + ")")
        return " & ".join(parts)


def _ts_quote(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


@lru_cache(maxsize=1)
def _variants() -> dict[str, str]:
    """Each CJK token with the other characters that fold to it (compatibility forms, Traditional
    characters)."""
    variants: dict[str, str] = {}
    for first, last in re.findall(r"(.)(?:-(.))?", _CJK):
        for code in range(ord(first), ord(last or first) + 1):
            folded = _fold_cjk(chr(code))
            if folded != chr(code):
                variants[folded] = variants.get(folded, "") + chr(code)
    return variants


@lru_cache(maxsize=256)
def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A pattern found wherever the phrase (tokens joined by spaces) may be a phrase of a text.

    Each token stands for the characters folding to it; between two, only letters that might
    fold to nothing (never a gap). A superset: :func:`has_phrase` confirms with the tokenizer.
    """
    variants = _variants()
    classes = []
    for token in phrase.split(" "):
        forms = variants.get(token, "")
        if len(token) == 1:
            forms += token
        classes.append(f"[{re.escape(forms)}]" if forms else "(?!)")
    return re.compile(f"[^\\W_{_CJK}]*".join(classes))


def has_phrase(text: str, phrase: str) -> bool:
    """Whether ``phrase`` (folded CJK tokens joined by spaces) is a phrase of ``text``'s tokens.

    The same test as a phrase query over :func:`cjk_bigrams`: the tokens adjacent, in order, no
    gap between them. The phrase as it stands in the text settles most cases, and a pattern
    allowing for compatibility forms rules most others out, both at C speed; ``text`` is
    tokenized only when that pattern is found.
    """
    tokens = phrase.split(" ")
    if all(len(token) == 1 for token in tokens) and "".join(tokens) in text:
        return True
    if phrase_pattern(phrase).search(text) is None:
        return False
    wanted = " " + " ".join(a + b for a, b in itertools.pairwise(tokens)) + " "
    return wanted in " " + " ".join(cjk_bigrams(index_tokens(text))) + " "


def _read_groups(text: str) -> tuple[list[QueryGroup], int | None]:
    """The distinct groups of ``text`` within the query limits, and the offset of the first token
    left out (None when every token was read). A repeated word or phrase costs nothing."""
    groups: dict[QueryGroup, int] = {}  # each with the offset where it starts
    run: list[str] = []
    run_start = used = 0  # used: tokens in the groups so far

    def add(group: QueryGroup, start: int) -> None:
        nonlocal used
        if group not in groups:
            groups[group] = start
            used += len(group.tokens)

    def close_run() -> None:
        if run:
            add(QueryGroup(tuple(run), prefix=False), run_start)
            run.clear()

    window = text[: MAX_QUERY_TOKENS * (MAX_WORD + 8)]
    stop = len(window) if len(window) < len(text) else None
    for token in tokens_with_spans(window):
        if used + len(run) >= MAX_QUERY_TOKENS or len(groups) >= MAX_QUERY_GROUPS:
            stop = token.start
            break
        if token.cjk:
            if not run:
                run_start = token.start
            run.append(token.text)
            continue
        close_run()
        if token.text != SEP:
            add(QueryGroup((token.text,), prefix=len(token.text) >= MIN_PREFIX), token.start)
    close_run()
    kept = list(groups.items())
    if len(kept) > MAX_QUERY_GROUPS:  # the run closed last is one group too many
        stop = kept.pop()[1]
    elif stop is not None:
        while kept and kept[-1][1] == stop:  # a long word is read whole or not at all
            kept.pop()
    return [group for group, _ in kept], stop


def build_query(text: str) -> SearchQuery:
    """User text as a :class:`SearchQuery`; :class:`QueryError` when nothing searchable is left.

    At most :data:`MAX_QUERY_GROUPS` distinct words or phrases of :data:`MAX_QUERY_TOKENS` tokens
    in all are read: the cost of a search is bounded whatever is pasted (see :func:`fit_query`).
    """
    groups, _ = _read_groups(text)
    if not groups:
        raise QueryError(
            "empty query: type a word or some Chinese characters to search for "
            "(punctuation and symbols alone are ignored)"
        )
    return SearchQuery(tuple(groups))


def fit_query(text: str, max_chars: int = MAX_QUERY_CHARS) -> tuple[str, bool]:
    """The part of ``text`` (stripped) that a search reads, and whether it is less than all.

    At most ``max_chars`` characters, ending before the first token beyond the limits of
    :func:`build_query`; searching it finds what searching ``text`` would, and it can be shown
    to the reader as what was searched.
    """
    stripped = text.strip()
    head = stripped[:max_chars]
    _, stop = _read_groups(head)
    if stop is not None:
        head = head[:stop].rstrip()
    return head, len(head) < len(stripped)
