"""Followers and post counts from the Bluesky AppView.

Both are public: app.bsky.actor.getProfile (`followersCount`) and app.bsky.feed.getPosts
(`likeCount`, `repostCount`, `replyCount`, `quoteCount`, up to 25 URIs a call). When the
administrator names an AppView (STRATA_BLUESKY_APPVIEW, e.g. https://public.api.bsky.app),
Strata asks it directly and does not sign in: the account's PDS, its session and its rate limit
are left to publishing and notifications. Without it, Strata asks through the account's PDS,
which passes app.bsky.* on to its AppView, as the notifications reader does.

Answers are read as plain JSON (the SDK's `invoke_query`), not as the SDK's models: those refuse
a whole answer for one odd field, and one post with a broken count must not cost the other 24
their reading. An AppView indexes asynchronously, so a post published a moment ago may not be
in the answer yet: it is left out, like a deleted one, and the caller decides what that means.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from atproto import Client, models
from atproto_client.request import Request, Response
from django.conf import settings

from strata.platforms.base import Credentials, TransientError
from strata.platforms.bluesky.adapter import BlueskyAdapter
from strata.platforms.bluesky.reader import _call
from strata.platforms.bluesky.replies import POST_URI
from strata.platforms.failures import check_address
from strata.platforms.metrics import Implausible, PostCounts, PostsRead, count, post_counts

PER_CALL = 25  # getPosts' limit
TIMEOUT = 20.0

_appviews: dict[str, Client] = {}
_appviews_lock = threading.Lock()


def appview_url() -> str:
    return str(getattr(settings, "STRATA_BLUESKY_APPVIEW", "") or "").rstrip("/")


class BlueskyMetrics:
    name = "bluesky"
    per_call = PER_CALL

    def __init__(self) -> None:
        self._adapter = BlueskyAdapter()

    def followers(self, credentials: Credentials, account: str) -> int:
        client, via = self._client(credentials)
        actor = account or _signed_in(client) or credentials.handle
        params = models.AppBskyActorGetProfile.Params(actor=actor)
        body = _ask(via, lambda: client.invoke_query("app.bsky.actor.getProfile", params=params))
        if actor.startswith("did:") and body.get("did") != actor:
            raise Implausible("the AppView answered with another account's profile; not stored")
        followers = count(body.get("followersCount"))
        if followers is None:
            raise Implausible("the AppView answered a follower count that cannot be true; not stored")
        return followers

    def posts(self, credentials: Credentials, remote_ids: Sequence[str]) -> PostsRead:
        asked = list(dict.fromkeys(remote_ids))[:PER_CALL]
        # One malformed URI would make the AppView refuse the whole call (400): it is refused alone.
        refused = {uri: "not a Bluesky post address (at://…/app.bsky.feed.post/…)" for uri in asked if not POST_URI.fullmatch(uri)}
        uris = [uri for uri in asked if uri not in refused]
        if not uris:
            return PostsRead(refused=refused)
        client, via = self._client(credentials)
        params = models.AppBskyFeedGetPosts.Params(uris=uris)
        listed = _ask(via, lambda: client.invoke_query("app.bsky.feed.getPosts", params=params)).get("posts")
        counts: dict[str, PostCounts] = {}
        for post in listed if isinstance(listed, list) else []:
            uri = post.get("uri") if isinstance(post, dict) else None
            if not isinstance(post, dict) or not isinstance(uri, str) or uri not in uris or uri in counts or uri in refused:
                continue  # not asked for, or twice: an answer decides only what was asked, once
            counted = post_counts(
                post.get("likeCount"),
                post.get("repostCount"),
                post.get("replyCount"),
                post.get("quoteCount"),
                quotes_given="quoteCount" in post,
            )
            if isinstance(counted, str):
                refused[uri] = counted
            else:
                counts[uri] = counted
        return PostsRead(counts=counts, refused=refused)

    def _client(self, credentials: Credentials) -> tuple[Client, Credentials]:
        """The client to ask, and the server it asks (for the words of an error about it)."""
        base = appview_url()
        if not base:
            return self._adapter._client(credentials), credentials
        with _appviews_lock:
            client = _appviews.get(base)
            if client is None:
                check_address(base)
                client = _appviews[base] = Client(base_url=base, request=Request(timeout=TIMEOUT))
        return client, Credentials(service=base, handle="", secret="")


def _signed_in(client: Client) -> str:
    session = getattr(client, "_session", None)
    return str(session.did) if session is not None and session.did else ""


def _ask(via: Credentials, request: Callable[[], Response]) -> dict[str, Any]:
    """The JSON object of an XRPC query's answer; the errors as the notifications reader says them."""
    try:
        content = _call(via, request).content
    except ValueError:  # the body said it was JSON and was not
        content = None
    if not isinstance(content, dict):
        raise TransientError("the Bluesky server answered something that is not an XRPC answer")
    return content
