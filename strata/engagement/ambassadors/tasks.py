"""The ambassadors' background work: reading followers from the platform, which calls out and
so never runs inside a page load."""

from __future__ import annotations

from django_tasks import task

from strata.accounts.models import Workspace
from strata.engagement.ambassadors import reach


@task()
def check_reach(workspace_id: int) -> int:
    """Followers of the workspace's Bluesky ambassadors that are unknown or a day old."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    return reach.check(workspace) if workspace is not None else 0
