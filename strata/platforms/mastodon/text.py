"""Mastodon's length rule: every link counts as 23 characters, a mention as its local part."""

from __future__ import annotations

import regex

LINK_LENGTH = 23
_URL = regex.compile(r"https?://[^\s<>\"]+")
_MENTION = regex.compile(r"(?<![\w@])@([\w.]+)@[\w.-]+\w")


def length(text: str) -> int:
    text = _URL.sub("x" * LINK_LENGTH, text)
    text = _MENTION.sub(lambda m: "@" + m.group(1), text)
    return len(text)
