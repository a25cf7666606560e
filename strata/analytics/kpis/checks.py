"""The KPIs' checks in the strategy review: a KPI Strata cannot measure is a KPI nobody tracks."""

from __future__ import annotations

from collections.abc import Iterator

from strata.analytics.kpis.measures import known_words, measure_for
from strata.strategy.review.registry import Issue, ReviewContext, check


@check(
    "objective.kpi_not_measured",
    "warning",
    title="KPI Strata cannot measure",
    why="A KPI nobody can read is never checked: the objective drifts without anyone noticing.",
    fix=f"Name the KPI's metric in words Strata measures: {known_words()}; or import the number it needs.",
    examines=lambda ctx: [o for o in ctx.plan.objectives if o.kpi is not None],
)
def kpi_not_measured(ctx: ReviewContext) -> Iterator[Issue]:
    for objective in ctx.plan.objectives:
        if objective.kpi is not None and measure_for(objective.kpi.metric) is None:
            yield f"objective:{objective.id}", f"objective '{objective.id}' measures “{objective.kpi.metric}”, which Strata does not read"
