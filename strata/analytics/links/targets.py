"""The addresses in a post's text, and where their short links send people: the address with
UTM tags, so that the site's own analytics can tell what brought each visitor."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from urllib.parse import urlencode, urlsplit

import regex

from strata.safeurl import problem

# As Bluesky's clients find links (platforms/bluesky/text.py): a link starts at a word
# boundary; trailing punctuation is the sentence's, not the link's.
_URL = regex.compile(r"(?<![\w/])https?://[^\s<>\"]+")
TRAILING = ".,;:!?)'\""
MEDIUM = "social"


def addresses(text: str) -> list[str]:
    """Each http(s) address in `text` that may become a link, in order."""
    return [url for url in (m.group(0).rstrip(TRAILING) for m in _URL.finditer(text)) if problem(url) is None]


def replace(text: str, new: Callable[[str], str | None]) -> str:
    """`text` with each address replaced by new(address), where that is not None."""

    def one(match: regex.Match[str]) -> str:
        whole = match.group(0)
        url = whole.rstrip(TRAILING)
        replacement = new(url) if problem(url) is None else None
        return whole if replacement is None else replacement + whole[len(url) :]

    return str(_URL.sub(one, text))


def unique(urls: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(urls))


def with_utm(url: str, *, source: str, campaign: str, content: str) -> str:
    """`url` with utm_source, utm_medium, utm_campaign and utm_content added after its own query
    (left byte for byte as it was) and before its fragment. A tag the author already set wins."""
    parts = urlsplit(url)
    present = {pair.partition("=")[0] for pair in parts.query.split("&")}
    tags = {"utm_source": source, "utm_medium": MEDIUM, "utm_campaign": campaign, "utm_content": content}
    added = urlencode({key: value for key, value in tags.items() if value and key not in present})
    if not added:
        return url
    head, hash_mark, fragment = url.partition("#")
    if "?" not in head:
        head += "?"
    elif not head.endswith(("?", "&")):
        head += "&"
    return f"{head}{added}{hash_mark}{fragment}"
