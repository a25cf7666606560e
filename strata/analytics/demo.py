"""Six months of history for the demo workspace (`strata demo`), so that a first run shows
reports, the dashboard and advice with something real-looking to say.

The months end yesterday in the workspace's zone and are drawn from fixed seeds: the same story
every time, moved to end yesterday. Written directly with bulk_create, not through the actions,
which rightly refuse to publish in the past; the rows are the ones delivery, the metrics
schedule, the short links, the imports and the inbox's filing would have left:
- demo_posts: published posts per channel near its cadence, with readings on a decaying schedule;
- demo_links: short links for the posts that carried an address, and their clicks per day;
- demo_numbers: followers per channel and day (with gaps), imported web traffic and support counts;
- demo_inbox: closed conversations, most answered in time, acme-help's Saturdays not.
What each part is meant to show is in its module's docstring."""

from __future__ import annotations

from django.db import transaction
from django.utils.timezone import now

from strata.accounts.models import User, Workspace
from strata.analytics import demo_inbox, demo_links, demo_numbers, demo_posts
from strata.analytics.demo_window import Window
from strata.analytics.imports.models import AnalyticsImport
from strata.analytics.metrics.models import FollowerCount, PostReading
from strata.strategy.store import current_plan


def has_history(workspace: Workspace) -> bool:
    """Whether anything was measured or imported here already: then the demo adds nothing."""
    return (
        FollowerCount.objects.filter(workspace=workspace).exists()
        or AnalyticsImport.objects.filter(workspace=workspace).exists()
        or PostReading.objects.filter(variant__post__workspace=workspace).exists()
    )


def seed(workspace: Workspace, user: User | None) -> None:
    """The demo's six months, once: nothing when the workspace has history of its own."""
    if has_history(workspace):
        return
    window = Window(workspace=workspace, user=user, plan=current_plan(workspace).plan, now=now())
    with transaction.atomic():
        posts = demo_posts.seed(window)
        clicks = demo_links.seed(window, posts)
        demo_numbers.seed(window, clicks)
        demo_inbox.seed(window, posts)
