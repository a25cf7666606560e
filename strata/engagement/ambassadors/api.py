"""Ambassadors over the API: the list and one person with their history and weekly trace;
confirming, dismissing, tagging and placing them in an audience. Scores are refreshed on read,
as on the pages (refresh.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from strata.accounts.actions import ActionError
from strata.accounts.scoping import Access, workspace_access
from strata.engagement.ambassadors import actions, listing, refresh
from strata.engagement.ambassadors.models import Ambassador
from strata.engagement.models import HeardItem
from strata.strategy.store import current_plan

router = Router(tags=["ambassadors"])
HISTORY = 50


class AmbassadorFilters(Schema):
    status: str = Field(default="candidate", max_length=20, description="candidate (the default), confirmed or dismissed")
    platform: str = Field(default="", max_length=20)
    audience: str = Field(default="", max_length=64, description="an audience id of the plan, or none")
    tag: str = Field(default="", max_length=40)
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=100_000)


class PartsOut(Schema):
    frequency: float = Field(description="0 … 1: interactions in 90 days, weighted by kind, log-scaled")
    recency: float = Field(description="0 … 1: halves every 30 days since the last interaction")
    sentiment: float = Field(description="-1 … +1: positive minus negative, of what they wrote")
    reach: float | None = Field(description="0 … 1: followers, log-scaled; null when the platform did not say")


class AmbassadorOut(Schema):
    id: int
    platform: str
    author_id: str
    handle: str
    name: str
    status: str
    tags: list[str]
    audience: str | None
    audience_chosen: bool
    role: str | None = Field(description="the audience's role in the plan")
    desired_action: str | None = Field(description="what the plan wants the audience to do")
    score: float
    parts: PartsOut
    followers: int | None
    followers_checked_at: dt.datetime | None
    interactions_90d: int
    interactions_30d: int
    shares_30d: int
    interactions_prev_30d: int
    shares_prev_30d: int
    trend: str
    last_interaction_at: dt.datetime | None
    confirmed_at: dt.datetime | None
    confirmed_by: str | None
    scored_at: dt.datetime | None


class HistoryItemOut(Schema):
    id: int
    kind: str
    channel: str
    url: str | None
    text: str
    created_at: dt.datetime
    sentiment: str | None
    conversation_id: int | None
    deleted: bool


class WeekOut(Schema):
    week: dt.date
    score: float
    interactions_30d: int
    shares_30d: int
    followers: int | None


class AmbassadorDetailOut(AmbassadorOut):
    history: list[HistoryItemOut] = Field(description=f"their newest {HISTORY} items, newest first")
    weeks: list[WeekOut] = Field(description="weekly snapshots once confirmed, newest first")


class TagsIn(Schema):
    tags: list[str] = Field(max_length=actions.MAX_TAGS)


class AudienceIn(Schema):
    audience: str | None = Field(default=None, max_length=64, description="an audience id of the plan; null or empty to guess again")


def _access(request: HttpRequest, slug: str, permission: str = "heard.view") -> Access:
    return workspace_access(request.user, slug, permission)  # type: ignore[arg-type]


def _ambassador(access: Access, ambassador_id: int) -> Ambassador:
    found = Ambassador.objects.filter(workspace=access.workspace, pk=ambassador_id).select_related("confirmed_by").first()
    if found is None:
        raise Http404("no such ambassador")
    return found


def _out(row: listing.Shown) -> dict[str, Any]:
    a, audience = row.a, row.audience
    return {
        "id": a.pk,
        "platform": a.platform,
        "author_id": a.author_id,
        "handle": a.handle,
        "name": a.name,
        "status": a.status,
        "tags": list(a.tags or []),
        "audience": a.audience_id or None,
        "audience_chosen": a.audience_chosen,
        "role": audience.role if audience else None,
        "desired_action": audience.desired_action if audience else None,
        "score": a.score,
        "parts": {"frequency": a.frequency, "recency": a.recency, "sentiment": a.sentiment, "reach": a.reach},
        "followers": a.followers,
        "followers_checked_at": a.followers_checked_at,
        "interactions_90d": a.interactions,
        "interactions_30d": a.interactions_30d,
        "shares_30d": a.shares_30d,
        "interactions_prev_30d": a.interactions_before,
        "shares_prev_30d": a.shares_before,
        "trend": row.trend,
        "last_interaction_at": a.last_at,
        "confirmed_at": a.confirmed_at,
        "confirmed_by": str(a.confirmed_by) if a.confirmed_by else None,
        "scored_at": a.scored_at,
    }


def _one(access: Access, a: Ambassador) -> dict[str, Any]:
    return _out(listing.shown(current_plan(access.workspace).plan, [a])[0])


def _detail(access: Access, a: Ambassador) -> dict[str, Any]:
    items = HeardItem.objects.filter(workspace=access.workspace, platform=a.platform, author_id=a.author_id, context=False)
    return {
        **_one(access, a),
        "history": [
            {
                "id": i.pk,
                "kind": i.kind,
                "channel": i.channel_id,
                "url": i.url or None,
                "text": "" if i.deleted_at else i.text,
                "created_at": i.created_at,
                "sentiment": i.shown_sentiment or None,
                "conversation_id": i.conversation_id,
                "deleted": i.deleted_at is not None,
            }
            for i in items.order_by("-created_at", "-pk")[:HISTORY]
        ],
        "weeks": list(a.snapshots.order_by("-week").values("week", "score", "interactions_30d", "shares_30d", "followers")[:52]),
    }


@router.get("/workspaces/{slug}/ambassadors", response=list[AmbassadorOut])
def list_ambassadors(request: HttpRequest, slug: str, filters: Query[AmbassadorFilters]) -> list[dict[str, Any]]:
    """The ambassadors of one status, best score first; each filter as on the page. An unknown
    filter value is refused (422), not ignored."""
    access = _access(request, slug)
    refresh.refresh_if_stale(access.workspace)
    plan = current_plan(access.workspace).plan
    chosen = listing.read_filter(filters.dict(), plan)
    if chosen.errors:
        raise ActionError(chosen.errors[0].replace(": it was left out", "").replace(": the tag filter was left out", ""), field="filters")
    found = listing.ambassadors(access.workspace, chosen).select_related("confirmed_by")[filters.offset : filters.offset + filters.limit]
    return [_out(row) for row in listing.shown(plan, found)]


@router.get("/workspaces/{slug}/ambassadors/{ambassador_id}", response=AmbassadorDetailOut)
def get_ambassador(request: HttpRequest, slug: str, ambassador_id: int) -> dict[str, Any]:
    """One person: the score with its parts, their audience's role, their newest items with the
    brand (and the inbox conversation of each, where there is one) and their weekly trace."""
    access = _access(request, slug)
    refresh.refresh_if_stale(access.workspace)
    return _detail(access, _ambassador(access, ambassador_id))


@router.post("/workspaces/{slug}/ambassadors/{ambassador_id}/confirm", response=AmbassadorOut)
def confirm(request: HttpRequest, slug: str, ambassador_id: int) -> dict[str, Any]:
    """One of ours: followed week by week from now on (owners, strategists, responders)."""
    access = _access(request, slug, "heard.label")
    return _one(access, actions.confirm(ambassador=_ambassador(access, ambassador_id), actor=access.user))


@router.post("/workspaces/{slug}/ambassadors/{ambassador_id}/dismiss", response=AmbassadorOut)
def dismiss(request: HttpRequest, slug: str, ambassador_id: int) -> dict[str, Any]:
    """Not an ambassador: never suggested again."""
    access = _access(request, slug, "heard.label")
    return _one(access, actions.dismiss(ambassador=_ambassador(access, ambassador_id), actor=access.user))


@router.post("/workspaces/{slug}/ambassadors/{ambassador_id}/tags", response=AmbassadorOut)
def set_tags(request: HttpRequest, slug: str, ambassador_id: int, body: TagsIn) -> dict[str, Any]:
    """Their tags, all at once: the list replaces the old one (an empty list removes them)."""
    access = _access(request, slug, "heard.label")
    return _one(access, actions.set_tags(ambassador=_ambassador(access, ambassador_id), actor=access.user, tags=body.tags))


@router.post("/workspaces/{slug}/ambassadors/{ambassador_id}/audience", response=AmbassadorOut)
def set_audience(request: HttpRequest, slug: str, ambassador_id: int, body: AudienceIn) -> dict[str, Any]:
    access = _access(request, slug, "heard.label")
    found = _ambassador(access, ambassador_id)
    return _one(access, actions.set_audience(ambassador=found, actor=access.user, audience_id=body.audience or ""))
