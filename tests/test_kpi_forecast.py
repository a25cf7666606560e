"""The KPI forecast against known series: a clean trend, a noisy one, a falling target, too
little data, and a deadline already past. The numbers are worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
import math
import random

import pytest

from strata.analytics.kpis.forecast import AT_RISK, NO_DATA, OFF_TRACK, ON_TRACK, forecast, t90

pytestmark = pytest.mark.one_database

TODAY = dt.date(2026, 12, 1)


def days_back(values: list[float]) -> list[tuple[dt.date, float]]:
    """values[-1] is today's reading, one a day before it."""
    return [(TODAY - dt.timedelta(days=len(values) - 1 - i), v) for i, v in enumerate(values)]


def test_a_clean_trend_is_carried_to_the_deadline_with_no_band() -> None:
    # 10 readings rising 5 a day, ending at 1,045 today; the deadline 30 days on: 1,045 + 150.
    result = forecast(
        days_back([1000 + 5 * i for i in range(10)]), target=1200, baseline=1000, deadline=TODAY + dt.timedelta(days=30), today=TODAY
    )
    assert result.value == pytest.approx(1195)
    assert result.per_day == pytest.approx(5)
    assert result.low == pytest.approx(1195)  # no scatter: no band
    assert result.status == OFF_TRACK  # 1,195 < 1,200, and nothing suggests more
    assert (
        forecast(
            days_back([1000 + 5 * i for i in range(10)]), target=1190, baseline=1000, deadline=TODAY + dt.timedelta(days=30), today=TODAY
        ).status
        == ON_TRACK
    )


def test_scatter_widens_the_band_and_makes_a_near_target_at_risk() -> None:
    rng = random.Random(7)
    values = [1000 + 5 * i + rng.gauss(0, 20) for i in range(30)]
    result = forecast(days_back(values), target=1300, baseline=1000, deadline=TODAY + dt.timedelta(days=30), today=TODAY)
    assert result.low is not None
    assert result.high is not None
    assert result.value is not None
    assert result.high - result.low > 40  # the noise shows
    assert result.low < 1300 < result.high
    assert result.status == AT_RISK
    # The band by hand: t(28) · s · sqrt(1 + 1/n + (x0 - x̄)² / Sxx), with x the day numbers 0..29.
    n, x0, mean_x = 30, 59.0, 14.5
    sxx = sum((x - mean_x) ** 2 for x in range(n))
    slope = result.per_day
    intercept = result.value - slope * x0  # type: ignore[operator]
    s = math.sqrt(sum((v - (intercept + slope * x)) ** 2 for x, v in enumerate(values)) / (n - 2))  # type: ignore[operator]
    assert (result.high - result.low) / 2 == pytest.approx(t90(28) * s * math.sqrt(1 + 1 / n + (x0 - mean_x) ** 2 / sxx))


def test_a_target_below_the_baseline_is_met_by_falling() -> None:
    # Support inquiries: from 1,400 down 10 a day for 20 days, 1,210 today; in 15 days 1,060.
    series = days_back([1400 - 10 * i for i in range(20)])
    deadline = TODAY + dt.timedelta(days=15)
    assert forecast(series, target=1100, baseline=1400, deadline=deadline, today=TODAY).status == ON_TRACK
    assert forecast(series, target=1000, baseline=1400, deadline=deadline, today=TODAY).status == OFF_TRACK


def test_too_little_data_or_nothing_to_judge_by_says_so() -> None:
    two = days_back([10, 12])
    assert forecast(two, target=20, baseline=10, deadline=TODAY + dt.timedelta(days=10), today=TODAY).status == NO_DATA
    five = days_back([10, 12, 13, 15, 16])
    assert forecast(five, target=None, baseline=10, deadline=TODAY + dt.timedelta(days=10), today=TODAY).status == NO_DATA
    assert forecast(five, target=20, baseline=10, deadline=None, today=TODAY).status == NO_DATA
    # Readings older than the window do not count.
    old = [(TODAY - dt.timedelta(days=200 + i), 5.0) for i in range(10)]
    assert forecast(old, target=20, baseline=10, deadline=TODAY + dt.timedelta(days=10), today=TODAY).status == NO_DATA


def test_a_past_deadline_is_judged_by_the_last_reading() -> None:
    series = days_back([100, 110, 120, 130])
    assert forecast(series, target=125, baseline=100, deadline=TODAY, today=TODAY).status == ON_TRACK
    assert forecast(series, target=140, baseline=100, deadline=TODAY - dt.timedelta(days=1), today=TODAY).status == OFF_TRACK
