"""Reading the plan of a stored workspace."""

from __future__ import annotations

import datetime
import threading
from collections import OrderedDict
from dataclasses import dataclass

from strata.accounts.models import Workspace
from strata.strategy.models import PlanRevision
from strata.strategy.plan.loader import gc_paused
from strata.strategy.plan.schema import PlanDocument, WorkspaceInfo


@dataclass(frozen=True)
class CurrentPlan:
    plan: PlanDocument
    revision: int  # 0 while the workspace has no plan yet


# Revisions never change once written, so a parsed revision can be kept and shared. Callers
# share one instance, so PlanDocument objects are read-only everywhere (actions edit a dump).
# The key includes the row's creation time because a rolled-back transaction can hand the
# same primary key to a different revision.
_parsed: OrderedDict[tuple[int, datetime.datetime], PlanDocument] = OrderedDict()
_parsed_lock = threading.Lock()
_KEEP = 16


def current_plan(workspace: Workspace) -> CurrentPlan:
    latest = PlanRevision.objects.filter(workspace=workspace).order_by("-number").values_list("pk", "number", "created_at").first()
    if latest is None:
        return CurrentPlan(PlanDocument(workspace=WorkspaceInfo(name=workspace.name, timezone=workspace.timezone)), 0)
    pk, number, created_at = latest
    key = (pk, created_at)
    with _parsed_lock:
        plan = _parsed.get(key)
        if plan is not None:
            _parsed.move_to_end(key)
            return CurrentPlan(plan, number)
    document = PlanRevision.objects.filter(pk=pk).values_list("document", flat=True).get()
    with gc_paused():
        plan = PlanDocument.model_validate(document)
    with _parsed_lock:
        _parsed[key] = plan
        while len(_parsed) > _KEEP:
            _parsed.popitem(last=False)
    return CurrentPlan(plan, number)
