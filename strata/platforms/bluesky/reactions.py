"""Liking and reposting a Bluesky post: a like or repost record in the brand's repository whose
subject is the post's strong reference. The record key is chosen by Strata before the call, so
a second call with it finds the first record instead of making another."""

from __future__ import annotations

import datetime as dt

from atproto import Client
from atproto_client.exceptions import BadRequestError

from strata.platforms.base import PermanentError
from strata.platforms.bluesky.replies import GONE, POST_URI, read_post

COLLECTIONS = {"like": "app.bsky.feed.like", "repost": "app.bsky.feed.repost"}


def react(client: Client, did: str, target: str, kind: str, key: str) -> str:
    """The at:// URI of the like or repost of `target`, made now or by an earlier call."""
    collection = COLLECTIONS.get(kind)
    if collection is None:
        raise PermanentError(f"'{kind}' is not something Strata does to a post: like or repost")
    existing = _own(client, did, collection, key)
    if existing is not None:
        return existing
    matched = POST_URI.fullmatch(target)
    if matched is None:
        raise PermanentError("only a Bluesky post (an at://…/app.bsky.feed.post/… address) can be liked or reposted")
    found = read_post(client, matched.group(1), matched.group(2))
    if found is None:
        raise PermanentError(GONE.replace("answered", "liked or reposted"))
    subject, _ = found
    record = {
        "$type": collection,
        "subject": subject,
        "createdAt": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    try:
        made = client.com.atproto.repo.create_record({"repo": did, "collection": collection, "rkey": key, "record": record})
    except BadRequestError:
        # The key is taken: an earlier call got through after all.
        again = _own(client, did, collection, key)
        if again is None:
            raise
        return again
    return str(made.uri)


def _own(client: Client, did: str, collection: str, key: str) -> str | None:
    try:
        found = client.com.atproto.repo.get_record({"repo": did, "collection": collection, "rkey": key})
    except BadRequestError as exc:
        if exc.response is not None and "RecordNotFound" in str(exc.response.content):
            return None
        raise
    return str(found.uri)
