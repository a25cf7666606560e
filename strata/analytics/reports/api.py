"""The reports over the API: the same JSON as `strata report … --format json` and the page's
.json, every number the page shows, objectives keyed by id."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router

from strata.accounts.scoping import workspace_access
from strata.analytics.reports import months
from strata.analytics.reports.build import NotYet, build_report
from strata.analytics.reports.period import Kind, Period

router = Router(tags=["reports"])


def _report(request: HttpRequest, slug: str, kind: Kind, month: str) -> dict[str, Any]:
    access = workspace_access(request.user, slug, "report.view")  # type: ignore[arg-type]
    try:
        period = Period.ending(kind, months.parse_month(month))
        return build_report(access.workspace, period).as_json()
    except (months.BadMonth, NotYet) as exc:
        raise Http404(str(exc)) from None


@router.get("/workspaces/{slug}/reports/monthly/{month}", response=dict[str, Any])
def monthly_report(request: HttpRequest, slug: str, month: str) -> dict[str, Any]:
    """The monthly report of `month` (YYYY-MM): summary, plan against actual per objective id,
    followers, engagement, mix, response times, clicks, imports, plan changes and advice. A
    month not yet over is counted to yesterday (`complete` is false); one not begun is a 404."""
    return _report(request, slug, "monthly", month)


@router.get("/workspaces/{slug}/reports/six-month/{month}", response=dict[str, Any])
def six_month_report(request: HttpRequest, slug: str, month: str) -> dict[str, Any]:
    """The six-month report ending with `month` (YYYY-MM), in the same shape as the monthly one."""
    return _report(request, slug, "six_month", month)
