"""The reports pages: the list, and each report as a page, a PDF and JSON. Thin: the numbers
are in build.py, the words in render.py, the PDF in pdf.py."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from strata.accounts.scoping import Access, workspace_access
from strata.analytics.kpis.values import today_of
from strata.analytics.reports import months, schedule
from strata.analytics.reports.build import NotYet, build_report
from strata.analytics.reports.models import ReportDelivery
from strata.analytics.reports.period import Kind, Period
from strata.strategy.store import current_plan

SENT_SHOWN = 12


def _access(request: HttpRequest, slug: str) -> Access:
    return workspace_access(request.user, slug, "report.view")  # type: ignore[arg-type]


@login_required
@require_GET
def reports_page(request: HttpRequest, slug: str) -> HttpResponse:
    access = _access(request, slug)
    workspace = access.workspace
    today = today_of(workspace)
    monthly, six = months.available(workspace, today=today)
    plan = current_plan(workspace).plan
    context = {
        "workspace": workspace,
        "slug": slug,
        "monthly": [(p, months.month_text(p.start), p.end < today) for p in monthly],
        "six_month": [(p, months.month_text(p.months[-1])) for p in six],
        "schedule": schedule.upcoming(plan, today),
        "deliveries": ReportDelivery.objects.filter(workspace=workspace).order_by("-period_end", "kind")[:SENT_SHOWN],
    }
    return render(request, "analytics/reports/index.html", context)


def _report(request: HttpRequest, slug: str, kind: Kind, month: str, as_: str) -> HttpResponse:
    access = _access(request, slug)
    try:
        period = Period.ending(kind, months.parse_month(month))
    except months.BadMonth as exc:
        raise Http404(str(exc)) from None
    try:
        report = build_report(access.workspace, period)
    except NotYet as exc:
        if as_ == "json":
            return JsonResponse({"detail": str(exc)}, status=404)
        return render(request, "analytics/reports/notyet.html", {"slug": slug, "message": str(exc)}, status=404)
    name = f"{slug}-{'six-month' if kind == 'six_month' else 'monthly'}-report-{month}"
    # Charts and PDF only where a report is drawn: their libraries take a second to import, and
    # every process that imports the URLs (the worker, the publisher) would pay it.
    from strata.analytics.reports import pdf
    from strata.analytics.reports import render as rendering

    if as_ == "json":
        response = HttpResponse(json.dumps(report.as_json(), ensure_ascii=False, indent=1), content_type="application/json")
    elif as_ == "pdf":
        response = HttpResponse(pdf.pdf_bytes(report), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    else:
        return render(request, "analytics/reports/page.html", rendering.context(report, interactive=True))
    return response


def _view(kind: Kind, as_: str) -> Any:
    @login_required
    @require_GET
    def view(request: HttpRequest, slug: str, month: str) -> HttpResponse:
        return _report(request, slug, kind, month, as_)

    view.__name__ = view.__qualname__ = f"report_{kind}_{as_}"
    view.__doc__ = f"The {kind.replace('_', '-')} report ending with `month` ({as_})."
    return view


monthly_page, monthly_pdf, monthly_json = (_view("monthly", as_) for as_ in ("html", "pdf", "json"))
six_month_page, six_month_pdf, six_month_json = (_view("six_month", as_) for as_ in ("html", "pdf", "json"))
