"""When a plan's listening queries change, what was already heard is matched again, so that the
listening page, its counts and its CSV follow the queries as they are now, not as they were when
each item arrived. Run as a task after the plan is saved; items arriving meanwhile are matched
with the new queries already (the matchers are compiled per plan revision)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from strata.accounts.models import Workspace
from strata.engagement.listening import queries
from strata.engagement.models import HeardItem
from strata.strategy.models import PlanRevision

BATCH = 2000


def listening_changed(revision: PlanRevision) -> bool:
    """Whether this revision's listening queries differ from the revision before it."""
    before = (
        PlanRevision.objects.filter(workspace_id=revision.workspace_id, number__lt=revision.number)
        .order_by("-number")
        .values_list("document", flat=True)
        .first()
    )
    return bool(_listening(before) != _listening(revision.document))


def _listening(document: Any) -> Any:
    return document.get("listening", []) if isinstance(document, dict) else []


def retag(workspace_id: int) -> int:
    """Match every stored item of the workspace against its current queries; the number whose
    matches changed. In batches by id, each written in its own transaction."""
    workspace = Workspace.objects.get(pk=workspace_id)
    matcher = queries.workspace_matcher(workspace)
    changed, last = 0, 0
    while True:
        batch = list(
            HeardItem.objects.filter(workspace=workspace, pk__gt=last)
            .exclude(text="")
            .order_by("pk")
            .only("pk", "text", "language", "matched_queries", "matched_key")[:BATCH]
        )
        if not batch:
            return changed
        last = batch[-1].pk
        before = {item.pk: item.matched_queries for item in batch}
        queries.tag(matcher, batch)
        moved = [item for item in batch if item.matched_queries != before[item.pk]]
        if moved:
            with transaction.atomic():
                HeardItem.objects.bulk_update(moved, ["matched_queries", "matched_key"], batch_size=500)
            changed += len(moved)
