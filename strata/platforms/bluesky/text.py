"""Bluesky's text rules: length in graphemes, and rich text as facets with UTF-8 byte offsets."""

from __future__ import annotations

from dataclasses import dataclass

import regex

MAX_GRAPHEMES = 300
MAX_BYTES = 3000

# As in Bluesky's own clients: a link or a mention starts at a word boundary; trailing
# punctuation is not part of a link.
_URL = regex.compile(r"(?<![\w/])https?://[^\s<>\"]+")
_MENTION = regex.compile(r"(?<![\w@])@((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z][a-zA-Z0-9-]{0,61})")
_TAG = regex.compile(r"(?<![\w#&])[#＃]((?!\d+\b)[\p{L}\p{N}_]{1,64})")


@dataclass(frozen=True)
class Facet:
    kind: str  # "link" | "mention" | "tag"
    start: int  # byte offsets into the UTF-8 text, as the protocol counts
    end: int
    value: str  # the URL, the handle, or the tag without '#'


def graphemes(text: str) -> int:
    return len(regex.findall(r"\X", text))


def _byte_span(text: str, start: int, end: int) -> tuple[int, int]:
    prefix = len(text[:start].encode("utf-8"))
    return prefix, prefix + len(text[start:end].encode("utf-8"))


def find_facets(text: str) -> list[Facet]:
    facets = []
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(".,;:!?)'\"")
        facets.append(Facet("link", *_byte_span(text, match.start(), match.start() + len(url)), url))
    for match in _MENTION.finditer(text):
        facets.append(Facet("mention", *_byte_span(text, match.start(), match.end()), match.group(1).lower()))
    for match in _TAG.finditer(text):
        tag = match.group(1)
        facets.append(Facet("tag", *_byte_span(text, match.start(), match.end()), tag))
    # A mention or tag inside a link is part of the link.
    links = [(f.start, f.end) for f in facets if f.kind == "link"]
    return sorted(
        (f for f in facets if f.kind == "link" or not any(s <= f.start < e for s, e in links)),
        key=lambda f: f.start,
    )
