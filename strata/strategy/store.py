"""Reading the plan of a stored workspace."""

from __future__ import annotations

from dataclasses import dataclass

from strata.accounts.models import Workspace
from strata.strategy.models import PlanRevision
from strata.strategy.plan.schema import PlanDocument, WorkspaceInfo


@dataclass(frozen=True)
class CurrentPlan:
    plan: PlanDocument
    revision: int  # 0 while the workspace has no plan yet


def current_plan(workspace: Workspace) -> CurrentPlan:
    latest = PlanRevision.objects.filter(workspace=workspace).order_by("-number").values("number", "document").first()
    if latest is None:
        return CurrentPlan(PlanDocument(workspace=WorkspaceInfo(name=workspace.name, timezone=workspace.timezone)), 0)
    # Stored documents were validated when written; model_validate re-checks types cheaply.
    return CurrentPlan(PlanDocument.model_validate(latest["document"]), latest["number"])
