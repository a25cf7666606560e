"""Sign-in throttling: a bounded number of failures per address and per client in a window.

Counts live in the cache (Redis when REDIS_URL is set), so that every web process sees them."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _keys(email: str, client: str) -> list[str]:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return [f"login-fail:email:{digest}", f"login-fail:client:{client}"]


def is_locked(email: str, client: str) -> bool:
    counts = cache.get_many(_keys(email, client))
    return any(count >= settings.LOGIN_ATTEMPTS for count in counts.values())


def record_failure(email: str, client: str) -> None:
    for key in _keys(email, client):
        if cache.add(key, 1, timeout=settings.LOGIN_WINDOW):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=settings.LOGIN_WINDOW)


def clear(email: str, client: str) -> None:
    # Only the address's count: signing in to one's own account must not reset the count of a
    # client that is guessing passwords for others.
    cache.delete_many(_keys(email, client)[:1])
