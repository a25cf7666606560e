"""Why a connection to a platform failed, in words a person can act on.

Every client library says it its own way: httpx (Bluesky, webhooks) wraps an OSError in a
ConnectError, requests (Mastodon) wraps urllib3's MaxRetryError around a NameResolutionError
around a socket.gaierror, and Mastodon.py flattens all of it into "Could not complete request:
HTTPSConnectionPool(host=…)". None of that is for a person. `connection_failure()` walks the
chain of causes down to what actually happened and names one of:

1. the address is not valid (nothing could be sent: a space in the host, no host, a bad port);
2. the server could not be reached: its name does not resolve (DNS), nothing listens there
   (refused), it did not answer in time, or the secure connection (TLS) failed;

while the adapters raise CredentialsRefused when the server answered and said no. Pages, API
and CLI show the same words because connect_channel() and delivery both get them from here."""

from __future__ import annotations

import re
import socket
import ssl
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import urllib3.exceptions

from strata.platforms.base import AddressInvalid, CredentialsRefused, PlatformError, Unreachable, excerpt

# A host name as DNS has it (after IDNA): dot-separated labels of letters, digits and '-'
# ('_' too, which some internal names carry). Anything else cannot be looked up at all.
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")

# requests (Mastodon.py) raises its own errors from urllib3's, which stay in the chain and are
# what is matched here; requests has no type information for mypy, urllib3 does.
_INVALID_URL = (
    httpx.InvalidURL,
    httpx.UnsupportedProtocol,
    urllib3.exceptions.LocationParseError,
    urllib3.exceptions.LocationValueError,
)
_TIMEOUT = (
    TimeoutError,
    socket.timeout,
    httpx.TimeoutException,
    urllib3.exceptions.TimeoutError,
)


def host_problem(host: str) -> str | None:
    """Why `host` (as a URL has it, without brackets) cannot be a server's name, or None."""
    if not host:
        return "the address has no host name (e.g. https://example.com)"
    if ":" in host:  # an IPv6 literal; the URL parser has checked its form
        return None
    if any(c.isspace() for c in host):
        return f"the host name {excerpt(host, 60)!r} contains a space"
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return f"{excerpt(host, 60)!r} is not a valid host name"
    labels = ascii_host.rstrip(".").split(".")
    if len(ascii_host) > 253 or not all(_LABEL.match(label) for label in labels):
        wrong = sorted({c for c in ascii_host if not (c.isalnum() or c in ".-_")})
        if wrong:
            return f"the host name {excerpt(host, 60)!r} contains {', '.join(repr(c) for c in wrong)}; a host name has only letters, digits, '-' and '.'"
        return f"{excerpt(host, 60)!r} is not a valid host name"
    return None


def address_problem(service: str) -> str | None:
    """Why the server address `service` cannot be used, or None; checked before connecting."""
    try:
        url = urlsplit(service)
        port = url.port
    except ValueError:
        return "the port must be a number from 1 to 65535, and an IPv6 address goes in [brackets]"
    if port == 0:
        return "the port must be a number from 1 to 65535"
    return host_problem(url.hostname or "")


def check_address(service: str) -> None:
    """Raise AddressInvalid when `service` cannot be a server's address."""
    problem = address_problem(service)
    if problem is not None:
        raise AddressInvalid(f"the server address {excerpt(service, 80)!r} is not valid: {problem}")


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and everything behind it: causes, contexts, urllib3's `reason`, exceptions in args."""
    seen: set[int] = set()
    queue = [exc]
    while queue and len(seen) < 32:
        current = queue.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        behind = [current.__cause__, current.__context__, getattr(current, "reason", None), *current.args]
        queue.extend(e for e in behind if isinstance(e, BaseException))


def _host(service: str) -> str:
    try:
        url = urlsplit(service)
        host, port = url.hostname or service, url.port
    except ValueError:
        return excerpt(service, 60)
    return f"{host}:{port}" if port else host


def reason(exc: BaseException) -> str | None:
    """What stopped the connection, in a few plain words, or None when it was not the network."""
    chain = list(_causes(exc))
    if any(isinstance(e, _INVALID_URL) for e in chain):
        return "the address is not valid"
    for e in chain:
        if isinstance(e, ssl.SSLCertVerificationError):
            why = excerpt(e.verify_message or "its certificate is not valid", 80)
            return f"the secure connection (TLS) failed, because its certificate is not trusted ({why})"
    if any(isinstance(e, ssl.SSLError | urllib3.exceptions.SSLError) for e in chain):
        return "the secure connection (TLS) failed; the server may not speak TLS on this port"
    if any(isinstance(e, socket.gaierror | urllib3.exceptions.NameResolutionError) for e in chain):
        return "its name does not resolve (DNS); check the address for typos"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "it refused the connection (no server is listening at that address and port)"
    if any(isinstance(e, _TIMEOUT) for e in chain):
        return "it did not answer in time"
    for e in chain:
        if isinstance(e, OSError) and e.strerror:
            return excerpt(e.strerror, 80)
    if any(isinstance(e, httpx.TransportError | urllib3.exceptions.HTTPError | OSError) for e in chain):
        return "the connection failed"
    return None


def connection_failure(exc: BaseException, service: str) -> AddressInvalid | Unreachable | None:
    """The plain-words error for `exc`, raised while connecting to `service`, or None when it
    was not a failure to connect (the server answered: the adapter says what it answered)."""
    if isinstance(exc, PlatformError):
        return exc if isinstance(exc, AddressInvalid | Unreachable) else None
    problem = address_problem(service)
    why = reason(exc)
    if why is None:
        return None
    if problem is not None or why == "the address is not valid":
        return AddressInvalid(f"the server address {excerpt(service, 80)!r} is not valid: {problem or 'check its form'}")
    return Unreachable(f"the server {_host(service)} could not be reached: {why}")


def no_answer(exc: BaseException, service: str) -> str:
    """The words for a request that got no answer after it may have been sent (the outcome is
    unknown): what the network said, never the library's own text."""
    return f"no answer from {_host(service)}: {reason(exc) or 'the connection failed'}"


PLATFORM_NAMES = {"bluesky": "Bluesky", "mastodon": "The Mastodon instance", "newsletter": "The mail server", "webhook": "The receiver"}


def connect_problem(exc: PlatformError, platform: str) -> tuple[str, str]:
    """What a person reads when connecting a channel failed, and the form field it is about:
    the address, the network (both "service": the credentials were never tried) or the
    credentials ("secret"). Other answers (not the platform's server, a server error) are
    about the address too: the server there is not the one meant, or not working."""
    said = exc.message.removesuffix("; connect the channel again")
    if isinstance(exc, AddressInvalid | Unreachable):
        return f"{_sentence(said)} The credentials were not checked.", "service"
    name = PLATFORM_NAMES.get(platform, platform.capitalize())
    if isinstance(exc, CredentialsRefused):
        return f"The server answered but did not accept these credentials: {said}.", "secret"
    return f"{name} could not be connected: {said}.", "service"


def _sentence(text: str) -> str:
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."
