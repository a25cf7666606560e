"""Where short links point: STRATA_LINK_DOMAIN (a domain of its own, such as https://acme.link,
served by this Strata) or else SITE_URL. The domain must be one people outside can reach: a
laptop install at http://127.0.0.1:8000 would send every follower to a dead link, so there
posts keep their own addresses (`reachable`)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings

from strata.env import SettingsError, env_str

PATH = "/l/"
NAME = "STRATA_LINK_DOMAIN"
# Names that only mean something inside one machine or one network.
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa", ".test", ".invalid", ".example")


def configured() -> str:
    """STRATA_LINK_DOMAIN from the settings (or the environment), checked; empty when unset."""
    value = getattr(settings, NAME, None)
    if value is None:
        value = env_str(NAME, "")
    value = str(value).strip()
    if value:
        problem = domain_problem(value)
        if problem:
            raise SettingsError(f"{NAME}={value!r}: {problem}")
    return value.rstrip("/")


def domain_problem(value: str) -> str | None:
    """Why `value` cannot be the links' domain: it must be http(s)://host[:port], nothing after."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return "not a valid address"
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "expected an address such as https://acme.link"
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
        return "expected the domain alone, such as https://acme.link (short links are served at /l/<code> on it)"
    return None


def base() -> str:
    """The scheme and host short links start with, without a trailing slash."""
    return configured() or settings.SITE_URL.rstrip("/")


def short_url(code: str) -> str:
    return f"{base()}{PATH}{code}"


def reachable() -> bool:
    """Whether others can follow a link to `base()`: a public name or address."""
    try:
        host = (urlsplit(base()).hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    if not host:
        return False
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        pass
    return "." in host and host != "localhost" and not host.endswith(LOCAL_SUFFIXES)
