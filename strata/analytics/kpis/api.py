"""Each objective's KPI, and alignment, over the API: the numbers of the results page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from pydantic import BeforeValidator

from strata.accounts.actions import ActionError
from strata.accounts.scoping import workspace_access
from strata.analytics import alignment
from strata.analytics.kpis.values import objective_kpis, today_of
from strata.strategy.store import current_plan

router = Router(tags=["kpis"])
MAX_DAYS = 400


def _written_day(value: Any) -> Any:
    # pydantic alone reads "0" as 1 January 1970: a day is written as 2026-11-30 or not at all.
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError(f"expected a day like 2026-11-30, got {value[:40]!r}")
    if isinstance(value, (int, float)):
        raise ValueError(f"expected a day like 2026-11-30, got {value!r}")
    return value


Day = Annotated[dt.date, BeforeValidator(_written_day)]


class Period(Schema):
    start: Day | None = None
    end: Day | None = None


@router.get("/workspaces/{slug}/kpis", summary="Each objective's KPI: readings, forecast and status")
def list_kpis(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    access = workspace_access(request.user, slug, "report.view")  # type: ignore[arg-type]
    return [k.as_dict() for k in objective_kpis(access.workspace, current_plan(access.workspace).plan)]


@router.get("/workspaces/{slug}/kpis/{objective_id}", summary="One objective's KPI")
def one_kpi(request: HttpRequest, slug: str, objective_id: str) -> dict[str, Any]:
    access = workspace_access(request.user, slug, "report.view")  # type: ignore[arg-type]
    for kpi in objective_kpis(access.workspace, current_plan(access.workspace).plan):
        if kpi.objective_id == objective_id:
            return kpi.as_dict()
    raise Http404("no such objective in the plan")


@router.get("/workspaces/{slug}/alignment", summary="Alignment with the plan over a period (default: the last 30 days)")
def get_alignment(request: HttpRequest, slug: str, period: Query[Period]) -> dict[str, Any]:
    access = workspace_access(request.user, slug, "report.view")  # type: ignore[arg-type]
    today = today_of(access.workspace)
    end = period.end or today
    start = period.start or end - dt.timedelta(days=29)
    if start > end:
        raise ActionError("start must be on or before end", field="start")
    if (end - start).days >= MAX_DAYS:
        raise ActionError(f"a period of at most {MAX_DAYS} days", field="start")
    plan = current_plan(access.workspace).plan
    kpis = objective_kpis(access.workspace, plan, today=min(end, today))
    return alignment.measure(access.workspace, plan, kpis, start=start, end=end).as_dict()
