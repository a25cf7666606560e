"""From a report's recommendation to a proposed plan change: the report page's button posts
the period (month and kind) and the advice's key here; the advice is made again from today's
numbers and plan (never taken from the form) and proposed for a strategist to review."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from strata.accounts.actions import ActionError
from strata.accounts.scoping import workspace_access
from strata.analytics.reports.build import NotYet, build_report
from strata.analytics.reports.period import Kind, Period
from strata.strategy import proposals
from strata.strategy.models import PlanProposal

KINDS = ("monthly", "six_month")


def _month(text: str) -> dt.date | None:
    """'2026-10' → 1 October 2026; anything else → None."""
    try:
        return dt.datetime.strptime(text, "%Y-%m").date() if len(text) == 7 else None  # noqa: DTZ007 - a calendar month, no time
    except ValueError:
        return None


@login_required
@require_POST
def advice_propose(request: HttpRequest, slug: str) -> HttpResponse:
    access = workspace_access(request.user, slug, "plan.edit")  # type: ignore[arg-type]
    month, kind, key = _month(request.POST.get("month", "")), request.POST.get("kind", ""), request.POST.get("key", "")
    if month is None or kind not in KINDS or not key:
        messages.error(request, "That advice could not be read: it needs a month like 2026-10, the report's kind and the advice's key.")
        return redirect("proposals", slug=slug)
    period = Period.ending(cast(Kind, kind), month)
    try:
        report = build_report(access.workspace, period)
    except NotYet as exc:
        messages.error(request, str(exc))
        return redirect("proposals", slug=slug)
    advice = next((r for r in report.recommendations if r.key == key), None)
    if advice is None or advice.plan is None:
        messages.error(
            request,
            f"The report of {period.label} no longer gives that advice"
            if advice is None
            else "That advice implies no plan change to propose: it is for the team to act on.",
        )
        return redirect("proposals", slug=slug)
    try:
        proposal = proposals.propose(
            access.workspace,
            key=f"advice:{month:%Y-%m}:{advice.key}"[: proposals.KEY_LENGTH],
            plan=advice.plan,
            summary=advice.change,
            reason=f"{advice.title} (report of {period.label}). {advice.evidence}",
            evidence={"report": {"kind": kind, "month": f"{month:%Y-%m}"}, "advice": advice.kind, **advice.numbers},
        )
    except ActionError as exc:
        messages.error(request, exc.message[:1].upper() + exc.message[1:] + ".")
        return redirect("proposals", slug=slug)
    if proposal.state in (PlanProposal.State.ACCEPTED, PlanProposal.State.DECLINED):
        messages.info(request, f"This advice was {proposal.get_state_display()} already.")
    return redirect("proposal", slug=slug, proposal_id=proposal.pk)
