"""Sign-in throttling that an attacker cannot turn against the people they attack.

Three limits, each counted on its own (settings.py explains the numbers):

1. One client address and one account: after LOGIN_ATTEMPTS failures that address may not try
   that account for LOGIN_WINDOW seconds. This stops the guesser, not the owner elsewhere.
2. One client address, every account: after LOGIN_CLIENT_ATTEMPTS failures the address may not
   sign in at all for LOGIN_WINDOW. The limit is well above one account's, so a few wrong
   passwords on a shared network do not shut out everyone else behind it.
3. One account, every address: from the LOGIN_ATTEMPTS-th failure on, each failure doubles a
   wait (one second, two, four … at most LOGIN_WINDOW) before anyone may try the account. An
   attacker spread over many addresses gets few guesses, while the owner waits seconds, not a
   fixed lock-out that each failure renews; attempts refused by limit 1 or 2 are not checked
   and so cannot lengthen it.

Counts live in the cache (Redis when REDIS_URL is set) so that every web process sees them.
They are kept per fixed window and compared with times stored in the values rather than the
cache's own expiry, so the rules read the same on every cache backend."""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Wait:
    """A refusal: how long, and whether the account or the client address is the reason."""

    seconds: int
    account: bool
    what: str = "failed sign-ins"
    whose: str = "this account"

    @property
    def message(self) -> str:
        where = f" for {self.whose}" if self.account else " from your network"
        return f"Too many {self.what}{where}. Wait {duration(self.seconds)} and try again."


def duration(seconds: int) -> str:
    """Seconds in plain words: "1 second", "40 seconds", "15 minutes", "3 hours", "3 days"."""
    if seconds < 60:
        return f"{seconds} second{'' if seconds == 1 else 's'}"
    for unit, size, below in (("minute", 60, 3600), ("hour", 3600, 2 * 86400), ("day", 86400, None)):
        if below is None or seconds < below:
            count = math.ceil(seconds / size)
            return f"{count} {unit}{'' if count == 1 else 's'}"
    raise AssertionError("unreachable: the last unit has no bound")


def _account(email: str) -> str:
    # The same key whether or not the account exists: the answers must not tell them apart.
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def _network(client: str) -> str:
    # Anyone with IPv6 holds a /64 (2^64 addresses), so counting single addresses would count nothing.
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return client
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _keys(email: str, client: str) -> dict[str, str]:
    account, network = _account(email), _network(client)
    return {"pair": f"{account}:{network}", "client": network, "account": account}


def _bump(key: str) -> int:
    """Add one failure to this window's count and return the count."""
    timeout = 2 * settings.LOGIN_WINDOW
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=timeout)
        return 1


def _wait_until(kind: str, name: str, until: float) -> None:
    cache.set(f"login-wait:{kind}:{name}", until, timeout=math.ceil(until - time.time()) + 1)


def refusal(email: str, client: str) -> Wait | None:
    """Whether a sign-in to `email` from `client` must wait, and how long (the longest wait that
    applies). Checked before the password, so that a refused attempt tells nothing."""
    keys = _keys(email, client)
    now = time.time()
    waits = cache.get_many([f"login-wait:{kind}:{name}" for kind, name in keys.items()])
    longest: Wait | None = None
    for kind, name in keys.items():
        until = waits.get(f"login-wait:{kind}:{name}")
        if until is None or until <= now:
            continue
        wait = Wait(seconds=math.ceil(until - now), account=kind != "client")
        if longest is None or wait.seconds > longest.seconds:
            longest = wait
    return longest


def _count(kind: str, name: str, now: float) -> str:
    return f"login-fail:{kind}:{name}:{int(now // settings.LOGIN_WINDOW)}"


def begin(email: str, client: str) -> Wait | None:
    """Call before checking a password: a Wait when the attempt must not be checked, else None.

    The attempt counts against the address at once, as a failure until record_success says
    otherwise: a burst of parallel guesses gets one count each from the atomic increment, so
    no more of them reach the password check than the limits allow."""
    wait = refusal(email, client)
    if wait is not None:
        return wait
    keys, now = _keys(email, client), time.time()
    for kind, limit in (("pair", settings.LOGIN_ATTEMPTS), ("client", settings.LOGIN_CLIENT_ATTEMPTS)):
        if _bump(_count(kind, keys[kind], now)) > limit:
            _wait_until(kind, keys[kind], now + settings.LOGIN_WINDOW)
            return refusal(email, client)
    return None


def record_failure(email: str, client: str) -> None:
    keys, now = _keys(email, client), time.time()
    counts = cache.get_many([_count("pair", keys["pair"], now), _count("client", keys["client"], now)])
    if counts.get(_count("pair", keys["pair"], now), 0) >= settings.LOGIN_ATTEMPTS:
        _wait_until("pair", keys["pair"], now + settings.LOGIN_WINDOW)
    if counts.get(_count("client", keys["client"], now), 0) >= settings.LOGIN_CLIENT_ATTEMPTS:
        _wait_until("client", keys["client"], now + settings.LOGIN_WINDOW)
    failures = _bump(_count("account", keys["account"], now))
    if failures >= settings.LOGIN_ATTEMPTS:
        delay = min(2 ** min(failures - settings.LOGIN_ATTEMPTS, 32), settings.LOGIN_WINDOW)
        _wait_until("account", keys["account"], now + delay)


def record_success(email: str, client: str) -> None:
    # Only this address's own mistakes on this account are forgiven, and this attempt's count
    # for the address given back. The account's count stays: the owner signing in does not
    # mean that someone else has stopped guessing.
    keys, now = _keys(email, client), time.time()
    cache.delete(_count("pair", keys["pair"], now))
    with contextlib.suppress(ValueError):  # the window has turned since begin(): nothing to give back
        cache.decr(_count("client", keys["client"], now))


def reset_wait(email: str, client: str) -> Wait | None:
    """Whether a request for a password-reset e-mail must wait (a Wait) or may go ahead (None).

    Every request counts, whether or not the address has an account, so that the answers are
    the same for both: at most LOGIN_ATTEMPTS e-mails to one address and LOGIN_CLIENT_ATTEMPTS
    requests from one network per LOGIN_WINDOW. The first limit keeps anyone from filling a
    person's inbox, the second from trying addresses by the thousand."""
    keys, now, window = _keys(email, client), time.time(), settings.LOGIN_WINDOW
    for kind, limit in (("account", settings.LOGIN_ATTEMPTS), ("client", settings.LOGIN_CLIENT_ATTEMPTS)):
        if _bump(f"reset:{kind}:{keys[kind]}:{int(now // window)}") > limit:
            seconds = max(1, math.ceil(window - now % window))  # until this window ends
            return Wait(seconds=seconds, account=kind == "account", what="password reset requests", whose="this address")
    return None
