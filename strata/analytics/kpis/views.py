"""The results page: each objective's KPI against baseline and target with its forecast, and
alignment over the last 30 days. Thin: the numbers are values.py's and alignment.py's."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from strata.accounts.scoping import workspace_access
from strata.analytics import alignment
from strata.analytics.kpis.spark import spark
from strata.analytics.kpis.values import objective_kpis, today_of
from strata.strategy.store import current_plan

DAYS = 30


@login_required
@require_safe
def results(request: HttpRequest, slug: str) -> HttpResponse:
    access = workspace_access(request.user, slug, "report.view")  # type: ignore[arg-type]
    plan = current_plan(access.workspace).plan
    today = today_of(access.workspace)
    kpis = objective_kpis(access.workspace, plan, today=today)
    aligned = alignment.measure(access.workspace, plan, kpis, start=today - dt.timedelta(days=DAYS - 1), end=today)
    goals = {g.id: g.statement for g in plan.goals}
    rows = [(k, spark(k.series, baseline=k.baseline, target=k.target), goals.get(k.objective.aligns_with or "")) for k in kpis]
    counts = {status: sum(1 for k in kpis if k.status == status) for status in ("on_track", "at_risk", "off_track", "no_data")}
    return render(
        request,
        "analytics/kpis/results.html",
        {"access": access, "slug": slug, "rows": rows, "counts": counts, "alignment": aligned, "days": DAYS, "today": today},
    )
