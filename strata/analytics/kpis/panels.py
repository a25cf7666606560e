"""The KPIs' card on the workspace overview (slot 30, registered from AnalyticsConfig.ready())."""

from __future__ import annotations

from django.http import HttpRequest

from strata.accounts.scoping import Access
from strata.analytics.kpis.values import objective_kpis
from strata.strategy.panels import Panel, panel
from strata.strategy.store import current_plan


@panel("kpis", order=30)
def kpis(access: Access, request: HttpRequest) -> Panel | None:
    """Each objective's status, worst first; nothing when the plan has no objectives."""
    if not access.may("report.view"):
        return None
    plan = current_plan(access.workspace).plan
    if not plan.objectives:
        return None
    order = {"off_track": 0, "at_risk": 1, "no_data": 2, "on_track": 3}
    found = sorted(objective_kpis(access.workspace, plan), key=lambda k: order[k.status])
    return Panel("analytics/kpis/panel.html", {"kpis": found})
