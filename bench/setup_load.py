"""Make a workspace with a no-op channel and N variants, fast (bulk inserts)."""

from __future__ import annotations

import datetime as dt

from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.platforms.bluesky.tid import make_tid
from strata.publishing.actions import connect_channel
from strata.publishing.models import Post, Variant
from strata.strategy.actions import import_plan
from strata.strategy.models import PlanRevision

PLAN = b"""strata: 1
workspace: {name: Load Co}
objectives: [{id: o, kind: awareness, statement: Be known}]
channels: [{id: noop, platform: other, handle: noop, purpose: branding}]
"""


def make_workspace(slug: str) -> Workspace:
    workspace, _ = import_plan(data=PLAN, filename="load.yaml", workspace=None, slug=slug, author=None, source=PlanRevision.Source.IMPORT)
    connect_channel(
        workspace=workspace, actor=None, channel_id="noop", service="https://noop.invalid", handle="noop", secret="", verify=False
    )
    return workspace


def make_variants(workspace: Workspace, count: int, *, first_due: dt.datetime | None = None, per_second: float | None = None) -> None:
    """`count` scheduled variants; all due at `first_due`, or `per_second` apart from it."""
    start = first_due or now()
    batch = 5000
    for offset in range(0, count, batch):
        size = min(batch, count - offset)
        posts = Post.objects.bulk_create(
            [Post(workspace=workspace, objective_id="o", state=Post.State.SCHEDULED, scheduled_at=start) for _ in range(size)]
        )
        Variant.objects.bulk_create(
            [
                Variant(
                    post=post,
                    channel_id="noop",
                    platform="other",
                    text=f"load {offset + i}",
                    keys=[make_tid()],
                    state=Variant.State.SCHEDULED,
                    due_at=(due := start + dt.timedelta(seconds=(offset + i) / per_second) if per_second else start),
                    next_attempt_at=due,
                )
                for i, post in enumerate(posts)
            ]
        )
