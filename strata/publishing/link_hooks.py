"""Where another app may change the addresses in a message just before it goes out, without
publishing knowing that app: analytics registers its short links here from its
AppConfig.ready(), and delivery (`delivery._outgoing`) applies every registered rewriter.

A rewriter gets the message's texts and link with the claimed variant they belong to, and
returns them, changed or not. It runs after the claim wrote the attempt row and before the
platform is called, on every attempt: it must give the same answer each time for the same
variant (a retry, or the look-up after an unknown outcome, must see what went out), and
whatever it needs stored must be on disk before it returns. An error it raises stops this
attempt like any delivery error: the claim is recovered and tried again."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from strata.publishing.claims import Claimed


@dataclass(frozen=True)
class Message:
    texts: tuple[str, ...]  # the thread's parts, first part first
    link: str  # the variant's link field (it goes with the first part)
    variant: Claimed  # read-only: what the texts belong to

    def changed(self, *, texts: tuple[str, ...], link: str) -> Message:
        return dataclasses.replace(self, texts=texts, link=link)


Rewriter = Callable[[Message], Message]

_rewriters: list[Rewriter] = []


def register(rewriter: Rewriter) -> Rewriter:
    """Add a rewriter (once, however often ready() runs); usable as a decorator."""
    if rewriter not in _rewriters:
        _rewriters.append(rewriter)
    return rewriter


def unregister(rewriter: Rewriter) -> None:
    if rewriter in _rewriters:
        _rewriters.remove(rewriter)


def rewrite(variant: Claimed) -> Message:
    """The variant's texts and link as they go out: through every registered rewriter, in order."""
    message = Message(texts=tuple(variant.parts), link=variant.link, variant=variant)
    for rewriter in _rewriters:
        message = rewriter(message)
    return message
