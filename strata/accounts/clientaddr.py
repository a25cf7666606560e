"""The address of the person making a request, for throttling and for anything else that needs it.

`X-Forwarded-For` is written by whoever sends the request, so it is believed only when the
connection comes from one of TRUSTED_PROXIES, and then only as far as the chain runs through
them: the client is the right-most address that is not a trusted proxy. Everything left of it
was written by the client and could say anything."""

from __future__ import annotations

import functools
import ipaddress

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    # settings.py has refused bad entries at start-up; strict=False accepts "10.0.0.1/8" too.
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _parse(text: str) -> Address | None:
    """An address as proxies write it: bare, "[v6]:port", or "v4:port"."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # one client, one key, whichever socket family it came in on
    return address


def _trusted(address: Address) -> bool:
    return any(address in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_address(request: HttpRequest) -> str:
    """The client's address as text ("unknown" when the server was not told)."""
    peer = _parse(str(request.META.get("REMOTE_ADDR", "")))
    if peer is None:
        return "unknown"
    if not _trusted(peer):
        return str(peer)
    chain = [hop for hop in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if hop.strip()]
    client = peer
    for hop in reversed(chain):
        address = _parse(hop)
        if address is None:
            # A trusted proxy appends what it saw, which is always an address; anything else
            # was not written by one, so the last trusted hop is as far as we can believe.
            break
        client = address
        if not _trusted(address):
            break
    return str(client)
