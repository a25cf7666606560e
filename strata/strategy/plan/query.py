"""The listening query language: text in, a tree of terms out, or `QueryError` with the position
(a character offset into the query) of the token that is wrong and what was expected there.

The language (docs/plan-format.md, "Listening queries", is the reference for people):

    query   := or
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*            adjacent terms are joined by AND
    unary   := ("NOT" | "-") unary | near
    near    := primary ["NEAR/" n primary]         both within n words, either order
    primary := "(" or ")" | term
    term    := word | word* | "a phrase" | #hashtag | #hashtag* | @handle | @handle*

Operators are written in capitals; `and`, `or`, `not` are ordinary words. The same
normalisation and tokenisation apply to queries and to the texts they are matched against, so
the two can only agree: see `normalise` and `tokenise`. The matcher lives in
strata.engagement.listening; this module knows nothing of it.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

import regex

MAX_LENGTH = 4000
MAX_DEPTH = 32  # parentheses and NOTs inside each other: the parser recurses
MAX_NEAR = 100
MIN_PREFIX = 2  # letters before a wildcard: `b*` would match a good part of the language

# Scripts written without spaces between words: each character is a token of its own, so that
# a query word in them matches wherever its characters stand next to each other.
_CJK = r"\p{Han}\p{Hiragana}\p{Katakana}\u30fc"
_W = rf"[\p{{L}}\p{{M}}\p{{N}}\p{{Pc}}--[{_CJK}]]"  # a letter of a word
_TAG = r"[\p{L}\p{M}\p{N}\p{Pc}]"  # a letter of a hashtag (CJK included: tags are written whole)
_HANDLE = rf"{_TAG}(?:[\p{{L}}\p{{M}}\p{{N}}\p{{Pc}}.\-]*{_TAG})?"
_HANDLE_BODY = rf"{_HANDLE}(?:@{_HANDLE})?"  # acme.bsky.social or acme@mastodon.example

_LETTER = r"\p{L}\p{M}\p{N}\p{Pc}"
# Words come first: most of any text is words, and the lookbehinds are only tried at '@' and '#'.
_TOKENS = regex.compile(
    rf"{_W}+"
    rf"|@(?<![{_LETTER}@]@){_HANDLE_BODY}"  # an @handle, not the middle of an e-mail address
    rf"|#(?<![{_LETTER}&]#){_TAG}+"  # a #hashtag, not C# or &#39;
    rf"|[{_CJK}]"
    r"|\p{So}",  # emoji and other symbols, one token each
    regex.V1,
)
# The same for text that is all ASCII (most posts), several times faster: in ASCII, letters
# are [A-Za-z0-9_] and there are no CJK characters or symbols of the kind above.
_A = "[A-Za-z0-9_]"
_ASCII_HANDLE = rf"{_A}(?:[A-Za-z0-9_.\-]*{_A})?"
_ASCII_TOKENS = regex.compile(rf"{_A}+|@(?<![A-Za-z0-9_@]@){_ASCII_HANDLE}(?:@{_ASCII_HANDLE})?|#(?<![A-Za-z0-9_&]#){_A}+", regex.ASCII)
_ACCENTED = regex.compile(r"([\p{Latin}\p{Greek}])[\u0300-\u036f]+")
# Before NFKC: ™ and ℠ would otherwise become letters glued to the brand ("acmetm").
_BEFORE = {0x2122: " ", 0x2120: " "}
# After NFKC: variation selectors say how an emoji looks, not what it is.
_INVISIBLE = dict.fromkeys(range(0xFE00, 0xFE10))

TokenKind = Literal["word", "hashtag", "handle"]


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # normalised; a hashtag without '#', a handle with its '@'
    kind: TokenKind


def normalise(text: str) -> str:
    """NFKC, case folded, accents taken off Latin and Greek letters (café → cafe, but й stays й)."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKC", text.translate(_BEFORE)).casefold().translate(_INVISIBLE)
    return unicodedata.normalize("NFC", _ACCENTED.sub(r"\1", unicodedata.normalize("NFD", text)))


def raw_tokens(normalised: str) -> list[str]:
    """The tokens of a text already passed through `normalise`, as written: words (runs of
    letters and digits; any other character separates them), single CJK characters, single
    emoji, '#hashtags' and '@handles'."""
    return (_ASCII_TOKENS if normalised.isascii() else _TOKENS).findall(normalised)


def tokenise(normalised: str) -> list[Token]:
    return [Token(t[1:], "hashtag") if t[0] == "#" else Token(t, "handle" if t[0] == "@" else "word") for t in raw_tokens(normalised)]


def token_texts(normalised: str) -> list[str]:
    """Token texts as words are matched: a hashtag counts as its word."""
    return [t[1:] if t[0] == "#" else t for t in raw_tokens(normalised)]


# The tree. Offsets (`at`) are kept for messages and left out of comparisons.


@dataclass(frozen=True, slots=True)
class Term:
    """Words in a row (one word, a phrase, or a word with punctuation like e-bike), a hashtag or
    a handle. With `prefix`, the last token only has to start with its text."""

    kind: Literal["words", "hashtag", "handle"]
    tokens: tuple[str, ...]
    prefix: bool = False
    at: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Not:
    child: Node
    at: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]
    at: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]
    at: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Near:
    """Any of `left` and any of `right` at two different places at most `distance` words apart."""

    left: tuple[Term, ...]
    right: tuple[Term, ...]
    distance: int
    at: int = field(default=0, compare=False)


Node = Term | Not | And | Or | Near


class QueryError(ValueError):
    """The query cannot be read. `offset` is the character of the query the message is about."""

    def __init__(self, offset: int, problem: str) -> None:
        self.offset = offset
        self.problem = problem
        super().__init__(f"{problem} (character {offset + 1} of the query)")


# Lexing


@dataclass(frozen=True, slots=True)
class _Lexeme:
    kind: Literal["(", ")", "AND", "OR", "NOT", "-", "NEAR", "term"]
    at: int
    term: Term | None = None
    distance: int = 0


_OPEN_QUOTES = {'"': '"', "“": "”", "„": "“"}
_STOP = set(' \t\r\n()"“”„')
_NEAR = regex.compile(r"NEAR/([0-9]+)")
_EXPECTED = "a word, a \"phrase\", a #hashtag, an @handle or '('"


def _lex(query: str) -> Iterator[_Lexeme]:
    i, n = 0, len(query)
    while i < n:
        char = query[i]
        if char.isspace():
            i += 1
        elif char in "()":
            yield _Lexeme(char, i)  # type: ignore[arg-type]
            i += 1
        elif char in _OPEN_QUOTES:
            close = query.find(_OPEN_QUOTES[char], i + 1)
            if close < 0 and char != '"':
                close = query.find('"', i + 1)
            if close < 0:
                raise QueryError(i, "this quote is never closed: expected a closing '\"' after the phrase")
            yield _Lexeme("term", i, _phrase(query, i, close))
            i = close + 1
        elif char == "-" and i + 1 < n and not query[i + 1].isspace() and query[i + 1] != ")":
            yield _Lexeme("-", i)
            i += 1
        else:
            end = i
            while end < n and query[end] not in _STOP and not query[end].isspace():
                end += 1
            yield _bare(query, i, end)
            i = end


def _bare(query: str, start: int, end: int) -> _Lexeme:
    word = query[start:end]
    if word in ("AND", "OR", "NOT"):
        return _Lexeme(word, start)  # type: ignore[arg-type]
    if word == "-":
        raise QueryError(start, "'-' excludes the word right after it: write -word, with no space")
    if word == "NEAR" or word.startswith("NEAR/"):
        match = _NEAR.fullmatch(word)
        if not match:
            raise QueryError(start, "NEAR needs a number of words after a slash, like NEAR/3")
        distance = int(match.group(1))
        if not 1 <= distance <= MAX_NEAR:
            raise QueryError(start, f"NEAR/{distance}: the number of words must be between 1 and {MAX_NEAR}")
        return _Lexeme("NEAR", start, distance=distance)
    if word.lower().startswith("lang:"):
        raise QueryError(start, "the language is set beside the query (language: de), not inside it")
    return _Lexeme("term", start, _word(word, start))


def _wildcard(word: str, start: int) -> tuple[str, bool]:
    star = word.find("*")
    if star < 0:
        return word, False
    if star != len(word) - 1:
        raise QueryError(start + star, "'*' stands for the end of a word: put it last, like bike*")
    return word[:-1], True


def _word(word: str, start: int) -> Term:
    body, prefix = _wildcard(word, start)
    if body[:1] in "#@" and len(body) > 0:
        sign, name = body[0], normalise(body[1:])
        if sign == "#" and not regex.fullmatch(rf"{_TAG}+", name, regex.V1):
            raise QueryError(start, "a #hashtag is '#' and letters or digits, like #cycling")
        if sign == "@" and not regex.fullmatch(_HANDLE_BODY, name, regex.V1):
            raise QueryError(start, "an @handle is '@' and the account's name, like @acme.bsky.social")
        if prefix and len(name) < MIN_PREFIX:
            raise QueryError(start, f"a wildcard needs at least {MIN_PREFIX} letters before '*'")
        if sign == "#":
            return Term("hashtag", (name,), prefix, start)
        return Term("handle", ("@" + name,), prefix, start)
    tokens = tuple(token_texts(normalise(body)))
    if not tokens:
        raise QueryError(start, f"'{word}' has no letters, digits or emoji to search for")
    if prefix:
        if not regex.search(r"[\p{L}\p{M}\p{N}\p{Pc}]$", body, regex.V1):
            raise QueryError(start + len(body), "'*' must follow a letter or digit, like bike*")
        if len(tokens[-1]) < MIN_PREFIX:
            raise QueryError(start, f"a wildcard needs at least {MIN_PREFIX} letters before '*'")
    return Term("words", tokens, prefix, start)


def _phrase(query: str, start: int, close: int) -> Term:
    inside = query[start + 1 : close]
    star = inside.find("*")
    if star >= 0:
        raise QueryError(start + 1 + star, "wildcards do not work inside quotes: write the phrase out, or use NEAR/1")
    tokens = tuple(token_texts(normalise(inside)))
    if not tokens:
        raise QueryError(start, "the phrase is empty: put words between the quotes")
    return Term("words", tokens, False, start)


# Parsing


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.lexemes = list(_lex(query))
        self.i = 0
        self.depth = 0

    def peek(self) -> _Lexeme | None:
        return self.lexemes[self.i] if self.i < len(self.lexemes) else None

    def take(self) -> _Lexeme:
        lexeme = self.lexemes[self.i]
        self.i += 1
        return lexeme

    def expected(self, after: str) -> QueryError:
        lexeme = self.peek()
        if lexeme is None:
            return QueryError(len(self.query.rstrip()), f"the query ends {after}: expected {_EXPECTED}")
        if lexeme.kind == ")" and self.depth == 0:
            return QueryError(lexeme.at, "')' without a matching '('")
        found = {")": "')'", "-": "'-'"}.get(lexeme.kind, lexeme.kind)
        if lexeme.kind == "NEAR":
            found = f"NEAR/{lexeme.distance}"
        return QueryError(lexeme.at, f"expected {_EXPECTED} {after}, found {found}")

    def parse(self) -> Node:
        if not self.lexemes:
            raise QueryError(0, f"the query is empty: write {_EXPECTED}")
        node = self.or_()
        if (extra := self.peek()) is not None:
            # Whatever stops an OR at the top level is a ')' with nothing to close.
            raise QueryError(extra.at, "')' without a matching '('")
        return node

    def or_(self) -> Node:
        start = self.peek()
        children = [self.and_()]
        while (lexeme := self.peek()) is not None and lexeme.kind == "OR":
            self.take()
            children.append(self.and_(after="after OR"))
        return children[0] if len(children) == 1 else Or(tuple(children), start.at if start else 0)

    def and_(self, after: str = "here") -> Node:
        start = self.peek()
        children = [self.unary(after)]
        while (lexeme := self.peek()) is not None and lexeme.kind in ("AND", "NOT", "-", "(", "term"):
            if lexeme.kind == "AND":
                self.take()
                children.append(self.unary("after AND"))
            else:
                children.append(self.unary(after))
        return children[0] if len(children) == 1 else And(tuple(children), start.at if start else 0)

    def unary(self, after: str) -> Node:
        lexeme = self.peek()
        if lexeme is not None and lexeme.kind in ("NOT", "-"):
            self.take()
            with self.nested(lexeme.at):
                return Not(self.unary(f"after {lexeme.kind}"), lexeme.at)
        return self.near(after)

    def near(self, after: str) -> Node:
        left = self.primary(after)
        lexeme = self.peek()
        if lexeme is None or lexeme.kind != "NEAR":
            return left
        self.take()
        right = self.primary(f"after NEAR/{lexeme.distance}")
        if (chained := self.peek()) is not None and chained.kind == "NEAR":
            raise QueryError(chained.at, "NEAR/n joins two things; for three, write (a NEAR/3 b) AND (b NEAR/3 c)")
        return Near(self.positional(left), self.positional(right), lexeme.distance, left_at(left))

    def positional(self, node: Node) -> tuple[Term, ...]:
        if isinstance(node, Term):
            return (node,)
        if isinstance(node, Or):
            return tuple(term for child in node.children for term in self.positional(child))
        raise QueryError(left_at(node), "NEAR/n joins words, phrases, #hashtags or @handles, or (a OR b) groups of them")

    def primary(self, after: str) -> Node:
        lexeme = self.peek()
        if lexeme is None or lexeme.kind not in ("(", "term"):
            raise self.expected(after)
        self.take()
        if lexeme.kind == "term":
            assert lexeme.term is not None
            return lexeme.term
        inner = self.peek()
        if inner is not None and inner.kind == ")":
            raise QueryError(inner.at, f"expected {_EXPECTED} after '(', found ')'")
        with self.nested(lexeme.at):
            node = self.or_()
        if self.peek() is None:
            raise QueryError(lexeme.at, "this '(' is never closed: expected ')'")
        self.take()  # or_() stops only at ')' or at the end
        return node

    def nested(self, at: int) -> _Depth:
        return _Depth(self, at)


class _Depth:
    def __init__(self, parser: _Parser, at: int) -> None:
        self.parser, self.at = parser, at

    def __enter__(self) -> None:
        self.parser.depth += 1
        if self.parser.depth > MAX_DEPTH:
            raise QueryError(self.at, f"the query nests more than {MAX_DEPTH} levels deep: simplify it")

    def __exit__(self, *exc: object) -> None:
        self.parser.depth -= 1


def left_at(node: Node) -> int:
    return node.at


@functools.lru_cache(maxsize=8192)
def parse(query: str) -> Node:
    """The tree of `query`, or QueryError. The result is immutable and cached."""
    if len(query) > MAX_LENGTH:
        raise QueryError(MAX_LENGTH, f"the query is longer than {MAX_LENGTH} characters: split it into several queries")
    return _Parser(query).parse()


def check_query(query: str) -> str:
    """For the plan schema: the query unchanged when it parses, QueryError otherwise."""
    parse(query)
    return query


# What a tree says


def terms(node: Node) -> Iterator[Term]:
    if isinstance(node, Term):
        yield node
    elif isinstance(node, Not):
        yield from terms(node.child)
    elif isinstance(node, (And, Or)):
        for child in node.children:
            yield from terms(child)
    else:
        yield from node.left
        yield from node.right


def positive_terms(node: Node, positive: bool = True) -> Iterator[Term]:
    """The terms that count for the query when they appear (not under an odd number of NOTs).
    A query matches a text only when at least one of them is in it."""
    if isinstance(node, Term):
        if positive:
            yield node
    elif isinstance(node, Not):
        yield from positive_terms(node.child, not positive)
    elif isinstance(node, (And, Or)):
        for child in node.children:
            yield from positive_terms(child, positive)
    elif positive:
        yield from node.left
        yield from node.right


def true_without_terms(node: Node) -> bool:
    """Whether the boolean logic holds for a text that contains none of the terms (`NOT x`,
    `a OR NOT b`): such a part can never make the query match on its own."""
    if isinstance(node, Term | Near):
        return False
    if isinstance(node, Not):
        return not true_without_terms(node.child)
    if isinstance(node, And):
        return all(true_without_terms(c) for c in node.children)
    return any(true_without_terms(c) for c in node.children)


def render(node: Node) -> str:
    """The tree written as a query that parses back to an equal tree."""
    if isinstance(node, Term):
        return _render_term(node)
    if isinstance(node, Not):
        return f"NOT {_wrapped(node.child)}"
    if isinstance(node, And):
        return " AND ".join(_wrapped(c) for c in node.children)
    if isinstance(node, Or):
        return " OR ".join(_wrapped(c) for c in node.children)
    left, right = (_render_side(side) for side in (node.left, node.right))
    return f"{left} NEAR/{node.distance} {right}"


def _wrapped(node: Node) -> str:
    return render(node) if isinstance(node, Term) else f"({render(node)})"


def _render_side(side: tuple[Term, ...]) -> str:
    return _render_term(side[0]) if len(side) == 1 else "(" + " OR ".join(_render_term(t) for t in side) + ")"


def _render_term(term: Term) -> str:
    star = "*" if term.prefix else ""
    if term.kind == "hashtag":
        return f"#{term.tokens[0]}{star}"
    if term.kind == "handle":
        return f"{term.tokens[0]}{star}"
    if term.prefix:
        return "-".join(term.tokens) + star
    if len(term.tokens) == 1 and not term.tokens[0].startswith("@"):
        return term.tokens[0]
    return '"' + " ".join(term.tokens) + '"'
