"""Text preparation for search (pure): CJK characters as single tokens, Latin words folded.

Every Han, kana or hangul character becomes its own token, so a Chinese query of any length is a
phrase of its characters (substring semantics). Other letters and digits form words, case- and
accent-folded, searched by prefix (``chip`` finds "chips", ``ai`` never matches inside "said").
A gap (punctuation, spaces) between two CJK characters becomes the separator token :data:`SEP`,
so a phrase never matches across it (新能源，汽车 does not contain 新能源汽车).
The query builders turn user text into FTS5 and PostgreSQL ``tsquery`` syntax with every token
quoted: nothing the user types is ever query syntax.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from digestbot.errors import QueryError

__all__ = [
    "MAX_QUERY_GROUPS",
    "MAX_QUERY_TOKENS",
    "SEP",
    "QueryGroup",
    "SearchQuery",
    "Token",
    "build_query",
    "index_text",
    "index_tokens",
    "is_cjk",
    "tokens_with_spans",
]

SEP = "\ue000"  # private-use: a token character for FTS5 unicode61, never produced by a query
MAX_WORD = 64  # longer runs of letters are cut into several tokens (PostgreSQL lexeme limit)
MAX_QUERY_TOKENS = 64
MAX_QUERY_GROUPS = 16

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
_WORD = f"[^\\W_{_CJK}{SEP}]{{1,{MAX_WORD}}}"
_GAP = f"(?<=[{_CJK}])(?:[^\\w{_CJK}]|_)+(?=[{_CJK}])"
_SPLIT_RE = re.compile(_GAP)
_TOKEN_RE = re.compile(f"{SEP}|[{_CJK}]|{_WORD}")
_SPAN_RE = re.compile(f"(?P<sep>{_GAP}|{SEP})|(?P<cjk>[{_CJK}])|(?P<word>{_WORD})")
_CJK_RE = re.compile(f"[{_CJK}]")
# Characters that folding may change beyond ``str.lower``: all but ASCII, the common ideograph
# block and SEP.
_NEEDS_FOLD_RE = re.compile("[\u0080-\u4dff\ua000-\udfff\ue001-\U0010ffff]")


@lru_cache(maxsize=65536)
def _fold_char(ch: str) -> str:
    """One character folded: CJK compatibility forms unified, others without accents, casefolded."""
    if ch == SEP:
        return ch
    if _CJK_RE.match(ch):
        return unicodedata.normalize("NFKC", ch)
    plain = unicodedata.normalize("NFKD", ch)
    folded = "".join(c for c in plain if not unicodedata.combining(c)).casefold().lower()
    return "".join(c for c in folded if c.isalnum())


def _fold_match(match: re.Match[str]) -> str:
    return _fold_char(match.group())


def _fold(text: str) -> str:
    if not text.isascii():
        text = _NEEDS_FOLD_RE.sub(_fold_match, text)
    return text.lower()


def is_cjk(ch: str) -> bool:
    """Whether ``ch`` is a character that stands as its own token (Han, kana, hangul)."""
    return _CJK_RE.fullmatch(ch) is not None


def index_tokens(text: str) -> list[str]:
    """The folded tokens of ``text`` in order, with :data:`SEP` where a CJK phrase must break."""
    return index_text(text).split()


def index_text(text: str) -> str:
    """``text`` as the search index sees it: folded tokens separated by spaces."""
    return _fold(" ".join(_TOKEN_RE.findall(_SPLIT_RE.sub(SEP, text))))


@dataclass(frozen=True, slots=True)
class Token:
    """A token with its place in the original text, for highlighting."""

    text: str  # folded, as indexed
    start: int
    end: int
    cjk: bool


def tokens_with_spans(text: str) -> Iterator[Token]:
    """The same tokens as :func:`index_tokens`, each with its span in ``text``."""
    for match in _SPAN_RE.finditer(text):
        kind = match.lastgroup
        if kind == "sep":
            yield Token(SEP, match.start(), match.end(), cjk=False)
            continue
        folded = _fold(match.group())
        if folded:
            yield Token(folded, match.start(), match.end(), cjk=kind == "cjk")


@dataclass(frozen=True, slots=True)
class QueryGroup:
    """One required part of a query: a phrase of CJK characters, or a word matched by prefix."""

    tokens: tuple[str, ...]
    prefix: bool  # a word: matches every token that starts with it


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A user's query, cleaned: every group must match (AND)."""

    groups: tuple[QueryGroup, ...]

    def fts5(self) -> str:
        """The FTS5 MATCH expression; every token is a quoted string."""
        parts = []
        for group in self.groups:
            quoted = '"' + " ".join(group.tokens).replace('"', '""') + '"'
            parts.append(quoted + "*" if group.prefix else quoted)
        return " AND ".join(parts)

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


def build_query(text: str) -> SearchQuery:
    """User text as a :class:`SearchQuery`; :class:`QueryError` when nothing searchable is left."""
    groups: list[QueryGroup] = []
    run: list[str] = []
    budget = MAX_QUERY_TOKENS

    def close_run() -> None:
        if run:
            groups.append(QueryGroup(tuple(run), prefix=False))
            run.clear()

    for token in tokens_with_spans(text[: MAX_QUERY_TOKENS * (MAX_WORD + 8)]):
        if budget == 0 or len(groups) >= MAX_QUERY_GROUPS:
            break
        if token.cjk:
            run.append(token.text)
            budget -= 1
            continue
        close_run()
        if token.text != SEP:
            groups.append(QueryGroup((token.text,), prefix=True))
            budget -= 1
    close_run()
    unique = tuple(dict.fromkeys(groups[:MAX_QUERY_GROUPS]))
    if not unique:
        raise QueryError(
            "empty query: type a word or some Chinese characters to search for "
            "(punctuation and symbols alone are ignored)"
        )
    return SearchQuery(unique)
