"""What was heard, over the API: the items, their labels and a person's corrections."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import AfterValidator, BeforeValidator

from strata.accounts.scoping import workspace_access
from strata.engagement import actions
from strata.engagement.models import HeardItem
from strata.engagement.schema import HeardItemOut, LabelsIn, TrialIn, TrialOut

router = Router(tags=["heard"])


def _a_written_time(value: Any) -> Any:
    # pydantic would read a bare number as seconds since 1970; a time here is written ISO 8601.
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.replace(".", "", 1).lstrip("-").isdigit()):
        raise ValueError("expected a time like 2026-12-01T09:00:00Z")
    return value


def _with_a_zone(value: dt.datetime) -> dt.datetime:
    # A time without a zone is a guess at which moment was meant; Strata does not guess.
    if value.tzinfo is None:
        raise ValueError("give the time with its zone, like 2026-12-01T09:00:00Z or +01:00")
    offset = value.utcoffset()
    # Zones on earth are within 14 hours of UTC; PostgreSQL refuses more than 15 (a 500, not a 422).
    if offset is None or abs(offset) > dt.timedelta(hours=14):
        raise ValueError("the time's zone is more than 14 hours from UTC; no place keeps such a time")
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("the time is out of range") from None


class HeardFilters(Schema):
    kind: str = Field(default="", max_length=20)
    channel: str = Field(default="", max_length=64)
    sentiment: str = Field(default="", max_length=20)
    intent: str = Field(default="", max_length=20)
    before: Annotated[dt.datetime, BeforeValidator(_a_written_time), AfterValidator(_with_a_zone)] | None = Field(
        default=None, description="only items created before this time (ISO 8601), to page back"
    )
    limit: int = Field(default=50, ge=1, le=200)


def _out(item: HeardItem) -> HeardItemOut:
    return HeardItemOut(
        id=item.pk,
        kind=item.kind,
        channel=item.channel_id,
        platform=item.platform,
        remote_id=item.remote_id,
        url=item.url or None,
        author_handle=item.author_handle,
        author_name=item.author_name,
        text=item.text,
        truncated=item.truncated,
        created_at=item.created_at,
        parent_id=item.parent_id or None,
        root_id=item.root_id or None,
        post_id=item.variant.post_id if item.variant_id and item.variant else None,
        context=item.context,
        sentiment=item.shown_sentiment or None,
        intents=item.shown_intents,
        model_sentiment=item.sentiment or None,
        model_intents=list(item.intents),
        scores={k: float(v) for k, v in (item.scores or {}).items() if isinstance(v, (int, float))},
        corrected=bool(item.corrected_at),
    )


@router.get("/workspaces/{slug}/heard", response=list[HeardItemOut])
def list_heard(request: HttpRequest, slug: str, filters: Query[HeardFilters]) -> list[HeardItemOut]:
    """What came in, newest first: mentions, replies, quotes, reposts, likes and follows, with
    their labels. Page back with `before` (the `created_at` of the last item)."""
    access = workspace_access(request.user, slug, "heard.view")  # type: ignore[arg-type]
    items = HeardItem.objects.filter(workspace=access.workspace).select_related("variant").order_by("-created_at", "-pk")
    if filters.kind:
        items = items.filter(kind=filters.kind)
    if filters.channel:
        items = items.filter(channel_id=filters.channel)
    if filters.before:
        items = items.filter(created_at__lt=filters.before)
    if filters.sentiment:
        items = items.filter(shown_sentiment_key=filters.sentiment)
    if filters.intent:
        items = items.filter(shown_intents_key__contains=f",{filters.intent},")
    return [_out(i) for i in items[: filters.limit]]


def _item(slug: str, request: HttpRequest, item_id: int, permission: str) -> HeardItem:
    access = workspace_access(request.user, slug, permission)  # type: ignore[arg-type]
    item = HeardItem.objects.filter(workspace=access.workspace, pk=item_id).select_related("variant").first()
    if item is None:
        raise Http404("no such item")
    return item


@router.get("/workspaces/{slug}/heard/{item_id}", response=HeardItemOut)
def get_heard(request: HttpRequest, slug: str, item_id: int) -> HeardItemOut:
    """One item."""
    return _out(_item(slug, request, item_id, "heard.view"))


@router.post("/workspaces/{slug}/heard/{item_id}/labels", response=HeardItemOut)
def correct_labels(request: HttpRequest, slug: str, item_id: int, labels: LabelsIn) -> HeardItemOut:
    """Correct an item's sentiment, intents or both (responders, strategists, owners). The
    model's labels stay beside the correction."""
    item = _item(slug, request, item_id, "heard.label")
    actions.correct_labels(item=item, actor=request.user, sentiment=labels.sentiment, intents=labels.intents)  # type: ignore[arg-type]
    return _out(item)


@router.post("/workspaces/{slug}/listening/test", response=TrialOut)
def try_query(request: HttpRequest, slug: str, trial: TrialIn) -> TrialOut:
    """Try a listening query against a text before saving it in the plan: whether it matches, or
    where the query is wrong (line and column in the query). Nothing is stored."""
    workspace_access(request.user, slug, "plan.view")  # type: ignore[arg-type]
    result = actions.try_query(query=trial.query, text=trial.text, language=trial.language, text_languages=trial.text_languages)
    return TrialOut(matches=result.matches, error=result.error or None, line=result.line or None, column=result.column or None)
