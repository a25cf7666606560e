"""Each objective's KPI as Strata measures it: what the plan set (metric, baseline, target,
deadline), the readings, the forecast to the deadline and the status. The dashboard, the
strategy map, the API and the reports all read these; none computes a KPI its own way.

An objective whose KPI cannot be measured says why in `note`, in words a strategist can act on:
no KPI, a metric Strata does not know, no target or deadline, or no readings yet."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.analytics.kpis import measures
from strata.analytics.kpis.forecast import NO_DATA, WINDOW, Forecast, forecast
from strata.analytics.kpis.measures import Measure
from strata.analytics.metrics.queries import zone_of
from strata.strategy.plan.schema import Objective, PlanDocument

STATUS_WORDS = {"on_track": "on track", "at_risk": "at risk", "off_track": "off track", "no_data": "no data"}


@dataclass(frozen=True)
class ObjectiveKpi:
    objective: Objective
    measure: Measure | None
    campaign: str  # the utm_campaign read, "" for the whole workspace
    series: list[tuple[dt.date, float]]  # the KPI's values by day, the last WINDOW days; gaps absent
    forecast: Forecast
    note: str  # why there is no status, or what was read, in words

    @property
    def objective_id(self) -> str:
        return self.objective.id

    @property
    def status(self) -> str:
        return self.forecast.status

    @property
    def status_words(self) -> str:
        return STATUS_WORDS[self.status]

    @property
    def baseline(self) -> float | None:
        return self.objective.kpi.baseline if self.objective.kpi else None

    @property
    def target(self) -> float | None:
        return self.objective.kpi.target if self.objective.kpi else None

    @property
    def deadline(self) -> dt.date | None:
        return self.objective.kpi.deadline if self.objective.kpi else None

    @property
    def latest(self) -> float | None:
        return self.forecast.latest

    @property
    def progress(self) -> float | None:
        """How far from baseline to target the latest value has come: 0 at the baseline, 1 at the
        target (can pass 1, or fall below 0)."""
        if self.latest is None or self.baseline is None or self.target is None or self.target == self.baseline:
            return None
        return (self.latest - self.baseline) / (self.target - self.baseline)

    def as_dict(self) -> dict[str, object]:
        f = self.forecast
        return {
            "objective": self.objective_id,
            "statement": self.objective.statement,
            "kind": self.objective.kind,
            "aligns_with": self.objective.aligns_with,
            "owner": self.objective.owner,
            "metric": self.objective.kpi.metric if self.objective.kpi else None,
            "measure": self.measure.key if self.measure else None,
            "unit": self.measure.unit if self.measure else None,
            "campaign": self.campaign,
            "baseline": self.baseline,
            "target": self.target,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "latest": _round(f.latest),
            "progress": _round(self.progress, 3),
            "status": self.status,
            "forecast": {
                "value": _round(f.value),
                "low": _round(f.low),
                "high": _round(f.high),
                "per_day": _round(f.per_day, 3),
                "points": f.points,
            },
            "note": self.note,
            "series": [{"day": day.isoformat(), "value": _round(value)} for day, value in self.series],
        }


def today_of(workspace: Workspace) -> dt.date:
    return now().astimezone(zone_of(workspace)).date()


def objective_kpis(workspace: Workspace, plan: PlanDocument, *, today: dt.date | None = None) -> list[ObjectiveKpi]:
    """Every objective of the plan with its KPI, in the plan's order."""
    today = today or today_of(workspace)
    return [objective_kpi(workspace, objective, today=today) for objective in plan.objectives]


def objective_kpi(workspace: Workspace, objective: Objective, *, today: dt.date) -> ObjectiveKpi:
    kpi = objective.kpi
    measure = measures.measure_for(kpi.metric if kpi else None)
    if kpi is None or measure is None:
        why = (
            "no KPI: give the objective a metric, baseline, target and deadline"
            if kpi is None
            else f"Strata does not measure “{kpi.metric}”: name one of {measures.known_words()}"
        )
        return ObjectiveKpi(objective, measure, "", [], Forecast(NO_DATA, None, None, None, None, None, 0), why)
    since = today - dt.timedelta(days=WINDOW - 1)
    campaign = objective.id if measure.by_campaign and measures.tagged(workspace, measure, objective.id) else ""
    series = measures.kpi_series(workspace, measure, since, today, campaign=campaign)
    if campaign:
        read = f"{measure.label.lower()} tagged with this objective's campaign"
    elif measure.by_campaign:  # nothing tagged with this objective: all of social instead
        read = f"{measure.label.lower()} from all social sources (none carry this objective's campaign)"
    else:
        read = f"{measure.label.lower()} of the whole workspace"
    if measure.kind != "level":
        read += f", {'summed' if measure.kind == 'total' else 'averaged'} over {measures.WINDOW} days"
    result = forecast(series, target=kpi.target, baseline=kpi.baseline, deadline=kpi.deadline, today=today)
    if result.status != NO_DATA:
        note = f"Read as {read}."
    elif not series:
        note = f"No readings yet of {measure.label.lower()}."
    elif kpi.target is None or kpi.deadline is None:
        note = f"Read as {read}; set a {'target' if kpi.target is None else 'deadline'} to get a forecast and a status."
    else:
        note = f"Read as {read}; too few readings for a trend."
    return ObjectiveKpi(objective, measure, campaign, series, result, note)


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)
