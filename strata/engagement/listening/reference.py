"""The slow, plain reading of a query against a text: one query at a time, every term looked
for at every token. It exists so that tests can check the automaton against it; nothing else
should call it."""

from __future__ import annotations

from collections.abc import Sequence

from strata.engagement.listening.matcher import language_allows
from strata.strategy.plan import query as q

Span = tuple[int, int]


def reference_match(query: str, text: str, *, language: str | None = None, languages: Sequence[str] | None = None) -> bool:
    tree = q.parse(query)
    tokens = q.tokenise(q.normalise(text))
    if not language_allows(language, languages):
        return False
    # A query matches only texts that contain something it asks for (outside NOT).
    if not any(_places(term, tokens) for term in _asked_for(tree, positive=True)):
        return False
    return _holds(tree, tokens)


def _asked_for(node: q.Node, *, positive: bool) -> list[q.Term]:
    if isinstance(node, q.Term):
        return [node] if positive else []
    if isinstance(node, q.Not):
        return _asked_for(node.child, positive=not positive)
    if isinstance(node, q.Near):
        return [*node.left, *node.right] if positive else []
    return [term for child in node.children for term in _asked_for(child, positive=positive)]


def _places(term: q.Term, tokens: list[q.Token]) -> list[Span]:
    """Every (first token, last token) where `term` stands in the text."""
    width = len(term.tokens)
    places = []
    for first in range(len(tokens) - width + 1):
        here = tokens[first : first + width]
        if term.kind == "hashtag" and here[0].kind != "hashtag":
            continue
        *whole, last = term.tokens
        if [t.text for t in here[:-1]] != whole:
            continue
        if here[-1].text == last or (term.prefix and here[-1].text.startswith(last)):
            places.append((first, first + width - 1))
    return places


def _holds(node: q.Node, tokens: list[q.Token]) -> bool:
    if isinstance(node, q.Term):
        return bool(_places(node, tokens))
    if isinstance(node, q.Not):
        return not _holds(node.child, tokens)
    if isinstance(node, q.And):
        return all(_holds(child, tokens) for child in node.children)
    if isinstance(node, q.Or):
        return any(_holds(child, tokens) for child in node.children)
    lefts = [span for term in node.left for span in _places(term, tokens)]
    rights = [span for term in node.right for span in _places(term, tokens)]
    for a in lefts:
        for b in rights:
            words_between = b[0] - a[1] if b[0] > a[1] else a[0] - b[1] if a[0] > b[1] else 0
            if a != b and words_between <= node.distance:
                return True
    return False
