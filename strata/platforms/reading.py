"""What a platform adapter reads: the notifications of a connected account (mentions, replies,
quotes, reposts, likes, follows) and the thread a reply belongs to.

A reader is a small class beside the publishing adapter, in the platform's own package, listed in
registry.READERS. It knows nothing of workspaces, pages or classifiers: it turns the platform's
answers into `Incoming` items and says where to start next time (`Heard.cursor`, an opaque
string the reader alone understands and the caller stores with the items, in one transaction).
Errors are the publishing ones (base.py): TransientError and RateLimited mean "read again later",
PermanentError "a person must connect the channel again".
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Protocol

from strata.platforms.base import Credentials

KINDS = ("mention", "reply", "quote", "repost", "like", "follow", "post")


def pass_state(cursor: str) -> dict[str, str]:
    """A notification reader's cursor read back: `since` (newest stored by the last complete
    pass), `page` (where a pass still under way goes on) and `top` (the newest of that pass).
    Anything unreadable starts afresh."""
    try:
        state = json.loads(cursor) if cursor else {}
    except ValueError:
        state = {}
    if not isinstance(state, dict):
        state = {}
    return {key: str(state.get(key) or "") for key in ("since", "page", "top")}


@dataclass(frozen=True)
class Incoming:
    remote_id: str  # the platform's id for the item: a post's URI, a like's record URI, a status id
    kind: str  # one of KINDS; "post" is a post heard without being addressed to the brand
    author_id: str  # the platform's stable id of the author (a DID, an account id)
    author_handle: str
    author_name: str
    text: str
    url: str  # the original on the platform, for a person to open
    created_at: dt.datetime
    parent_id: str = ""  # the post it answers
    root_id: str = ""  # the first post of its thread
    subject_id: str = ""  # the brand's post it is about (replied to, quoted, liked, reposted)
    language: str = ""


@dataclass(frozen=True)
class Heard:
    items: tuple[Incoming, ...]
    cursor: str  # where the next read starts
    more: bool = False  # more is waiting beyond what one read takes: read again at once


class Reader(Protocol):
    name: str

    def notifications(self, credentials: Credentials, cursor: str) -> Heard: ...

    def thread(self, credentials: Credentials, remote_id: str) -> tuple[Incoming, ...]:
        """The posts above `remote_id`, from the root down to its parent (not the post itself)."""
        ...

    def conversation(self, credentials: Credentials, root_id: str) -> tuple[Incoming, ...]:
        """Every reply below `root_id`, at any depth: platforms notify the author of the post
        replied to, not always the brand whose post started the thread."""
        ...
