"""Reading a Bluesky account's notifications, through its PDS (which asks the AppView), and the
thread above a reply.

listNotifications pages from the newest notification backwards. The cursor Strata keeps says how
far a pass got: `since` is the newest notification stored by the last complete pass, `page` the
AppView's page cursor of a pass still under way (a pass stops after MAX_PAGES and goes on at the
next read, so catching up after a long downtime neither loses what lies between nor blocks other
sources), and `top` the newest notification of that pass, which becomes `since` when it ends.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
from atproto import Client
from atproto_client.exceptions import BadRequestError, NetworkError, RateLimitExceededError, RequestErrorBase, UnauthorizedError

from strata.platforms.base import Credentials, PermanentError, RateLimited, TransientError
from strata.platforms.bluesky.adapter import BlueskyAdapter, _forget, _retry_after, _said
from strata.platforms.failures import connection_failure, no_answer
from strata.platforms.reading import Heard, Incoming, pass_state

PAGE = 50
MAX_PAGES = 20
THREAD_HEIGHT = 80
THREAD_DEPTH = 20
MAX_CONVERSATION = 1000
REASONS = {"mention": "mention", "reply": "reply", "quote": "quote", "repost": "repost", "like": "like", "follow": "follow"}

T = TypeVar("T")


class BlueskyReader:
    name = "bluesky"

    def __init__(self) -> None:
        self._adapter = BlueskyAdapter()

    def notifications(self, credentials: Credentials, cursor: str) -> Heard:
        state = pass_state(cursor)
        client = self._adapter._client(credentials)
        items: list[Incoming] = []
        page, top, reached = state["page"], state["top"], False
        for _ in range(MAX_PAGES):
            params: dict[str, Any] = {"limit": PAGE}
            if page:
                params["cursor"] = page
            answer = _call(credentials, _lister(client, params))
            for notification in answer.notifications:
                indexed = str(notification.indexed_at)
                top = max(top, indexed)
                if state["since"] and indexed < state["since"]:
                    reached = True  # older than the last complete pass: stored already
                    break
                item = _from_notification(notification)
                if item is not None:
                    items.append(item)
            page = answer.cursor or ""
            if reached or not page or not answer.notifications:
                return Heard(tuple(items), json.dumps({"since": top, "page": "", "top": ""}))
        # A pass longer than MAX_PAGES goes on from here next time.
        return Heard(tuple(items), json.dumps({"since": state["since"], "page": page, "top": top}), more=True)

    def thread(self, credentials: Credentials, remote_id: str) -> tuple[Incoming, ...]:
        client = self._adapter._client(credentials)
        params = {"uri": remote_id, "depth": 0, "parentHeight": THREAD_HEIGHT}
        try:
            answer = _call(credentials, lambda: client.app.bsky.feed.get_post_thread(params=params))
        except PermanentError:
            return ()  # deleted or blocked: the reply stands without its context
        chain: list[Incoming] = []
        node = getattr(answer.thread, "parent", None)
        while node is not None and getattr(node, "post", None) is not None:
            chain.append(_from_post_view(node.post))
            node = getattr(node, "parent", None)
        return tuple(reversed(chain))

    def conversation(self, credentials: Credentials, root_id: str) -> tuple[Incoming, ...]:
        client = self._adapter._client(credentials)
        params = {"uri": root_id, "depth": THREAD_DEPTH, "parentHeight": 0}
        try:
            answer = _call(credentials, lambda: client.app.bsky.feed.get_post_thread(params=params))
        except PermanentError:
            return ()
        replies: list[Incoming] = []
        below = list(getattr(answer.thread, "replies", None) or [])
        while below and len(replies) < MAX_CONVERSATION:
            node = below.pop(0)
            if getattr(node, "post", None) is None:
                continue  # a reply that was deleted or is hidden from this account
            replies.append(_from_post_view(node.post))
            below.extend(getattr(node, "replies", None) or [])
        return tuple(replies)


def _lister(client: Client, params: dict[str, Any]) -> Callable[[], Any]:
    return lambda: client.app.bsky.notification.list_notifications(params=params)


def _call(credentials: Credentials, request: Callable[[], T]) -> T:
    try:
        return request()
    except RateLimitExceededError as exc:
        raise RateLimited("Bluesky asked to slow down (429)", retry_after=_retry_after(exc)) from None
    except UnauthorizedError:
        _forget(credentials)
        raise TransientError("the Bluesky session expired; signing in again") from None
    except BadRequestError as exc:
        raise PermanentError(f"Bluesky refused to answer: {_said(exc)}") from None
    except (NetworkError, httpx.HTTPError) as exc:
        raise connection_failure(exc, credentials.service) or TransientError(no_answer(exc, credentials.service)) from None
    except RequestErrorBase as exc:
        raise TransientError(f"Bluesky answered {_said(exc)}") from None


def _from_notification(notification: Any) -> Incoming | None:
    kind = REASONS.get(str(notification.reason))
    if kind is None:
        return None  # starter packs, verification and what comes next: not a conversation
    record = notification.record
    reply = _get(record, "reply")
    subject = str(notification.reason_subject or "")
    if kind == "reply" and reply is not None:
        subject = str(_get(_get(reply, "root"), "uri") or "")
    if kind == "quote":
        subject = _quoted(record) or subject
    author = notification.author
    return Incoming(
        remote_id=str(notification.uri),
        kind=kind,
        author_id=str(author.did),
        author_handle=str(author.handle),
        author_name=str(author.display_name or ""),
        text=str(_get(record, "text") or ""),
        url=_web_url(str(author.handle), str(notification.uri)) if kind in ("mention", "reply", "quote") else _profile_url(author.handle),
        created_at=_when(_get(record, "created_at") or notification.indexed_at),
        parent_id=str(_get(_get(reply, "parent"), "uri") or ""),
        root_id=str(_get(_get(reply, "root"), "uri") or ""),
        subject_id=subject,
        language=",".join(_get(record, "langs") or [])[:20],
    )


def _from_post_view(post: Any) -> Incoming:
    record = post.record
    reply = _get(record, "reply")
    return Incoming(
        remote_id=str(post.uri),
        kind="reply" if reply is not None else "post",
        author_id=str(post.author.did),
        author_handle=str(post.author.handle),
        author_name=str(post.author.display_name or ""),
        text=str(_get(record, "text") or ""),
        url=_web_url(str(post.author.handle), str(post.uri)),
        created_at=_when(_get(record, "created_at") or post.indexed_at),
        parent_id=str(_get(_get(reply, "parent"), "uri") or ""),
        root_id=str(_get(_get(reply, "root"), "uri") or ""),
        language=",".join(_get(record, "langs") or [])[:20],
    )


def _get(value: Any, key: str) -> Any:
    """A field of an SDK model or of a plain dict (records of types the SDK does not know)."""
    if value is None:
        return None
    if isinstance(value, dict):
        return value.get(key) or value.get({"created_at": "createdAt"}.get(key, key))
    return getattr(value, key, None)


def _quoted(record: Any) -> str:
    embed = _get(record, "embed")
    inner = _get(embed, "record")
    quoted = _get(inner, "record") if _get(inner, "uri") is None else inner  # recordWithMedia nests once more
    return str(_get(quoted, "uri") or "")


def _when(value: Any) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return dt.datetime.now(dt.UTC)
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _web_url(handle: str, uri: str) -> str:
    rkey = uri.rsplit("/", 1)[-1]
    return f"https://bsky.app/profile/{handle}/post/{rkey}"


def _profile_url(handle: Any) -> str:
    return f"https://bsky.app/profile/{handle}"
