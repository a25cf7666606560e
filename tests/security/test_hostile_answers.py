"""What a platform answers is hostile input too: a Retry-After that is no number, or a wait
that would overflow the scheduler, must not stop delivery."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from strata.platforms.base import MAX_RETRY_AFTER, RateLimited, retry_after_header


@pytest.mark.parametrize(
    ("header", "seconds"), [("120", 120.0), ("²", 60.0), ("", 60.0), ("Wed, 21 Oct 2026 07:28:00 GMT", 60.0), ("-5", 60.0)]
)
def test_a_retry_after_header_is_read_only_when_it_is_plain_seconds(header: str, seconds: float) -> None:
    assert retry_after_header(header) == seconds


@pytest.mark.parametrize(("asked", "kept"), [(10**12, MAX_RETRY_AFTER), (0.0, 1.0), (-3.0, 1.0), (30.0, 30.0)])
def test_a_wait_asked_by_a_platform_is_kept_within_a_day(asked: float, kept: float) -> None:
    limited = RateLimited("slow down", retry_after=asked)
    assert limited.retry_after == kept
    dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=limited.retry_after)  # what the worker computes


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["x" * 300 + "@example.com", "not an address"])
def test_createuser_refuses_what_the_forms_refuse(email: str) -> None:
    with pytest.raises(CommandError):
        call_command("createuser", email, "--password-file", "/dev/null")
