"""Answering a Bluesky post: the strong references (URI and CID) a reply record must carry to
its parent and to the root of the parent's thread.

The parent is read with com.atproto.repo.getRecord on the account's own PDS. A PDS answers from
its own store for the repositories it hosts (at once: nothing waits for the AppView to index
it, and on the test network every account lives on that one PDS) and passes the rest through
to the AppView, which keeps a copy of every record it indexed (the reference PDS's
"pipethrough"); a deleted post is RecordNotFound either way. app.bsky.feed.getPosts was the
other choice: it sees only what the AppView has indexed, and it leaves out a post hidden from
this account as if it were gone."""

from __future__ import annotations

import re
from typing import Any

import httpx
from atproto import Client
from atproto_client.exceptions import BadRequestError, NetworkError
from atproto_client.models.common import XrpcError

from strata.platforms.base import PermanentError, TransientError, excerpt

POST = "app.bsky.feed.post"
GONE = "the post being answered was deleted"
# at://<did or handle>/app.bsky.feed.post/<record key>, as the reader stores it (HeardItem.remote_id).
POST_URI = re.compile(r"at://([A-Za-z0-9._:%-]{1,253})/app\.bsky\.feed\.post/([A-Za-z0-9._:~-]{1,512})")

Ref = dict[str, str]


def post_uri_problem(uri: str) -> str | None:
    """Why `uri` cannot be answered on Bluesky, or None."""
    if POST_URI.fullmatch(uri) is None:
        return "the post being answered is not a Bluesky post (an at://…/app.bsky.feed.post/… address)"
    return None


def answering(client: Client, reply_to: str, own: tuple[str, str]) -> dict[str, Ref]:
    """The `reply` of the first part's record: {"root": …, "parent": …}. `own` is that part's
    repo and record key: when the parent is gone but an earlier attempt made the first part
    already, that part keeps the references it was made with (the retry must find it, not fail)."""
    matched = POST_URI.fullmatch(reply_to)
    if matched is None:
        raise PermanentError(post_uri_problem(reply_to) or GONE)
    parent = read_post(client, matched.group(1), matched.group(2))
    if parent is None:
        made = read_post(client, *own)
        reply = _field(made[1], "reply") if made is not None else None
        if reply is None:
            raise PermanentError(GONE)
        return {"root": _ref(_field(reply, "root")), "parent": _ref(_field(reply, "parent"))}
    ref, value = parent
    root = _field(_field(value, "reply"), "root")
    # A post that answers nothing is the root of its own thread.
    return {"root": _ref(root) if root is not None else ref, "parent": ref}


def read_post(client: Client, repo: str, rkey: str) -> tuple[Ref, Any] | None:
    """The record's strong reference and its value, or None when it (or its account) is gone.
    A rate limit or an expired session goes up to publish(), which knows what to do with them."""
    try:
        found = client.com.atproto.repo.get_record({"repo": repo, "collection": POST, "rkey": rkey})
    except BadRequestError as exc:
        content = exc.response.content if exc.response is not None else None
        said = f"{content.error}: {content.message or ''}" if isinstance(content, XrpcError) else ""
        # RecordNotFound: the post was deleted; "Could not find repo": so was its account.
        if "RecordNotFound" in said or "Could not find repo" in said:
            return None
        raise PermanentError(f"Bluesky could not show the post being answered: {excerpt(said) or 'HTTP 400'}") from None
    except (NetworkError, httpx.HTTPError) as exc:
        # Nothing was written yet: reading again later is safe, and no look-up is needed.
        raise TransientError(f"Bluesky did not show the post being answered ({type(exc).__name__}); trying again later") from None
    return {"uri": str(found.uri), "cid": str(found.cid)}, found.value


def _field(value: Any, key: str) -> Any:
    """A field of an SDK model or of a plain dict (a record of a type the SDK does not know)."""
    if value is None:
        return None
    return value.get(key) if isinstance(value, dict) else getattr(value, key, None)


def _ref(value: Any) -> Ref:
    uri, cid = _field(value, "uri"), _field(value, "cid")
    if not uri or not cid:
        raise PermanentError("the post being answered names no thread Bluesky can attach to")
    return {"uri": str(uri), "cid": str(cid)}
