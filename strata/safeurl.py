"""The one check of a URL that a person gives and that may later become a link.

A stored `javascript:`, `data:` or `vbscript:` URL runs in the session of whoever clicks it,
so only `http`/`https` (and `mailto:` where an e-mail address is meant) are accepted, on every
path that stores one, and only those are ever rendered as a link. Depends on nothing of ours,
so that every app can use it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_LENGTH = 2000  # Variant.link's column; longer addresses are not shared by people anyway
WEB = frozenset({"http", "https"})
WEB_OR_MAIL = WEB | {"mailto"}


def problem(url: str, *, schemes: frozenset[str] = WEB, max_length: int = MAX_LENGTH) -> str | None:
    """Why `url` may not be stored, in words for the person who typed it; None when it is fine."""
    if len(url) > max_length:
        return f"is {len(url):,} characters long; at most {max_length:,}"
    # Browsers drop tabs and newlines anywhere in a URL and spaces around it ("java\tscript:"),
    # so a URL holding any of them could mean another scheme than the one checked here.
    wanted = " or ".join(f"{s}:" for s in sorted(schemes))
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return f"contains spaces or control characters; write it without them, starting with {wanted}"
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. a broken IPv6 host: "http://[::1"
        return f"is not a web address (it must start with {wanted})"
    if parts.scheme.lower() not in schemes:
        return f"must start with {wanted}" + (f", not {parts.scheme}:" if parts.scheme else "")
    if parts.scheme.lower() in WEB and not parts.hostname:
        return f"has no host (e.g. {parts.scheme.lower()}://example.com/)"
    if parts.scheme.lower() == "mailto" and "@" not in parts.path:
        return "is not an e-mail address (mailto:name@example.com)"
    return None


def is_safe(url: str, *, schemes: frozenset[str] = WEB_OR_MAIL) -> bool:
    """Whether `url` may be rendered as a link; for data stored before this was checked."""
    return problem(url, schemes=schemes) is None
