"""Match texts against many listening queries at the cost of scanning each text once.

Compiling (`Matcher(queries)`):
1. every distinct term of every query gets a number; each term becomes a pattern over the
   text's tokens written out as " tok tok tok " (a space on either side of every token), so
   that " bike " can only match the whole word bike, and " bike" (a wildcard) any word
   starting with it; all patterns go into one Aho-Corasick automaton;
2. each term lists the queries in which it counts positively (not under NOT): only those can
   become candidates when the term is found;
3. each query's boolean tree becomes a function of the terms found.

Matching (`match(text)`): normalise and tokenise the text once, run the automaton over it
once, collect where each term was found; the candidates are the queries with a positive term
among them; only their trees are evaluated. The number of queries changes the size of the
automaton, not the time it takes to scan a text: queries cost only when their terms appear.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import ahocorasick

from strata.strategy.plan import query as q

# term number → where it was found: start offsets in the token stream (of the space before it)
Found = dict[int, list[int]]
Evaluate = Callable[["_Scan"], bool]


@dataclass(frozen=True)
class QuerySpec:
    id: str
    query: str
    language: str | None = None


def language_allows(language: str | None, languages: Sequence[str] | None) -> bool:
    """A query with a language matches texts in it, and texts whose language is not known
    (platforms do not always say). 'en-GB' counts as 'en'."""
    if language is None or not languages:
        return True
    return any(tag.split("-", 1)[0].lower() == language for tag in languages)


class _Scan:
    """One text's tokens (as written: hashtags with their '#') and what the automaton found."""

    __slots__ = ("_starts", "found", "lengths", "tokens")

    def __init__(self, tokens: list[str], found: Found, lengths: list[int]) -> None:
        self.tokens = tokens
        self.found = found
        self.lengths = lengths  # tokens per term
        self._starts: list[int] | None = None

    def index(self, offset: int) -> int:
        """The token that starts just after stream offset `offset`."""
        if self._starts is None:
            # In the stream, a hashtag stands without its '#'.
            self._starts = list(itertools.accumulate((len(t) + 1 - (t[0] == "#") for t in self.tokens), initial=0))
        return bisect.bisect_left(self._starts, offset)

    def spans(self, term: int) -> list[tuple[int, int]]:
        """First and last token of every place `term` was found (for NEAR)."""
        width = self.lengths[term] - 1
        return [(first, first + width) for first in map(self.index, self.found[term])]


class Matcher:
    def __init__(self, queries: Iterable[QuerySpec]) -> None:
        self.queries: list[QuerySpec] = list(queries)
        self._numbers: dict[q.Term, int] = {}
        self._lengths: list[int] = []
        self._hashtag_only: list[bool] = []
        patterns: dict[str, list[int]] = {}
        candidates: list[set[int]] = []
        self._evaluate: list[Evaluate] = []
        for index, spec in enumerate(self.queries):
            tree = q.parse(spec.query)
            for term in q.terms(tree):
                if term not in self._numbers:
                    number = self._numbers[term] = len(self._lengths)
                    self._lengths.append(len(term.tokens))
                    self._hashtag_only.append(term.kind == "hashtag")
                    candidates.append(set())
                    patterns.setdefault(_pattern(term), []).append(number)
            for term in _triggers(tree):
                candidates[self._numbers[term]].add(index)
            self._evaluate.append(self._compile(tree))
        self._candidates = [tuple(sorted(c)) for c in candidates]
        self._automaton = ahocorasick.Automaton()
        for pattern, numbers in patterns.items():
            self._automaton.add_word(pattern, (len(pattern), tuple(numbers)))
        self._empty = not patterns
        if not self._empty:
            self._automaton.make_automaton()

    def __len__(self) -> int:
        return len(self.queries)

    def match(self, text: str, languages: Sequence[str] | None = None) -> list[str]:
        """The ids of the queries `text` matches, in the order the queries were given."""
        if self._empty:
            return []
        tokens = q.raw_tokens(q.normalise(text))
        if not tokens:
            return []
        # Words match hashtags too, so the stream has hashtags as words; the hashtag terms
        # check the token they were found at.
        stream = (" " + " ".join(tokens)).replace(" #", " ") + " "
        found: Found = {}
        scan = _Scan(tokens, found, self._lengths)
        for end, (length, numbers) in self._automaton.iter(stream):
            offset = end - length + 1
            for number in numbers:
                if self._hashtag_only[number] and tokens[scan.index(offset)][0] != "#":
                    continue
                found.setdefault(number, []).append(offset)
        if not found:
            return []
        candidates: set[int] = set()
        for number in found:
            candidates.update(self._candidates[number])
        matched = []
        for index in sorted(candidates):
            spec = self.queries[index]
            if language_allows(spec.language, languages) and self._evaluate[index](scan):
                matched.append(spec.id)
        return matched

    def _compile(self, node: q.Node) -> Evaluate:
        if isinstance(node, q.Term):
            number = self._numbers[node]
            return lambda scan: number in scan.found
        if isinstance(node, q.Not):
            child = self._compile(node.child)
            return lambda scan: not child(scan)
        if isinstance(node, q.And):
            all_of = tuple(self._compile(c) for c in node.children)
            return lambda scan: all(c(scan) for c in all_of)
        if isinstance(node, q.Or):
            any_of = tuple(self._compile(c) for c in node.children)
            return lambda scan: any(c(scan) for c in any_of)
        left = tuple(self._numbers[t] for t in node.left)
        right = tuple(self._numbers[t] for t in node.right)
        return lambda scan: _near(scan, left, right, node.distance)


def _pattern(term: q.Term) -> str:
    return " " + " ".join(term.tokens) + ("" if term.prefix else " ")


def _triggers(tree: q.Node) -> list[q.Term]:
    """The terms whose presence makes a query a candidate: one of them must be in any text the
    query matches. Where a part is required (a side of AND, of NEAR), the terms of one such part
    are enough; `_anchor` picks the part whose terms the fewest queries share, which are the
    rarest in what people write, as a rule. Without a required part (`a OR NOT b`), every term
    asked for (outside NOT)."""
    anchor = _anchor(tree)
    return list(anchor) if anchor is not None else list(q.positive_terms(tree))


def _anchor(node: q.Node) -> tuple[q.Term, ...] | None:
    """Terms of which one is in every text where `node` holds; None when it can hold without any."""
    if isinstance(node, q.Term):
        return (node,)
    if isinstance(node, q.Not):
        return None
    if isinstance(node, q.Near):
        return min(node.left, node.right, key=_cost)
    parts = [_anchor(child) for child in node.children]
    if isinstance(node, q.Or):
        return None if any(p is None for p in parts) else tuple(t for p in parts if p for t in p)
    required = [p for p in parts if p is not None]
    return min(required, key=_cost) if required else None


def _cost(terms: tuple[q.Term, ...]) -> tuple[int, int]:
    """Fewer and more specific terms are better triggers: phrases, hashtags and handles over
    single words, whole words over wildcards, long words over short ones."""

    def one(term: q.Term) -> int:
        specific = len(term.tokens) > 1 or term.kind != "words"
        return (0 if specific else 4) + (4 if term.prefix else 0) + max(0, 8 - len("".join(term.tokens)))

    return sum(one(t) for t in terms), len(terms)


def _near(scan: _Scan, left: tuple[int, ...], right: tuple[int, ...], distance: int) -> bool:
    found = scan.found
    lefts = [span for n in left if n in found for span in scan.spans(n)]
    if not lefts:
        return False
    rights = [span for n in right if n in found for span in scan.spans(n)]
    return any(a != b and max(b[0] - a[1], a[0] - b[1], 0) <= distance for a in lefts for b in rights)
