"""Followers and status counts from a Mastodon instance's REST API.

Followers: `followers_count` of GET /api/v1/accounts/verify_credentials, the account the token
signs in as (the channel's own). Statuses: `favourites_count`, `reblogs_count`, `replies_count`
and, where the instance counts quotes (Mastodon 4.5), `quotes_count`, from
GET /api/v1/statuses?id[]=… (20 ids a call, Mastodon 4.3 and later); an instance that does not
know that route (404) is asked once per status, GET /api/v1/statuses/:id, and remembered.

These reads use httpx, not Mastodon.py: Mastodon.py casts what it reads to the documented
types (2.7 becomes 2, "12" becomes 12, true becomes 1), which would hide exactly the answers
that must be refused. Rate limits: a 429 says when to come back in `Retry-After` or, as
Mastodon does, in `X-RateLimit-Reset` (a time); both are capped by base.TransientError.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Sequence
from typing import Any

import httpx

from strata.platforms.base import Credentials, PermanentError, RateLimited, TransientError, excerpt, retry_after_header
from strata.platforms.failures import check_address, connection_failure, no_answer
from strata.platforms.metrics import Implausible, PostCounts, PostsRead, count, post_counts

PER_CALL = 20  # GET /api/v1/statuses takes at most 20 ids
TIMEOUT = 20.0
MAX_BODY = 4 * 1024 * 1024  # 20 statuses with their accounts are far less; more is not an answer
NOT_FOUND = object()

# Instances that answered 404 to GET /api/v1/statuses (before Mastodon 4.3, other servers).
_one_by_one: set[str] = set()
_one_by_one_lock = threading.Lock()


class MastodonMetrics:
    name = "mastodon"
    per_call = PER_CALL

    def followers(self, credentials: Credentials, account: str) -> int:
        me = _get(credentials, "/api/v1/accounts/verify_credentials")
        if me is NOT_FOUND:
            raise PermanentError("the instance does not know the account (HTTP 404)")
        followers = count(me.get("followers_count")) if isinstance(me, dict) else None
        if followers is None:
            raise Implausible("the instance answered a follower count that cannot be true; not stored")
        return followers

    def posts(self, credentials: Credentials, remote_ids: Sequence[str]) -> PostsRead:
        asked = list(dict.fromkeys(remote_ids))[:PER_CALL]
        refused = {status_id: "not a status id" for status_id in asked if not _status_id(status_id)}
        ids = [status_id for status_id in asked if status_id not in refused]
        if not ids:
            return PostsRead(refused=refused)
        statuses: list[Any] = []
        with _one_by_one_lock:
            batch = credentials.service not in _one_by_one
        if batch:
            answer = _get(credentials, "/api/v1/statuses", {"id[]": ids})
            if answer is NOT_FOUND:
                with _one_by_one_lock:
                    _one_by_one.add(credentials.service)
                batch = False
            elif isinstance(answer, list):
                statuses = answer
            else:
                raise TransientError("the instance answered something that is not a list of statuses")
        if not batch:
            for status_id in ids:
                answer = _get(credentials, f"/api/v1/statuses/{status_id}")
                if answer is not NOT_FOUND:
                    statuses.append(answer)
        counts: dict[str, PostCounts] = {}
        for status in statuses:
            said_id = status.get("id") if isinstance(status, dict) else None
            if (
                not isinstance(status, dict)
                or not isinstance(said_id, str)
                or said_id not in ids
                or said_id in counts
                or said_id in refused
            ):
                continue  # not asked for, or twice: an answer decides only what was asked, once
            counted = post_counts(
                status.get("favourites_count"),
                status.get("reblogs_count"),
                status.get("replies_count"),
                status.get("quotes_count"),
                quotes_given="quotes_count" in status,
            )
            if isinstance(counted, str):
                refused[said_id] = counted
            else:
                counts[said_id] = counted
        return PostsRead(counts=counts, refused=refused)


def _status_id(value: str) -> bool:
    """A status id as the instance makes them (digits on Mastodon, letters too elsewhere): it goes into a path."""
    return 0 < len(value) <= 100 and value.isascii() and value.isalnum()


def _get(credentials: Credentials, path: str, params: dict[str, Any] | None = None) -> Any:
    """The JSON of an authenticated GET, or NOT_FOUND for a 404; the errors say what to do next."""
    check_address(credentials.service)
    url = credentials.service.rstrip("/") + path
    headers = {"Authorization": f"Bearer {credentials.secret}", "Accept": "application/json"}
    try:
        with httpx.stream("GET", url, params=params, headers=headers, timeout=TIMEOUT) as answer:
            body = bytearray()
            for chunk in answer.iter_bytes():
                body.extend(chunk)
                if len(body) > MAX_BODY:
                    raise TransientError(f"the instance answered more than {MAX_BODY // 1024 // 1024} MB; not read")
    except httpx.HTTPError as exc:
        raise connection_failure(exc, credentials.service) or TransientError(no_answer(exc, credentials.service)) from None
    status = answer.status_code
    if status == 429:
        raise RateLimited("the instance asked to slow down (429)", retry_after=_wait(answer.headers))
    if status in (401, 403):
        raise PermanentError("the instance refused the access token; connect the channel again")
    if status == 404:
        return NOT_FOUND
    if status >= 500:
        raise TransientError(f"the instance answered HTTP {status}")
    if status != 200:
        raise PermanentError(f"the instance answered HTTP {status}{_said(body)}")
    try:
        return json.loads(body)
    except ValueError:
        raise TransientError("the instance answered something that is not JSON") from None


def _wait(headers: httpx.Headers) -> float:
    """Seconds until the instance takes calls again: Retry-After, else X-RateLimit-Reset (a time)."""
    if "retry-after" in headers:
        return retry_after_header(headers["retry-after"])
    try:
        reset = dt.datetime.fromisoformat(headers.get("x-ratelimit-reset", "").replace("Z", "+00:00"))
    except ValueError:
        return 60.0
    if reset.tzinfo is None:
        return 60.0
    return (reset - dt.datetime.now(dt.UTC)).total_seconds()


def _said(body: bytearray) -> str:
    """The instance's own error message, cut short and cleaned: never its body as it came."""
    try:
        said = json.loads(body).get("error")
    except (ValueError, AttributeError):
        return ""
    return f": {excerpt(said)}" if isinstance(said, str) and said else ""
