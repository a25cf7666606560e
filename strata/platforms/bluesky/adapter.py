"""Publishing to Bluesky (any PDS) with the atproto SDK."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from typing import Any

import httpx
from atproto import Client
from atproto_client.exceptions import (
    AtProtocolError,
    BadRequestError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
    UnauthorizedError,
)
from atproto_client.models.common import XrpcError
from atproto_client.request import Request

from strata.platforms.base import (
    Credentials,
    CredentialsRefused,
    Limits,
    OutcomeUnknown,
    Outgoing,
    Part,
    PermanentError,
    PlatformError,
    Problem,
    Published,
    RateLimited,
    TransientError,
    Unreachable,
    excerpt,
)
from strata.platforms.bluesky import reactions
from strata.platforms.bluesky.replies import answering, post_uri_problem
from strata.platforms.bluesky.text import MAX_BYTES, MAX_GRAPHEMES, find_facets, graphemes
from strata.platforms.failures import check_address, connection_failure, no_answer

POST = "app.bsky.feed.post"
TIMEOUT = 20.0

_sessions: dict[tuple[str, str, str], Client] = {}
_sessions_lock = threading.Lock()


def _retry_after(exc: RateLimitExceededError) -> float:
    if exc.retry_after:
        return float(exc.retry_after)  # type: ignore[no-any-return, unused-ignore]
    reset: dt.datetime | None = exc.reset_at
    if reset is not None:
        return max(1.0, (reset - dt.datetime.now(dt.UTC)).total_seconds())
    return 60.0


def _status(exc: RequestErrorBase) -> int | None:
    return exc.response.status_code if exc.response is not None else None


def _said(exc: RequestErrorBase) -> str:
    """The server's error in a few words (an XRPC error name and message), with its status; a
    body that is not an XRPC error (some other server's page) is never repeated."""
    status = _status(exc)
    content = exc.response.content if exc.response is not None else None
    said = f"{content.error}: {content.message}" if isinstance(content, XrpcError) and content.message else ""
    if isinstance(content, XrpcError) and not said:
        said = content.error
    code = f"HTTP {status}" if status else "no answer"
    return f"{excerpt(said)} ({code})" if said else code


class BlueskyAdapter:
    name = "bluesky"
    idempotent = True
    needs_secret = True  # a record key can be written once only
    reaches_out = True

    def limits(self, credentials: Credentials | None) -> Limits:
        return Limits(max_length=MAX_GRAPHEMES, max_media=4, requires_alt_text=True)

    def check(self, parts: tuple[Part, ...], limits: Limits, reply_to: str = "") -> list[Problem]:
        wrong = post_uri_problem(reply_to) if reply_to else None
        problems = [Problem("error", wrong)] if wrong else []
        for index, part in enumerate(parts):
            length = graphemes(part.text)
            if length > limits.max_length:
                problems.append(Problem("error", f"{length} characters; Bluesky allows {limits.max_length} (counted as graphemes)", index))
            if len(part.text.encode("utf-8")) > MAX_BYTES:
                problems.append(Problem("error", f"the text is over {MAX_BYTES} bytes", index))
            if not part.text.strip() and not part.media:
                problems.append(Problem("error", "nothing to post: add text or an image", index))
            if len(part.media) > limits.max_media:
                problems.append(Problem("error", f"{len(part.media)} images; Bluesky allows {limits.max_media}", index))
            problems.extend(
                Problem("error", f"image {n + 1} has no alt text", index) for n, m in enumerate(part.media) if not m.alt.strip()
            )
        return problems

    # -- the network side ---------------------------------------------------------------

    def _client(self, credentials: Credentials, *, fresh: bool = False) -> Client:
        key = (credentials.service, credentials.handle, hashlib.sha256(credentials.secret.encode()).hexdigest())
        with _sessions_lock:
            if not fresh and key in _sessions:
                return _sessions[key]
        check_address(credentials.service)
        try:
            client = Client(base_url=credentials.service, request=Request(timeout=TIMEOUT))
            # Without an AppView the profile cannot be fetched; the PDS session is all we need.
            client.login(credentials.handle, credentials.secret, fetch_bsky_profile=False)
        except UnauthorizedError:
            raise CredentialsRefused("Bluesky refused the handle and app password; connect the channel again") from None
        except BadRequestError as exc:
            raise CredentialsRefused(f"Bluesky refused the sign-in: {_said(exc)}") from None
        except RequestErrorBase as exc:
            if exc.response is None:  # no answer at all: the network, said in plain words
                raise _unreachable(exc, credentials.service) from None
            if exc.response.status_code >= 500 or isinstance(exc, NetworkError):
                raise TransientError(f"the server answered {_said(exc)}; try again later") from None
            raise PermanentError(f"the server answered, but not as a Bluesky server ({_said(exc)}); check the address") from None
        except Exception as exc:  # httpx's own errors, which atproto passes on unwrapped
            failure = connection_failure(exc, credentials.service)
            if failure is None:
                raise
            raise failure from None
        with _sessions_lock:
            _sessions[key] = client
        return client

    def verify(self, credentials: Credentials) -> str:
        client = self._client(credentials, fresh=True)
        return str(client._session.did) if client._session else ""

    def _did(self, client: Client) -> str:
        assert client._session is not None
        return str(client._session.did)

    def _record(self, client: Client, part: Part, reply: dict[str, Any] | None) -> dict[str, Any]:
        text = part.text if not part.link or part.link in part.text else f"{part.text} {part.link}".strip()
        record: dict[str, Any] = {
            "$type": POST,
            "text": text,
            "createdAt": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        facets = []
        for facet in find_facets(text):
            if facet.kind == "link":
                feature: dict[str, Any] = {"$type": "app.bsky.richtext.facet#link", "uri": facet.value}
            elif facet.kind == "tag":
                feature = {"$type": "app.bsky.richtext.facet#tag", "tag": facet.value}
            else:
                did = self._resolve(client, facet.value)
                if did is None:
                    continue  # an unknown handle stays plain text, as in Bluesky's own app
                feature = {"$type": "app.bsky.richtext.facet#mention", "did": did}
            facets.append({"index": {"byteStart": facet.start, "byteEnd": facet.end}, "features": [feature]})
        if facets:
            record["facets"] = facets
        if part.media:
            images = []
            for media in part.media:
                blob = client.com.atproto.repo.upload_blob(media.data).blob
                images.append({"alt": media.alt, "image": blob.model_dump(by_alias=True)})
            record["embed"] = {"$type": "app.bsky.embed.images", "images": images}
        if reply is not None:
            record["reply"] = reply
        return record

    def _resolve(self, client: Client, handle: str) -> str | None:
        try:
            return str(client.com.atproto.identity.resolve_handle({"handle": handle}).did)
        except AtProtocolError:
            return None

    def _get(self, client: Client, key: str) -> dict[str, str] | None:
        try:
            found = client.com.atproto.repo.get_record({"repo": self._did(client), "collection": POST, "rkey": key})
        except BadRequestError as exc:
            if exc.response is not None and "RecordNotFound" in str(exc.response.content):
                return None
            raise
        return {"uri": found.uri, "cid": str(found.cid)}

    def publish(self, credentials: Credentials, outgoing: Outgoing) -> Published:
        client = self._client(credentials)
        refs: list[dict[str, str]] = []
        try:
            # A reply's parts all share the root of the conversation they join; a thread of our
            # own has its first part as root.
            first = answering(client, outgoing.reply_to, (self._did(client), outgoing.keys[0])) if outgoing.reply_to else None
            for part, key in zip(outgoing.parts, outgoing.keys, strict=True):
                reply = {"root": first["root"] if first else refs[0], "parent": refs[-1]} if refs else first
                refs.append(self._create(client, credentials, part, key, reply))
        except RateLimitExceededError as exc:
            raise RateLimited("Bluesky asked to slow down (429)", retry_after=_retry_after(exc)) from None
        except UnauthorizedError:
            _forget(credentials)
            raise TransientError("the Bluesky session expired; signing in again") from None
        except BadRequestError as exc:
            raise PermanentError(f"Bluesky rejected the post: {_said(exc)}") from None
        except (NetworkError, httpx.HTTPError) as exc:
            raise OutcomeUnknown(_lost(exc, credentials.service)) from None
        except RequestErrorBase as exc:
            raise TransientError(f"Bluesky answered {_said(exc)}") from None
        return self._published(credentials, refs, outgoing.keys)

    def _create(self, client: Client, credentials: Credentials, part: Part, key: str, reply: dict[str, Any] | None) -> dict[str, str]:
        try:
            created = client.com.atproto.repo.create_record(
                {"repo": self._did(client), "collection": POST, "rkey": key, "record": self._record(client, part, reply)}
            )
        except (RateLimitExceededError, UnauthorizedError, BadRequestError):
            raise
        except RequestErrorBase as exc:
            # A second write with the same key fails (with a 500 on some servers): it may be that
            # an earlier attempt got through. Look before calling it a failure.
            existing = self._get(client, key)
            if existing is not None:
                return existing
            if _status(exc) is None:
                raise
            raise TransientError(f"Bluesky answered {_said(exc)}") from None
        return {"uri": created.uri, "cid": str(created.cid)}

    def react(self, credentials: Credentials, target: str, kind: str, key: str) -> str:
        """Like or repost `target` (an at:// post URI) as the brand; the act's own URI."""
        client = self._client(credentials)
        try:
            return reactions.react(client, self._did(client), target, kind, key)
        except RateLimitExceededError as exc:
            raise RateLimited("Bluesky asked to slow down (429)", retry_after=_retry_after(exc)) from None
        except UnauthorizedError:
            _forget(credentials)
            raise TransientError("the Bluesky session expired; try again") from None
        except BadRequestError as exc:
            raise PermanentError(f"Bluesky refused it: {_said(exc)}") from None
        except (NetworkError, httpx.HTTPError) as exc:
            raise OutcomeUnknown(_lost(exc, credentials.service)) from None
        except RequestErrorBase as exc:
            raise TransientError(f"Bluesky answered {_said(exc)}") from None

    def lookup(self, credentials: Credentials, outgoing: Outgoing) -> Published | None:
        client = self._client(credentials)
        refs = []
        try:
            for key in outgoing.keys:
                found = self._get(client, key)
                if found is None:
                    return None
                refs.append(found)
        except (NetworkError, httpx.HTTPError) as exc:
            raise OutcomeUnknown(_lost(exc, credentials.service)) from None
        except RequestErrorBase as exc:
            raise TransientError(f"Bluesky answered {_said(exc)}") from None
        return self._published(credentials, refs, outgoing.keys)

    def _published(self, credentials: Credentials, refs: list[dict[str, str]], keys: tuple[str, ...]) -> Published:
        url = f"https://bsky.app/profile/{credentials.handle}/post/{keys[0]}"
        return Published(remote_id=refs[0]["uri"], url=url, remote_ids=tuple(r["uri"] for r in refs))


def _unreachable(exc: BaseException, service: str) -> PlatformError:
    return connection_failure(exc, service) or Unreachable(f"the server {excerpt(service, 80)} could not be reached")


def _lost(exc: BaseException, service: str) -> str:
    """A request that may have arrived: what the server answered, or what the network said."""
    if isinstance(exc, RequestErrorBase) and exc.response is not None:
        return f"Bluesky answered {_said(exc)}"
    return no_answer(exc, service)


def _forget(credentials: Credentials) -> None:
    key = (credentials.service, credentials.handle, hashlib.sha256(credentials.secret.encode()).hexdigest())
    with _sessions_lock:
        _sessions.pop(key, None)
