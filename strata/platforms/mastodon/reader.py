"""Reading a Mastodon account's notifications by polling (`GET /api/v1/notifications`).

The cursor is the id of the newest notification stored. Notifications come newest first; a read
pages back (max_id) until it reaches the cursor, at most MAX_PAGES pages, and a read that stops
short keeps the page it reached (`{"since": …, "page": …, "top": …}`, as for Bluesky) so that
catching up loses nothing in between."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from typing import Any

from mastodon import (
    MastodonError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from strata.platforms.base import Credentials, PermanentError, RateLimited, TransientError
from strata.platforms.mastodon.adapter import MastodonAdapter
from strata.platforms.reading import Heard, Incoming, pass_state

PAGE = 40
MAX_PAGES = 20
KINDS = {"mention": "mention", "reblog": "repost", "favourite": "like", "follow": "follow", "quote": "quote"}
TAG = re.compile(r"<[^>]*>")
BREAK = re.compile(r"<br\s*/?>|</p>\s*<p>", re.IGNORECASE)


class MastodonReader:
    name = "mastodon"

    def __init__(self) -> None:
        self._adapter = MastodonAdapter()

    def notifications(self, credentials: Credentials, cursor: str) -> Heard:
        state = pass_state(cursor)
        client = self._adapter._client(credentials)
        items: list[Incoming] = []
        page, top = state["page"], state["top"]
        for _ in range(MAX_PAGES):
            batch = _call(lambda p=page: client.notifications(limit=PAGE, max_id=p or None, since_id=state["since"] or None))
            for notification in batch:
                top = _newer(top, str(notification["id"]))
                item = _from_notification(notification)
                if item is not None:
                    items.append(item)
            if len(batch) < PAGE:
                return Heard(tuple(items), json.dumps({"since": top or state["since"], "page": "", "top": ""}))
            page = str(batch[-1]["id"])
        return Heard(tuple(items), json.dumps({"since": state["since"], "page": page, "top": top}), more=True)

    def thread(self, credentials: Credentials, remote_id: str) -> tuple[Incoming, ...]:
        client = self._adapter._client(credentials)
        try:
            context = _call(lambda: client.status_context(remote_id))
        except PermanentError:
            return ()
        return tuple(_from_status(status, "post") for status in context.get("ancestors", []))

    def conversation(self, credentials: Credentials, root_id: str) -> tuple[Incoming, ...]:
        client = self._adapter._client(credentials)
        try:
            context = _call(lambda: client.status_context(root_id))
        except PermanentError:
            return ()
        return tuple(_from_status(status, "reply") for status in context.get("descendants", []))


def _call(request: Any) -> Any:
    try:
        return request()
    except MastodonRatelimitError:
        raise RateLimited("the instance asked to slow down (429)", retry_after=60.0) from None
    except MastodonUnauthorizedError:
        raise PermanentError("the instance refused the access token; connect the channel again") from None
    except MastodonNotFoundError:
        raise PermanentError("the instance no longer has this") from None
    except (MastodonNetworkError, MastodonServerError) as exc:
        raise TransientError(f"the instance did not answer: {type(exc).__name__}") from None
    except MastodonError as exc:
        raise TransientError(f"the instance answered with an error: {type(exc).__name__}") from None


def _newer(a: str, b: str) -> str:
    """Mastodon ids are numbers in strings; compare them as numbers."""
    if not a:
        return b
    if a.isascii() and a.isdigit() and b.isascii() and b.isdigit():
        return a if int(a) >= int(b) else b
    return max(a, b)


def _from_notification(notification: Any) -> Incoming | None:
    kind = KINDS.get(str(notification.get("type")))
    if kind is None:
        return None
    status = notification.get("status")
    account = notification.get("account") or {}
    if status is None:
        return Incoming(
            remote_id=f"notification:{notification['id']}",
            kind=kind,
            author_id=str(account.get("id", "")),
            author_handle=str(account.get("acct", "")),
            author_name=str(account.get("display_name") or ""),
            text="",
            url=str(account.get("url") or ""),
            created_at=_when(notification.get("created_at")),
        )
    if kind == "mention" and status.get("in_reply_to_id"):
        kind = "reply"
    if kind in ("like", "repost"):
        # The notification is about the brand's own status: the item is the act, not the status.
        return Incoming(
            remote_id=f"notification:{notification['id']}",
            kind=kind,
            author_id=str(account.get("id", "")),
            author_handle=str(account.get("acct", "")),
            author_name=str(account.get("display_name") or ""),
            text="",
            url=str(account.get("url") or ""),
            created_at=_when(notification.get("created_at")),
            subject_id=str(status.get("id", "")),
        )
    return _from_status(status, kind)


def _from_status(status: Any, kind: str) -> Incoming:
    account = status.get("account") or {}
    parent = str(status.get("in_reply_to_id") or "")
    return Incoming(
        remote_id=str(status["id"]),
        kind=kind,
        author_id=str(account.get("id", "")),
        author_handle=str(account.get("acct", "")),
        author_name=str(account.get("display_name") or ""),
        text=plain_text(str(status.get("content") or "")),
        url=str(status.get("url") or status.get("uri") or ""),
        created_at=_when(status.get("created_at")),
        parent_id=parent,
        subject_id=parent,
        language=str(status.get("language") or "")[:20],
    )


def plain_text(content: str) -> str:
    """A status's HTML as the text a person wrote: line breaks kept, tags dropped, entities read.
    The result is shown escaped, like every text heard."""
    return html.unescape(TAG.sub("", BREAK.sub("\n", content))).strip()


def _when(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return dt.datetime.now(dt.UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
