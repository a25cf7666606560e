"""Proposed plan changes over the API: read them with their diff; accept or decline (strategists
and owners). Proposing is done by what has advice to give (the reports), not over the API."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from strata.accounts.models import Workspace
from strata.accounts.scoping import workspace_access
from strata.strategy import proposals
from strata.strategy.models import PlanProposal
from strata.strategy.proposal_diff import proposal_diff

router = Router(tags=["proposals"])


class ProposalOut(Schema):
    id: int
    key: str
    state: str = Field(description="open, accepted, declined, or stale (the plan changed before it was answered)")
    summary: str
    reason: str
    evidence: dict[str, Any]
    based_on: int = Field(description="the plan revision it was made from, and whose plan its diff is read against")
    created_at: str
    decided_by: str | None
    decided_at: str | None
    revision: int | None = Field(description="the revision accepting it made")


class ProposalDetailOut(ProposalOut):
    changes: list[str] = Field(description='each element added, removed or changed: "changed channel acme-mastodon"')
    diff: str = Field(description="a unified diff of the plan files, revision `based_on` against the proposed plan")
    plan: dict[str, Any] = Field(description="the whole proposed plan")


class AcceptIn(Schema):
    expected_revision: int | None = Field(default=None, description="refuse (409) unless the plan is still this revision")


def _out(p: PlanProposal) -> dict[str, Any]:
    return {
        "id": p.pk,
        "key": p.key,
        "state": p.state,
        "summary": p.summary,
        "reason": p.reason,
        "evidence": p.evidence or {},
        "based_on": p.based_on.number,
        "created_at": p.created_at.isoformat(),
        "decided_by": (p.decided_by.email if p.decided_by else None),
        "decided_at": p.decided_at.isoformat() if p.decided_at else None,
        "revision": p.revision.number if p.revision else None,
    }


def _get(workspace: Workspace, proposal_id: int) -> PlanProposal:
    found = PlanProposal.objects.select_related("based_on", "decided_by", "revision").filter(pk=proposal_id, workspace=workspace).first()
    if found is None:
        raise Http404(f"no proposal {proposal_id}")
    return found


def _detail(p: PlanProposal) -> dict[str, Any]:
    diff = proposal_diff(p)
    return {**_out(p), "changes": diff.changes, "diff": diff.text, "plan": p.document}


@router.get("/workspaces/{slug}/proposals", response=list[ProposalOut])
def list_proposals(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    """The workspace's proposed plan changes, open ones first, then the answered, newest first."""
    access = workspace_access(request.user, slug)  # type: ignore[arg-type]
    found = list(PlanProposal.objects.filter(workspace=access.workspace).select_related("based_on", "decided_by", "revision")[:500])
    found.sort(key=lambda p: p.state != PlanProposal.State.OPEN)  # stable: newest first within each
    return [_out(p) for p in found]


@router.get("/workspaces/{slug}/proposals/{proposal_id}", response=ProposalDetailOut)
def get_proposal(request: HttpRequest, slug: str, proposal_id: int) -> dict[str, Any]:
    """One proposal with its diff against the revision it was made from."""
    access = workspace_access(request.user, slug)  # type: ignore[arg-type]
    return _detail(_get(access.workspace, proposal_id))


@router.post("/workspaces/{slug}/proposals/{proposal_id}/accept", response=ProposalDetailOut)
def accept_proposal(request: HttpRequest, slug: str, proposal_id: int, body: AcceptIn | None = None) -> dict[str, Any]:
    """Accept (strategists and owners): the proposed plan becomes the next revision, with the
    proposal's reason. 409 when it was answered already, or when the plan changed since it was
    proposed (it is then marked stale: the next report proposes it again)."""
    access = workspace_access(request.user, slug, "plan.edit")  # type: ignore[arg-type]
    proposal = _get(access.workspace, proposal_id)
    proposals.accept(proposal, by=access.user, expected_revision=body.expected_revision if body else None)
    return _detail(_get(access.workspace, proposal_id))


@router.post("/workspaces/{slug}/proposals/{proposal_id}/decline", response=ProposalDetailOut)
def decline_proposal(request: HttpRequest, slug: str, proposal_id: int) -> dict[str, Any]:
    """Decline (strategists and owners): the plan stays; the same advice is not proposed again."""
    access = workspace_access(request.user, slug, "plan.edit")  # type: ignore[arg-type]
    proposal = _get(access.workspace, proposal_id)
    proposals.decline(proposal, by=access.user)
    return _detail(_get(access.workspace, proposal_id))
