"""A KPI's small line chart on the results page: the readings, the baseline and the target as
lines, drawn as SVG coordinates (the template draws them; the reports draw full charts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 240, 64, 4


@dataclass(frozen=True)
class Spark:
    points: str  # the polyline's "x,y x,y …"
    baseline_y: float | None
    target_y: float | None
    low: float
    high: float


def spark(series: Sequence[tuple[dt.date, float]], *, baseline: float | None, target: float | None) -> Spark | None:
    """None when there are fewer than two readings: one point is not a line."""
    if len(series) < 2:
        return None
    values = [v for _, v in series]
    low = min([*values, *(x for x in (baseline, target) if x is not None)])
    high = max([*values, *(x for x in (baseline, target) if x is not None)])
    span = (high - low) or 1.0
    first, last = series[0][0], series[-1][0]
    days = max((last - first).days, 1)

    def x(day: dt.date) -> float:
        return round(PAD + (WIDTH - 2 * PAD) * (day - first).days / days, 1)

    def y(value: float) -> float:
        return round(HEIGHT - PAD - (HEIGHT - 2 * PAD) * (value - low) / span, 1)

    return Spark(
        " ".join(f"{x(day)},{y(value)}" for day, value in series),
        None if baseline is None else y(baseline),
        None if target is None else y(target),
        low,
        high,
    )
