"""Publishing to a Mastodon instance with Mastodon.py. Idempotency through the
Idempotency-Key header: the instance answers a repeated key with the status it already made."""

from __future__ import annotations

import io
import time

from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from strata.platforms.base import (
    Credentials,
    CredentialsRefused,
    Limits,
    OutcomeUnknown,
    Outgoing,
    Part,
    PermanentError,
    Problem,
    Published,
    RateLimited,
    TransientError,
    Unreachable,
    excerpt,
)
from strata.platforms.failures import check_address, connection_failure, no_answer
from strata.platforms.mastodon.text import length

DEFAULT_LIMIT = 500
TIMEOUT = 20


class MastodonAdapter:
    name = "mastodon"
    direct_messages = True  # a status with visibility "direct" reaches only the accounts it mentions
    idempotent = True
    needs_secret = True
    reaches_out = True

    def _client(self, credentials: Credentials) -> Mastodon:
        return Mastodon(
            access_token=credentials.secret,
            api_base_url=credentials.service,
            request_timeout=TIMEOUT,
            ratelimit_method="throw",  # the worker decides when to come back, per account
            version_check_mode="none",
        )

    def limits(self, credentials: Credentials | None) -> Limits:
        """The instance's own limit, read from its API; 500 (Mastodon's default) without one."""
        if credentials is None:
            return Limits(max_length=DEFAULT_LIMIT, max_media=4, requires_alt_text=True)
        try:
            instance = self._client(credentials).instance_v2()
            statuses = instance["configuration"]["statuses"]
            return Limits(
                max_length=int(statuses["max_characters"]), max_media=int(statuses.get("max_media_attachments", 4)), requires_alt_text=True
            )
        except (MastodonError, KeyError, TypeError, ValueError):
            return Limits(max_length=DEFAULT_LIMIT, max_media=4, requires_alt_text=True)

    def check(self, parts: tuple[Part, ...], limits: Limits, reply_to: str = "") -> list[Problem]:
        # A status id is the instance's own string (digits on Mastodon, letters too elsewhere);
        # whether it names a status only the instance can say, when the reply is sent.
        problems = [Problem("error", "the post being answered is not a status id")] if reply_to and not _status_id(reply_to) else []
        for index, part in enumerate(parts):
            text = _text(part)
            counted = length(text)
            if counted > limits.max_length:
                problems.append(
                    Problem("error", f"{counted} characters; this instance allows {limits.max_length} (links count as 23)", index)
                )
            if not text.strip() and not part.media:
                problems.append(Problem("error", "nothing to post: add text or an image", index))
            if len(part.media) > limits.max_media:
                problems.append(Problem("error", f"{len(part.media)} attachments; this instance allows {limits.max_media}", index))
            problems.extend(
                Problem("error", f"image {n + 1} has no alt text", index) for n, m in enumerate(part.media) if not m.alt.strip()
            )
        return problems

    def verify(self, credentials: Credentials) -> str:
        check_address(credentials.service)
        try:
            return str(self._client(credentials).account_verify_credentials()["acct"])
        except MastodonUnauthorizedError:
            raise CredentialsRefused("the instance refused the access token") from None
        except MastodonNetworkError as exc:
            failure = connection_failure(exc, credentials.service)
            raise failure or Unreachable(f"the server {excerpt(credentials.service, 80)} could not be reached") from None
        except MastodonServerError as exc:
            raise TransientError(f"the instance failed ({_status(exc)}); try again later") from None
        except MastodonNotFoundError as exc:
            raise PermanentError(f"the server answered, but not as a Mastodon instance ({_reason(exc)}); check the address") from None
        except MastodonAPIError as exc:
            if _unreadable(exc):
                raise PermanentError("the server answered, but not as a Mastodon instance (not JSON); check the address") from None
            raise CredentialsRefused(f"the instance refused: {_reason(exc)}") from None
        except MastodonError as exc:
            raise PermanentError(f"the instance refused: {_reason(exc)}") from None

    def publish(self, credentials: Credentials, outgoing: Outgoing) -> Published:
        client = self._client(credentials)
        ids: list[str] = []
        urls: list[str] = []
        try:
            for part, key in zip(outgoing.parts, outgoing.keys, strict=True):
                media_ids = [client.media_post(io.BytesIO(m.data), mime_type=m.mime, description=m.alt)["id"] for m in part.media]
                # The first part answers what it replies to (if anything); the others, the part before.
                answers = ids[-1] if ids else outgoing.reply_to or None
                status = client.status_post(
                    _text(part),
                    in_reply_to_id=answers,
                    media_ids=media_ids or None,
                    idempotency_key=key,
                    visibility="direct" if outgoing.direct else None,
                )
                ids.append(str(status["id"]))
                urls.append(str(status.get("url") or ""))
        except MastodonRatelimitError:
            reset = getattr(client, "ratelimit_reset", None)
            wait = max(1.0, float(reset) - time.time()) if reset else 60.0
            raise RateLimited("the instance asked to slow down (429)", retry_after=wait) from None
        except MastodonUnauthorizedError:
            raise PermanentError("the instance refused the access token; connect the channel again") from None
        except MastodonServerError as exc:
            raise TransientError(f"the instance failed ({_status(exc)}); trying again later") from None
        except MastodonNotFoundError as exc:
            if outgoing.reply_to and not ids:  # what Mastodon answers when in_reply_to_id names no status it shows
                raise PermanentError("the post being answered was deleted, or this account can no longer see it") from None
            raise PermanentError(f"the instance does not know this: {_reason(exc)}") from None
        except MastodonNetworkError as exc:
            raise OutcomeUnknown(no_answer(exc, credentials.service)) from None
        except MastodonAPIError as exc:
            if _unreadable(exc):
                # An answer that is not JSON says nothing about whether the status was made;
                # publishing again with the same Idempotency-Key finds out safely.
                raise OutcomeUnknown("the instance answered something that is not its API (not JSON)") from None
            raise PermanentError(f"the instance rejected the post: {_reason(exc)}") from None
        return Published(remote_id=ids[0], url=urls[0], remote_ids=tuple(ids))

    def react(self, credentials: Credentials, target: str, kind: str, key: str) -> str:
        """Favourite or boost the status `target`. Mastodon does each at most once per account,
        so a second call is the same act; `key` is not needed."""
        if kind not in ("like", "repost"):
            raise PermanentError(f"'{kind}' is not something Strata does to a post: like or repost")
        client = self._client(credentials)
        act = client.status_favourite if kind == "like" else client.status_reblog
        try:
            status = act(target)
        except MastodonNotFoundError:
            raise PermanentError("the post was deleted, or this account can no longer see it") from None
        except MastodonRatelimitError:
            raise RateLimited("Mastodon asked to slow down (429)") from None
        except MastodonNetworkError as exc:
            raise OutcomeUnknown(f"no answer from {excerpt(credentials.service, 80)} ({type(exc).__name__})") from None
        except MastodonAPIError as exc:
            raise PermanentError(f"Mastodon refused it: {excerpt(exc)}") from None
        return str(status.get("id", target))

    def lookup(self, credentials: Credentials, outgoing: Outgoing) -> Published | None:
        # Mastodon cannot be asked for a status by its Idempotency-Key; publishing again with the
        # same keys is the lookup: the instance returns what it made the first time.
        return None


def _unreadable(exc: MastodonAPIError) -> bool:
    return bool(exc.args) and str(exc.args[0]).startswith("Could not parse response as JSON")


def _status(exc: MastodonError) -> str:
    code = next((a for a in exc.args[1:2] if isinstance(a, int)), None)
    return f"HTTP {code}" if code else "no usable answer"


def _reason(exc: MastodonError) -> str:
    """What the instance said, in a few plain words: Mastodon's own error text (e.g. "Validation
    failed: Text character limit of 500 exceeded"), capped, never a whole page."""
    if len(exc.args) >= 4 and isinstance(exc.args[1], int):
        return f"{excerpt(exc.args[3] or exc.args[2])} (HTTP {exc.args[1]})"
    return excerpt(exc.args[0] if exc.args else exc)


def _status_id(value: str) -> bool:
    return len(value) <= 100 and value.isascii() and value.isalnum()


def _text(part: Part) -> str:
    return part.text if not part.link or part.link in part.text else f"{part.text} {part.link}".strip()
