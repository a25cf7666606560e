"""Advice: an objective off track.

An objective whose forecast says even the high end of its band misses the target by the
deadline (kpis/forecast.py) is off track. When the trend heads towards the target, the plan
change moves the deadline to when the trend gets there; when that is too far off to be a plan,
it lowers the target to what the band's optimistic end reaches by the deadline instead. A
trend heading away, or a deadline already past, leaves the advice without a plan change:
no date or number makes that true, the strategies have to change."""

from __future__ import annotations

import calendar
import datetime as dt
import math

from strata.analytics.kpis.values import ObjectiveKpi
from strata.analytics.reports.advice_base import Recommendation, number, revised
from strata.strategy.plan.schema import Kpi, PlanDocument

# A deadline moved further than this is no longer the same objective: offer a target it can
# reach by the old deadline instead.
MAX_MOVE = dt.timedelta(days=3 * 365)


def objective_off_track(plan: PlanDocument, kpis: list[ObjectiveKpi]) -> list[Recommendation]:
    return [_advise(plan, k) for k in kpis if k.status == "off_track" and k.target is not None and k.deadline is not None]


def _advise(plan: PlanDocument, kpi: ObjectiveKpi) -> Recommendation:
    f = kpi.forecast
    target, deadline = kpi.target, kpi.deadline
    assert target is not None
    assert deadline is not None
    unit = f" {kpi.measure.unit}" if kpi.measure is not None and kpi.measure.unit else ""
    evidence = f"{kpi.objective_id} aims at {number(target)}{unit} by {deadline:%-d %B %Y}; the latest reading is {_n(f.latest)}{unit}."
    numbers = {
        "objective": kpi.objective_id,
        "target": target,
        "deadline": deadline.isoformat(),
        "latest": f.latest,
        "forecast": f.value,
        "low": f.low,
        "high": f.high,
        "per_day": f.per_day,
    }
    key = f"objective-off-track:{kpi.objective_id}"
    title = f"{kpi.objective_id} will not reach its target by {deadline:%-d %B %Y}"
    if f.per_day is None or f.value is None or f.high is None or f.low is None:
        return Recommendation(
            key=key,
            kind="objective_off_track",
            title=title,
            evidence=evidence + " The deadline has passed short of the target.",
            numbers=numbers,
            change="No plan change: set a new target and deadline for the objective, or retire it.",
        )
    evidence += (
        f" The trend ({_per_day(f.per_day)}{unit} a day over {f.points} readings) reaches {number(f.value)}{unit} by then, "
        f"{number(f.low)} to {number(f.high)} within its band, all short of {number(target)}."
    )
    if (target - f.value) * f.per_day <= 0:
        return Recommendation(
            key=key,
            kind="objective_off_track",
            title=title,
            evidence=evidence + " The trend heads away from the target.",
            numbers=numbers,
            change="No plan change: no later deadline reaches the target at this trend; rethink the strategies that serve it.",
        )
    reached = deadline + dt.timedelta(days=math.ceil((target - f.value) / f.per_day))
    reached = reached.replace(day=calendar.monthrange(reached.year, reached.month)[1])  # the end of that month
    numbers["trend_reaches_target"] = reached.isoformat()
    # The band's hopeful end: its high for a number that should rise, its low for one that should fall.
    best = f.high if target > f.value else f.low
    if reached - deadline <= MAX_MOVE:

        def move(copy: PlanDocument) -> None:
            _kpi_of(copy, kpi.objective_id).deadline = reached

        return Recommendation(
            key=key,
            kind="objective_off_track",
            title=title,
            evidence=evidence + f" At this trend it gets there by {reached:%B %Y}.",
            numbers=numbers,
            change=f"Move the deadline of {kpi.objective_id} from {deadline:%-d %B %Y} to {reached:%-d %B %Y}, when the trend reaches the target; or lower the target to {number(_reachable(best, upwards=target > f.value))}{unit}.",
            plan=revised(plan, move),
        )
    lowered = _reachable(best, upwards=target > f.value)

    def lower(copy: PlanDocument) -> None:
        _kpi_of(copy, kpi.objective_id).target = lowered

    return Recommendation(
        key=key,
        kind="objective_off_track",
        title=title,
        evidence=evidence + f" At this trend it gets there only by {reached:%B %Y}.",
        numbers=numbers,
        change=f"Lower the target of {kpi.objective_id} from {number(target)} to {number(lowered)}{unit}, the most the trend reaches by the deadline.",
        plan=revised(plan, lower),
    )


def _kpi_of(copy: PlanDocument, objective_id: str) -> Kpi:
    objective = next(o for o in copy.objectives if o.id == objective_id)
    assert objective.kpi is not None
    return objective.kpi


def _reachable(value: float, *, upwards: bool) -> float:
    """A target a plan would state: three significant figures, on the side the trend reaches
    (19,211.6 rising → 19,200; 1,304 falling → 1,310)."""
    if value == 0:
        return 0.0
    step = 10.0 ** (math.floor(math.log10(abs(value))) - 2)
    return round((math.floor if upwards else math.ceil)(value / step) * step, 10)


def _n(value: float | None) -> str:
    return "unknown" if value is None else number(value)


def _per_day(value: float) -> str:
    text = f"{value:+,.2f}".rstrip("0").rstrip(".")
    return text
