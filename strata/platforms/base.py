"""What every platform adapter provides, and the errors it raises.

An adapter publishes, looks up what it published, checks a message against the platform's
rules, and verifies credentials. It knows nothing of posts, pages or plans: it is given
plain data and returns plain data. Its errors say what the worker should do next."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Credentials:
    service: str  # the server: a PDS URL, a Mastodon instance, an SMTP host, a webhook URL
    handle: str  # the account on it
    secret: str  # app password or token, decrypted only for the call
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Media:
    data: bytes
    mime: str
    alt: str


@dataclass(frozen=True)
class Part:
    """One message; a thread is several parts, each replying to the one before."""

    text: str
    link: str = ""
    media: tuple[Media, ...] = ()


@dataclass(frozen=True)
class Outgoing:
    parts: tuple[Part, ...]
    keys: tuple[str, ...]  # one idempotency key per part, chosen by Strata when the post was made
    title: str = ""
    # The platform's id of what the first part answers (a Bluesky at:// URI, a Mastodon status
    # id); empty for a post that starts a conversation. Further parts chain as in any thread.
    # An adapter that cannot answer must refuse it: never post the answer as a new message.
    reply_to: str = ""
    # A private message to the author of `reply_to` (a Mastodon direct message). Only an adapter
    # with `direct_messages = True` is given one; the others refuse it, never send it in public.
    direct: bool = False


@dataclass(frozen=True)
class Published:
    remote_id: str  # the platform's id of the first part (a Bluesky at:// URI, a Mastodon status id)
    url: str = ""
    remote_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem:
    """A rule the message breaks; errors block scheduling, warnings do not."""

    severity: str  # "error" | "warning"
    message: str
    part: int = 0


@dataclass(frozen=True)
class Limits:
    max_length: int
    max_media: int = 4
    requires_alt_text: bool = False


class PlatformError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TransientError(PlatformError):
    """Try again later (a 5xx, a refused connection before anything was sent)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        # What a platform asks for is hostile input too: a wait of 10^12 s would overflow the
        # scheduler's arithmetic, a negative one would retry at once.
        self.retry_after = None if retry_after is None else min(max(retry_after, 1.0), MAX_RETRY_AFTER)


MAX_RETRY_AFTER = 86400.0


def retry_after_header(value: str, default: float = 60.0) -> float:
    """Seconds from a Retry-After header; the HTTP-date form and anything unreadable give the default."""
    value = value.strip()
    return float(value) if value.isascii() and value.isdigit() else default


class RateLimited(TransientError):
    """The platform said 429: wait `retry_after` seconds before any call for this account."""


class PermanentError(PlatformError):
    """Trying again cannot help (a revoked token, rejected content): stop and tell a person."""


class OutcomeUnknown(PlatformError):
    """The request may or may not have taken effect (a timeout after sending)."""


# Connecting can fail in three ways a person tells apart and fixes differently (the address,
# the network, the credentials); platforms/failures.py sorts the client libraries' errors into
# the first two, each adapter raises the third when the server answered no.


class AddressInvalid(PermanentError):
    """The server's address cannot be used (a space in the host, a port out of range): nothing was sent."""


class Unreachable(TransientError):
    """The server could not be reached (its name does not resolve, nothing listens, no answer
    in time, the TLS handshake failed): nothing was sent, and the credentials were not tried."""


class CredentialsRefused(PermanentError):
    """The server answered and refused the handle, password or token."""


def cannot_answer(what: str) -> str:
    """What a platform that has no conversations says to a reply, in check() and publish()."""
    return f"{what} cannot answer a conversation; answer on the platform the conversation is on"


class Adapter(Protocol):
    name: str
    needs_secret: bool  # False where Strata itself is the platform (its own feed)
    reaches_out: bool  # False where nothing leaves the machine (its own feed): no address to check
    # True when publishing again with the same keys cannot make a second copy, so an unknown
    # outcome may be retried; False when only a person can tell (e-mail).
    idempotent: bool

    def limits(self, credentials: Credentials | None) -> Limits: ...

    # `reply_to`: the parts answer that post (Outgoing.reply_to); a platform that cannot answer
    # a conversation says so here, as an error, so that the reply is refused before it is made.
    def check(self, parts: tuple[Part, ...], limits: Limits, reply_to: str = "") -> list[Problem]: ...

    def verify(self, credentials: Credentials) -> str: ...

    def publish(self, credentials: Credentials, outgoing: Outgoing) -> Published: ...

    def lookup(self, credentials: Credentials, outgoing: Outgoing) -> Published | None: ...


def excerpt(text: object, limit: int = 120) -> str:
    """A short, single-line, printable excerpt of what a server said, for an error a person
    reads: never a receiver's body verbatim (it may be an internal page, or markup)."""
    flat = " ".join("".join(c if unicodedata.category(c)[0] != "C" else " " for c in str(text)).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
