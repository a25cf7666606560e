"""Listening on a Mastodon instance: the timelines of hashtags (`GET /api/v1/timelines/tag/:tag`)
and its local public timeline (`GET /api/v1/timelines/public?local=true`), read with a
connected account's token.

Each read goes forward from the newest status id stored (`min_id`: the statuses just after it,
page by page), so that catching up after downtime loses nothing in between; a read that stops
after MAX_PAGES says `more`. A first read takes the newest page only; the connected account's own statuses are left out. The cursor is JSON: the
newest id per hashtag, or `{"since": id}` for the public timeline. Boosts are left out: the
boosted status is heard on its own."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from strata.platforms.base import Credentials
from strata.platforms.mastodon.adapter import MastodonAdapter
from strata.platforms.mastodon.reader import _call, _from_status, _newer
from strata.platforms.reading import Heard, Incoming

PAGE = 40
MAX_PAGES = 10


class MastodonTimelines:
    name = "mastodon"

    def __init__(self) -> None:
        self._adapter = MastodonAdapter()

    def hashtags(self, credentials: Credentials, cursor: str, tags: list[str]) -> Heard:
        since = _state(cursor)
        client = self._adapter._client(credentials)
        items: list[Incoming] = []
        more = False
        for tag in tags:
            found, newest, cut = _forward(_tag_page(client, tag), since.get(tag, ""))
            items += _others(credentials, found)
            more = more or cut
            if newest:
                since[tag] = newest
        kept = {tag: since[tag] for tag in tags if tag in since}  # a hashtag no query names any more is forgotten
        return Heard(tuple(items), json.dumps(kept, sort_keys=True), more=more)

    def public(self, credentials: Credentials, cursor: str) -> Heard:
        since = _state(cursor).get("since", "")
        client = self._adapter._client(credentials)
        found, newest, cut = _forward(lambda min_id: client.timeline_public(local=True, min_id=min_id, limit=PAGE), since)
        return Heard(tuple(_others(credentials, found)), json.dumps({"since": newest or since}), more=cut)


def _others(credentials: Credentials, items: list[Incoming]) -> list[Incoming]:
    """The statuses of other accounts: the brand's own are not something it hears."""
    own = credentials.handle.strip().lstrip("@").lower()
    return [item for item in items if item.author_handle.lower() not in (own, own.split("@")[0])]


def _tag_page(client: Any, tag: str) -> Callable[[str | None], Any]:
    return lambda min_id: client.timeline_hashtag(tag, min_id=min_id, limit=PAGE)


def _forward(page: Callable[[str | None], Any], since: str) -> tuple[list[Incoming], str, bool]:
    """The statuses after `since`, oldest page first; the newest id seen; whether it stopped short."""
    items: dict[str, Incoming] = {}
    newest = since
    for _ in range(MAX_PAGES):
        batch = _call(lambda after=newest: page(after or None))
        for status in batch:
            newest = _newer(newest, str(status["id"]))
            if status.get("reblog") is None:
                items.setdefault(str(status["id"]), _from_status(status, "post"))
        if not since or len(batch) < PAGE:
            return list(items.values()), newest, False
    return list(items.values()), newest, True


def _state(cursor: str) -> dict[str, str]:
    try:
        state = json.loads(cursor) if cursor else {}
    except ValueError:
        state = {}
    if not isinstance(state, dict):
        return {}
    return {str(key): str(value) for key, value in state.items() if value}
