"""Where Strata may connect on a member's behalf: public servers only, unless the
administrator allows more (STRATA_ALLOW_PRIVATE_HOSTS).

Any member can name a webhook, a PDS, an instance or a mail server; without this, one could
make Strata call `http://127.0.0.1:…`, the cloud's metadata service or a database on the
private network, and read the answer back in a post's error.

The check is on the address actually connected to. While `guard()` is active, the process's
`socket.getaddrinfo` drops every address that is not allowed, so httpx (Bluesky, webhooks),
requests (Mastodon.py) and smtplib connect only to the addresses that passed. Checking a name
first and connecting later would let a name resolve to a public address for the check and to
a private one for the connection (DNS rebinding); here one resolution serves both.

The guard is scoped by a context variable: only the adapter call inside `guard()` is
filtered, never the rest of the process (the database, the test servers' own clients).
No library on PyPI covers httpx, requests and smtplib alike (advocate is requests-only and
unmaintained), so this small module does it for all four adapters at once."""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from strata.env import AllowList
from strata.platforms.base import PermanentError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

REFUSED = "this address is inside a private network; Strata only connects to public servers unless the administrator allows it"

# Ranges Python's ipaddress flags inconsistently across versions, named here so that the rule
# does not depend on the interpreter: shared address space (carrier-grade NAT), multicast.
_ALWAYS_PRIVATE = (
    ipaddress.ip_network("100.64.0.0/10"),
    ipaddress.ip_network("224.0.0.0/4"),
    ipaddress.ip_network("ff00::/8"),
)
# Cloud metadata services: refused even inside an allowed range, unless named exactly.
METADATA = frozenset({ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")})
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class EgressRefused(PermanentError):
    """The service's address is not public and not allowed."""

    def __init__(self, message: str = REFUSED) -> None:
        super().__init__(message)


class RefusedAddress(socket.gaierror):
    """What the filtered getaddrinfo raises when no address is left: to every client this
    looks like a name that does not resolve, so nothing is ever sent."""


@dataclass
class _Scope:
    refused: list[str] = field(default_factory=list)  # the hosts refused during the call


_scope: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar("strata_egress", default=None)
_original_getaddrinfo = socket.getaddrinfo


def _embedded(address: Address) -> Address:
    """The IPv4 address hidden in an IPv6 one (mapped, 6to4, NAT64), which is what is reached."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def is_public(address: Address) -> bool:
    inner = _embedded(address)
    if any(inner.version == net.version and inner in net for net in _ALWAYS_PRIVATE):
        return False
    return inner.is_global and not (inner.is_multicast or inner.is_reserved or inner.is_unspecified)


def allowed(host: str, address: Address, allow: AllowList) -> bool:
    inner = _embedded(address)
    if inner in allow.addresses or address in allow.addresses or allow.names_host(host):
        return True
    if inner in METADATA or address in METADATA:
        return False
    if is_public(address):
        return True
    return any(inner.version == net.version and inner in net for net in allow.networks)


def _allow_list() -> AllowList:
    value = getattr(settings, "STRATA_ALLOW_PRIVATE_HOSTS", None)
    return value if isinstance(value, AllowList) else AllowList.parse(value or ())


def _filtered_getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
    results = _original_getaddrinfo(host, port, *args, **kwargs)
    scope = _scope.get()
    if scope is None:
        return results
    name = host.decode() if isinstance(host, bytes) else str(host or "")
    allow = _allow_list()
    kept = [r for r in results if allowed(name, ipaddress.ip_address(str(r[4][0]).split("%")[0]), allow)]
    if not kept:
        scope.refused.append(name)
        raise RefusedAddress(socket.EAI_NONAME, REFUSED)
    return kept


# Installed once for the process; it changes nothing outside guard() (see _filtered_getaddrinfo).
socket.getaddrinfo = _filtered_getaddrinfo


@contextlib.contextmanager
def guard() -> Iterator[None]:
    """Filter every connection made inside the block; an adapter's error that came from a
    refused address becomes EgressRefused, whatever the client library made of it."""
    scope = _Scope()
    token = _scope.set(scope)
    try:
        yield
    except EgressRefused:
        raise
    except Exception:
        if scope.refused:
            raise EgressRefused() from None
        raise
    finally:
        _scope.reset(token)


def host_and_port(service: str) -> tuple[str, int | None]:
    """The host and port of a service URL (http(s), smtp(s)); ValueError, in plain words, when
    it is broken (a port out of range or not a number, an IPv6 host without its bracket)."""
    try:
        url = urlsplit(service)
    except ValueError:
        raise ValueError("the host is not a valid address (an IPv6 address goes in [brackets])") from None
    try:
        port = url.port
    except ValueError:
        port = 0
    if port == 0:
        raise ValueError("the port must be a number from 1 to 65535")
    if not url.hostname:
        raise ValueError("the address has no host name (e.g. https://example.com)")
    return url.hostname, port


def check_service(service: str) -> None:
    """Refuse a service whose host resolves only to addresses that are not allowed; a host
    that does not resolve is left to the platform call, which says so in its own words."""
    host, port = host_and_port(service)
    with guard():
        try:
            socket.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
        except RefusedAddress:
            raise EgressRefused() from None
        except (OSError, UnicodeError):
            return
