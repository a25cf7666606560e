"""The inbox's card on the workspace overview (slot 40, registered from EngagementConfig.ready())."""

from __future__ import annotations

from django.db.models import F, Q
from django.http import HttpRequest
from django.utils.timezone import now

from strata.accounts.scoping import Access
from strata.engagement.inbox import actions, figures
from strata.engagement.inbox.models import Conversation
from strata.strategy.panels import Panel, panel
from strata.strategy.store import current_plan

DAYS = 30


@panel("inbox", order=40)
def inbox(access: Access, request: HttpRequest) -> Panel | None:
    """What the team owes now (late first), what is yours, and how the last 30 days went."""
    if not access.may("inbox.view"):
        return None
    at = now()
    owed = Q(answered_at__isnull=True) | Q(answered_at__lt=F("last_inbound_at"))
    queue = Conversation.objects.filter(owed, workspace=access.workspace, state__in=[Conversation.State.NEW, Conversation.State.OPEN])
    me = actions.member_person(current_plan(access.workspace).plan, access.user)
    recent = [f for f in figures.sla_figures(access.workspace, days=DAYS) if f.by == "channel"]
    decided = sum(f.conversations for f in recent if f.within_sla is not None)
    in_time = sum(round(f.within_sla * f.conversations) for f in recent if f.within_sla is not None)
    return Panel(
        "engagement/inbox/panel.html",
        {
            "owed": queue.count(),
            "late": queue.filter(due_at__lte=at).count(),
            "soon": queue.filter(warn_at__lte=at, due_at__gt=at).count(),
            "negative": queue.filter(sentiment="negative").count(),
            "mine": queue.filter(assignee=me).count() if me else None,
            "share": round(100 * in_time / decided) if decided else None,
            "days": DAYS,
        },
    )
