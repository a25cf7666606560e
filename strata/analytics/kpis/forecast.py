"""Where a KPI is heading: a trend fitted to its recent readings, carried to the objective's
deadline with an honest band around it, and the status that follows.

The trend is an ordinary least-squares line through the readings of the last WINDOW days (not
a line through the first and last point, which one odd day would swing). The band is the 80 %
prediction interval of that line at the deadline: it widens with scatter, with few readings and
with distance from them, so that a forecast from three noisy points says how little it knows.

Status, for a target above the baseline (mirrored for one below):
    on track    the band's low end at the deadline reaches the target
    off track   even its high end falls short
    at risk     in between: the target is inside the band
    no data     fewer than MIN_POINTS readings, or no target or deadline to judge by
A deadline already past is judged by the last reading alone."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

WINDOW = 90  # days of readings the trend is fitted to
MIN_POINTS = 3

ON_TRACK, AT_RISK, OFF_TRACK, NO_DATA = "on_track", "at_risk", "off_track", "no_data"

# Two-sided 80 % quantiles of Student's t by degrees of freedom (the 0.90 quantile); beyond
# the table the normal value. Enough precision for a band a person reads.
_T90 = {1: 3.078, 2: 1.886, 3: 1.638, 4: 1.533, 5: 1.476, 6: 1.440, 7: 1.415, 8: 1.397, 9: 1.383, 10: 1.372,
        12: 1.356, 15: 1.341, 20: 1.325, 25: 1.316, 30: 1.310, 40: 1.303, 60: 1.296, 120: 1.289}  # fmt: skip
_Z90 = 1.2816


def t90(df: int) -> float:
    if df <= 0:
        raise ValueError("no degrees of freedom")
    known = [d for d in _T90 if d <= df]
    return _T90[max(known)] if df <= 120 else _Z90


@dataclass(frozen=True)
class Forecast:
    status: str
    value: float | None  # the trend's value at the deadline
    low: float | None  # the 80 % band at the deadline
    high: float | None
    per_day: float | None  # the trend's slope
    latest: float | None  # the newest reading
    points: int  # readings the trend was fitted to


def forecast(
    readings: Sequence[tuple[dt.date, float]], *, target: float | None, baseline: float | None, deadline: dt.date | None, today: dt.date
) -> Forecast:
    """The trend of `readings` (day, value; gaps are simply absent) carried to `deadline`."""
    ordered = sorted((day, float(value)) for day, value in readings if math.isfinite(value))
    latest = ordered[-1][1] if ordered else None
    recent = [(day, value) for day, value in ordered if (today - day).days <= WINDOW]
    if target is None or deadline is None or len(recent) < MIN_POINTS:
        return Forecast(NO_DATA, None, None, None, None, latest, len(recent))
    if deadline <= today:
        assert latest is not None
        reached = latest >= target if _upwards(target, baseline, recent) else latest <= target
        return Forecast(ON_TRACK if reached else OFF_TRACK, latest, latest, latest, None, latest, len(recent))
    origin = recent[0][0]
    xs = [float((day - origin).days) for day, _ in recent]
    ys = [value for _, value in recent]
    n = len(xs)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:  # every reading on one day: no trend to speak of
        return Forecast(NO_DATA, None, None, None, None, latest, n)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    intercept = mean_y - slope * mean_x
    x0 = float((deadline - origin).days)
    value = intercept + slope * x0
    residual = sum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys, strict=True))
    scatter = math.sqrt(residual / (n - 2)) if n > 2 else 0.0
    half = t90(max(n - 2, 1)) * scatter * math.sqrt(1 + 1 / n + (x0 - mean_x) ** 2 / sxx)
    low, high = value - half, value + half
    if _upwards(target, baseline, recent):
        status = ON_TRACK if low >= target else OFF_TRACK if high < target else AT_RISK
    else:
        status = ON_TRACK if high <= target else OFF_TRACK if low > target else AT_RISK
    return Forecast(status, value, low, high, slope, latest, n)


def _upwards(target: float, baseline: float | None, recent: Sequence[tuple[dt.date, float]]) -> bool:
    """Whether the objective wants the number to rise: from the baseline, else from the first reading."""
    start = baseline if baseline is not None else recent[0][1]
    return target >= start
