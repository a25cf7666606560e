"""Pages for proposed plan changes: the list, one proposal with its reason and diff, and the
strategist's answer (accept or decline)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from strata.accounts.actions import ActionError
from strata.accounts.scoping import Access, workspace_access
from strata.strategy import proposals
from strata.strategy.models import PlanProposal
from strata.strategy.proposal_diff import proposal_diff
from strata.strategy.store import current_plan


def _access(request: HttpRequest, slug: str, permission: str = "plan.view") -> Access:
    return workspace_access(request.user, slug, permission)  # type: ignore[arg-type]


def _proposal(access: Access, proposal_id: int) -> PlanProposal:
    """Only the workspace's own: another workspace's id is the same 404 as no id at all."""
    return get_object_or_404(
        PlanProposal.objects.select_related("based_on", "decided_by", "revision"), pk=proposal_id, workspace=access.workspace
    )


@login_required
def proposal_list(request: HttpRequest, slug: str) -> HttpResponse:
    access = _access(request, slug)
    found = list(PlanProposal.objects.filter(workspace=access.workspace).select_related("decided_by", "revision")[:200])
    waiting = [p for p in found if p.state == PlanProposal.State.OPEN]
    answered = [p for p in found if p.state != PlanProposal.State.OPEN]
    return render(request, "strategy/proposals.html", {"access": access, "waiting": waiting, "answered": answered})


@login_required
def proposal_page(request: HttpRequest, slug: str, proposal_id: int) -> HttpResponse:
    access = _access(request, slug)
    proposal = _proposal(access, proposal_id)
    revision = current_plan(access.workspace).revision
    return render(
        request,
        "strategy/proposal.html",
        {
            "access": access,
            "proposal": proposal,
            "diff": proposal_diff(proposal),
            "evidence": json.dumps(proposal.evidence, indent=2, ensure_ascii=False, default=str) if proposal.evidence else "",
            "revision": revision,
            # Shown before the strategist presses Accept, which would refuse it.
            "moved_on": proposal.state == PlanProposal.State.OPEN and revision != proposal.based_on.number,
            "may_edit": access.may("plan.edit"),
        },
    )


@login_required
@require_POST
def proposal_accept(request: HttpRequest, slug: str, proposal_id: int) -> HttpResponse:
    access = _access(request, slug, "plan.edit")
    proposal = _proposal(access, proposal_id)
    expected = request.POST.get("revision", "")
    try:
        revision = proposals.accept(
            proposal, by=access.user, expected_revision=int(expected) if expected.isascii() and expected.isdigit() else None
        )
    except ActionError as exc:
        messages.error(request, exc.message[:1].upper() + exc.message[1:] + ".")
    else:
        messages.success(request, f"Accepted: the plan is now revision {revision.number}, with this proposal as its reason.")
    return redirect("proposal", slug=slug, proposal_id=proposal.pk)


@login_required
@require_POST
def proposal_decline(request: HttpRequest, slug: str, proposal_id: int) -> HttpResponse:
    access = _access(request, slug, "plan.edit")
    proposal = _proposal(access, proposal_id)
    try:
        proposals.decline(proposal, by=access.user)
    except ActionError as exc:
        messages.error(request, exc.message[:1].upper() + exc.message[1:] + ".")
    else:
        messages.success(request, "Declined: the plan stays as it is, and this advice will not be proposed again.")
    return redirect("proposal", slug=slug, proposal_id=proposal.pk)
