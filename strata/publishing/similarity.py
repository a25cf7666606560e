"""Near-duplicate text: the same message pushed to several platforms, even lightly edited.

Texts are normalised (case, links, mentions, punctuation, spacing), cut into word trigrams
(shingles), and compared by Jaccard similarity; very short texts are compared word by word."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

SIMILAR = 0.8  # at or above: flagged as a copy

_LINK = re.compile(r"https?://\S+")
_MENTION = re.compile(r"[@#][\w.-]+")
_NON_WORD = re.compile(r"[^\w\s]")


def normalise(text: str) -> list[str]:
    text = _LINK.sub(" ", text.lower())
    text = _MENTION.sub(" ", text)
    return _NON_WORD.sub(" ", text).split()


def shingles(words: list[str], size: int = 3) -> set[tuple[str, ...]]:
    if len(words) < size:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def similarity(a: str, b: str) -> float:
    wa, wb = normalise(a), normalise(b)
    if not wa or not wb:
        return 0.0
    size = 3 if min(len(wa), len(wb)) >= 6 else 1  # short texts: compare word by word
    sa, sb = shingles(wa, size), shingles(wb, size)
    return len(sa & sb) / len(sa | sb)


@dataclass(frozen=True)
class Pair:
    a: str  # a label, e.g. "post 12 on acme-bsky"
    b: str
    score: float


def similar_pairs(items: Iterable[tuple[str, str]], threshold: float = SIMILAR) -> list[Pair]:
    """Every pair of (label, text) at or above the threshold, most similar first."""
    listed = list(items)
    pairs = []
    for i, (label_a, text_a) in enumerate(listed):
        for label_b, text_b in listed[i + 1 :]:
            score = similarity(text_a, text_b)
            if score >= threshold:
                pairs.append(Pair(label_a, label_b, round(score, 2)))
    return sorted(pairs, key=lambda p: -p.score)
