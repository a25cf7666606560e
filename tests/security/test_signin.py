"""Sign-in throttling that an attacker cannot turn against the people they attack (issue 7, item 5)."""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.core.cache import cache, caches
from django.test import Client, RequestFactory

from strata.accounts import throttle
from strata.accounts.clientaddr import client_address
from tests.conftest import PASSWORD

ATTACKER, OWNER_HOME, PROXY = "203.0.113.7", "198.51.100.2", "10.0.0.5"
# Windows are counted from the epoch; start just inside one so that none ends mid-test.
START = dt.datetime(2030, 1, 1, 0, 0, 10, tzinfo=dt.UTC)


@pytest.fixture
def clock(time_machine: Any) -> Iterator[Any]:
    time_machine.move_to(START, tick=False)
    cache.clear()
    yield time_machine
    cache.clear()  # the waits end in 2030: leave none for the tests after this one


def sign_in(email: str, password: str, *, address: str, forwarded: str = "") -> Any:
    headers = {"x-forwarded-for": forwarded} if forwarded else {}
    return Client(REMOTE_ADDR=address).post("/login/", {"email": email, "password": password}, headers=headers)


def guess(email: str, times: int, **where: str) -> None:
    for _ in range(times):
        assert sign_in(email, "wrong password", **where).status_code == 400


def test_it_lets_the_owner_in_from_elsewhere_after_five_wrong_passwords(personas: Any, clock: Any) -> None:
    guess("owner@acme.example", 5, address=ATTACKER)
    slowed = sign_in("owner@acme.example", PASSWORD, address=OWNER_HOME)
    assert slowed.status_code == 429
    assert "Too many failed sign-ins for this account. Wait 1 second and try again." in slowed.content.decode()
    assert slowed["Retry-After"] == "1"
    clock.shift(1)
    assert sign_in("owner@acme.example", PASSWORD, address=OWNER_HOME).status_code == 302


def test_it_keeps_the_guessing_address_out_of_that_account(personas: Any, clock: Any) -> None:
    guess("owner@acme.example", 5, address=ATTACKER)
    clock.shift(60)
    refused = sign_in("owner@acme.example", PASSWORD, address=ATTACKER)
    assert refused.status_code == 429
    assert "Wait 14 minutes and try again." in refused.content.decode()
    clock.shift(14 * 60)
    assert sign_in("owner@acme.example", PASSWORD, address=ATTACKER).status_code == 302


def test_it_does_not_lock_other_accounts_signing_in_from_the_same_address(personas: Any, clock: Any) -> None:
    guess("owner@acme.example", 5, address=ATTACKER)
    assert sign_in("editor@acme.example", PASSWORD, address=ATTACKER).status_code == 302


def test_it_limits_an_address_that_guesses_many_accounts(personas: Any, clock: Any) -> None:
    for n in range(19):
        guess(f"someone{n}@acme.example", 1, address=ATTACKER)
    assert sign_in("editor@acme.example", PASSWORD, address=ATTACKER).status_code == 302
    guess("nobody@acme.example", 1, address=ATTACKER)
    refused = sign_in("analyst@acme.example", PASSWORD, address=ATTACKER)
    assert refused.status_code == 429
    assert "Too many failed sign-ins from your network. Wait 15 minutes" in refused.content.decode()
    assert sign_in("analyst@acme.example", PASSWORD, address=OWNER_HOME).status_code == 302


def test_it_doubles_the_wait_for_guesses_spread_over_many_addresses(personas: Any, clock: Any) -> None:
    for n in range(5):
        guess("owner@acme.example", 1, address=f"192.0.2.{n + 1}")
    for seconds in (1, 2, 4, 8):
        refused = sign_in("owner@acme.example", "another guess", address="192.0.2.99")
        assert f"Wait {duration_words(seconds)} and try again." in refused.content.decode()
        clock.shift(seconds)
        guess("owner@acme.example", 1, address=f"192.0.2.{10 + seconds}")
    # Refused attempts are not checked, so they do not lengthen the wait either.
    for _ in range(5):
        assert sign_in("owner@acme.example", "yet another", address="192.0.2.98").status_code == 429
    clock.shift(16)
    assert sign_in("owner@acme.example", PASSWORD, address=OWNER_HOME).status_code == 302


def duration_words(seconds: int) -> str:
    return f"{seconds} second{'' if seconds == 1 else 's'}"


def test_it_counts_a_client_behind_a_trusted_proxy_by_its_own_address(personas: Any, clock: Any, settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    # Whatever the attacker writes at the left of the chain, the proxy appends what it saw.
    for n in range(5):
        assert sign_in("owner@acme.example", "wrong", address=PROXY, forwarded=f"192.0.2.{n}, {ATTACKER}").status_code == 400
    assert sign_in("owner@acme.example", PASSWORD, address=PROXY, forwarded=ATTACKER).status_code == 429
    clock.shift(1)
    assert sign_in("owner@acme.example", PASSWORD, address=PROXY, forwarded=OWNER_HOME).status_code == 302
    # Sent straight to Strata, the header is the attacker's own text and changes nothing.
    assert sign_in("owner@acme.example", PASSWORD, address=ATTACKER, forwarded=f"{PROXY}, {OWNER_HOME}").status_code == 429


def test_it_checks_no_more_than_five_of_a_burst_of_parallel_guesses(clock: Any) -> None:
    # Each guess costs the server a password hash; sent all at once, none has failed yet when
    # the others ask, so the attempts are counted before the check, not after.
    start = threading.Barrier(20)

    def attempt(_: int) -> bool:
        start.wait()
        return throttle.begin("owner@acme.example", ATTACKER) is None

    with ThreadPoolExecutor(max_workers=20) as pool:
        checked = sum(pool.map(attempt, range(20)))
    assert checked == 5


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("203.0.113.7", "1.2.3.4", "203.0.113.7"),  # not a proxy: the header is the client's own text
        ("10.0.0.5", "1.2.3.4, 203.0.113.7", "203.0.113.7"),
        ("10.0.0.5", "203.0.113.7, 10.0.0.9", "203.0.113.7"),  # two proxies deep
        ("10.0.0.5", "10.0.0.8, 10.0.0.9", "10.0.0.8"),  # all trusted: the left-most
        ("10.0.0.5", "", "10.0.0.5"),
        ("10.0.0.5", "evil, 10.0.0.9", "10.0.0.9"),  # never further than the chain can be believed
        ("10.0.0.5", "[2001:db8::1]:4711", "2001:db8::1"),
        ("10.0.0.5", "203.0.113.7:4711", "203.0.113.7"),
        ("::ffff:203.0.113.7", "", "203.0.113.7"),
    ],
)
def test_it_takes_the_right_most_address_a_trusted_proxy_saw(peer: str, forwarded: str, client: str, settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = RequestFactory().get("/", REMOTE_ADDR=peer, headers={"x-forwarded-for": forwarded} if forwarded else {})
    assert client_address(request) == client


def test_it_counts_one_ipv6_network_as_one_address(personas: Any, clock: Any) -> None:
    for n in range(5):
        guess("owner@acme.example", 1, address=f"2001:db8:1:2::{n + 1}")
    clock.shift(1)
    assert sign_in("owner@acme.example", PASSWORD, address="2001:db8:1:2::99").status_code == 429
    assert sign_in("owner@acme.example", PASSWORD, address="2001:db8:1:3::1").status_code == 302


@pytest.fixture
def redis_cache(settings: Any) -> Iterator[None]:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}}
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.mark.redis
def test_it_throttles_every_web_process_alike_through_redis(personas: Any, clock: Any, redis_cache: None) -> None:
    guess("owner@acme.example", 5, address=ATTACKER)
    assert sign_in("owner@acme.example", PASSWORD, address=ATTACKER).status_code == 429
    assert sign_in("editor@acme.example", PASSWORD, address=ATTACKER).status_code == 302
    clock.shift(1)
    assert sign_in("owner@acme.example", PASSWORD, address=OWNER_HOME).status_code == 302
    import redis

    assert redis.Redis.from_url(os.environ["REDIS_URL"]).keys("*login-wait*")
