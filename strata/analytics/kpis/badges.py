"""The KPI status on each objective of the strategy map (strategy/map_badges.py)."""

from __future__ import annotations

from strata.accounts.models import Workspace
from strata.analytics.kpis.values import objective_kpis
from strata.strategy.map_badges import Badge, badge_source
from strata.strategy.plan.schema import PlanDocument

TONES = {"on_track": "good", "at_risk": "warn", "off_track": "bad", "no_data": "none"}


@badge_source("kpis")
def kpi_badges(workspace: Workspace, plan: PlanDocument) -> dict[str, Badge]:
    found = {}
    for kpi in objective_kpis(workspace, plan):
        detail = kpi.note
        if kpi.latest is not None and kpi.target is not None and kpi.measure is not None:
            detail = f"{kpi.measure.label.lower()} {kpi.latest:,.0f} of {kpi.target:,.0f}" + (
                f" by {kpi.deadline:%d %b %Y}" if kpi.deadline else ""
            )
        found[f"objective:{kpi.objective_id}"] = Badge(kpi.status_words, TONES[kpi.status], detail)  # type: ignore[arg-type]
    return found
