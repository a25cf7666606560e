"""The decaying schedule of post reads: often while a post is new, rarely once it is old, never
after 90 days (strata/analytics/metrics/schedule.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from strata.analytics.metrics.schedule import LIFETIME, next_read, phase_of

PUBLISHED = dt.datetime(2026, 3, 2, 0, 0, tzinfo=dt.UTC)  # midnight UTC: the grid of phase 0
M, H, D = dt.timedelta(minutes=1), dt.timedelta(hours=1), dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("age", "next_age"),
    [
        (0 * M, 15 * M),  # just published: a quarter hour later
        (1 * M, 15 * M),
        (15 * M, 30 * M),  # exactly on a read time: the next one
        (5 * H + 50 * M, 6 * H),
        (6 * H, 7 * H),  # six hours old: hourly
        (6 * H + 1 * M, 7 * H),
        (47 * H + 59 * M, 2 * D),
        (2 * D, 2 * D + 6 * H),  # two days old: every 6 hours
        (13 * D + 19 * H, 14 * D),
        (14 * D, 15 * D),  # two weeks old: daily
        (89 * D + 1 * H, 90 * D),  # the last read, on its 90th day
        (90 * D, None),  # never after 90 days
        (400 * D, None),
    ],
)
def test_reads_thin_out_with_age_and_end_at_90_days(age: dt.timedelta, next_age: dt.timedelta | None) -> None:
    assert next_read(PUBLISHED, PUBLISHED + age) == (None if next_age is None else PUBLISHED + next_age)


def test_a_post_from_the_future_is_read_as_if_just_published() -> None:
    assert next_read(PUBLISHED, PUBLISHED - 3 * H) == PUBLISHED - 3 * H + 15 * M


def test_one_post_is_read_about_190_times_in_its_life() -> None:
    at, reads = PUBLISHED, 0
    while (at := next_read(PUBLISHED, at)) is not None:  # type: ignore[assignment]
        reads += 1
        assert at - PUBLISHED <= LIFETIME
    assert 185 <= reads <= 192


def test_a_channels_posts_share_read_times_and_channels_differ() -> None:
    """The grids nest: two posts of a channel that are due at all are due at once, so they share
    a call; the phase (under 15 minutes, stable) spreads channels over the quarter hour."""
    phase = phase_of(7, "acme-bsky")
    assert phase == phase_of(7, "acme-bsky")
    assert dt.timedelta(0) <= phase < 15 * M
    assert len({phase_of(7, f"channel-{n}") for n in range(20)}) > 10
    new, old = PUBLISHED + 20 * D + 5 * H + 7 * M, PUBLISHED  # 9 minutes and 20 days old at `at`
    at = new + 9 * M
    soon, late = next_read(new, at, phase=phase), next_read(old, at, phase=phase)
    assert soon is not None
    assert late is not None
    assert (soon - at) <= 15 * M
    assert (late - at) <= D
    assert ((late - dt.datetime(1970, 1, 1, tzinfo=dt.UTC) - phase) % (15 * M)) == dt.timedelta(0)  # on the quarter-hour grid too
    # Reading every due post at the daily time: the new post is due then as well.
    assert next_read(new, late - dt.timedelta(seconds=1), phase=phase) == late
