"""What each person did with the brand, counted in SQL: one GROUP BY over the workspace's heard
items of the scoring window, so that 100,000 items cost one query and no loop over items.

Counted: mentions, replies, quotes, reposts and likes heard on the brand's channels, and posts
matched by a listening query of topic `brand` (people talking about the brand without naming
its account). Left out: context (posts fetched to complete a thread), what was deleted on the
platform, follows (a one-off), and the brand's own accounts (ChannelAccount.remote_account)."""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from django.db.models import Count, Max, Q

from strata.accounts.models import Workspace
from strata.engagement.ambassadors import scoring
from strata.engagement.models import HeardItem
from strata.publishing.models import ChannelAccount
from strata.strategy.plan.schema import PlanDocument

KINDS = ("mention", "reply", "quote", "repost", "like")
CHUNK = 500  # ids per IN (…): well under SQLite's limit on variables


@dataclass(frozen=True)
class PersonTally:
    platform: str
    author_id: str
    tally: scoring.Tally
    newest_id: int  # their newest heard item, for the handle and name they have now
    interactions_30d: int
    shares_30d: int
    interactions_before: int
    shares_before: int
    audiences: dict[str, int] = field(default_factory=dict)  # audience id → items that point to it

    @property
    def guessed_audience(self) -> str:
        """The audience most of their items point to; the plan's order breaks a tie."""
        best = max(self.audiences.values(), default=0)
        return next((a for a, n in self.audiences.items() if n == best), "") if best else ""


def own_accounts(workspace: Workspace) -> set[str]:
    return set(ChannelAccount.objects.filter(workspace=workspace).exclude(remote_account="").values_list("remote_account", flat=True))


def _any(conditions: list[Q]) -> Q | None:
    return reduce(operator.or_, conditions) if conditions else None


def _matched(query_ids: list[str]) -> list[Q]:
    return [Q(matched_key__contains=f",{query_id},") for query_id in query_ids]


def counted(plan: PlanDocument) -> Q:
    """The items that count as engaging with the brand (the module's docstring)."""
    about_brand = _any(_matched([q.id for q in plan.listening if q.topic == "brand"]))
    return Q(kind__in=KINDS) if about_brand is None else Q(kind__in=KINDS) | (Q(kind="post") & about_brand)


def _audience_filters(plan: PlanDocument) -> dict[str, Q]:
    """Per audience: items matched by a listening query tied to it, or heard on a channel that
    reaches that audience only."""
    filters: dict[str, Q] = {}
    for audience in plan.audiences:
        channels = [c.id for c in plan.channels if c.audiences == [audience.id]]
        where = _any(
            _matched([q.id for q in plan.listening if q.audience == audience.id]) + ([Q(channel_id__in=channels)] if channels else [])
        )
        if where is not None:
            filters[audience.id] = where
    return filters


def tallies(workspace: Workspace, plan: PlanDocument, at: dt.datetime) -> list[PersonTally]:
    items = HeardItem.objects.filter(
        workspace=workspace, context=False, deleted_at__isnull=True, created_at__gt=at - scoring.WINDOW, created_at__lte=at
    ).filter(counted(plan))
    ours = own_accounts(workspace)
    if ours:
        items = items.exclude(author_id__in=ours)
    recent = Q(created_at__gt=at - scoring.RECENT)
    before = Q(created_at__gt=at - 2 * scoring.RECENT, created_at__lte=at - scoring.RECENT)
    shares = Q(kind__in=scoring.SHARES)
    audiences = _audience_filters(plan)
    sums: dict[str, Any] = {f"k_{kind}": Count("pk", filter=Q(kind=kind)) for kind in (*KINDS, "post")}
    sums.update({f"a_{n}": Count("pk", filter=where) for n, where in enumerate(audiences.values())})
    rows = (
        items.values("platform", "author_id")
        .annotate(
            positive=Count("pk", filter=Q(shown_sentiment_key="positive")),
            negative=Count("pk", filter=Q(shown_sentiment_key="negative")),
            labelled=Count("pk", filter=~Q(shown_sentiment_key="")),
            last_at=Max("created_at"),
            newest_id=Max("pk"),
            recent=Count("pk", filter=recent),
            recent_shares=Count("pk", filter=recent & shares),
            before=Count("pk", filter=before),
            before_shares=Count("pk", filter=before & shares),
            **sums,
        )
        .order_by()
    )
    return [_person(row, list(audiences)) for row in rows]


def _person(row: dict[str, Any], audience_ids: list[str]) -> PersonTally:
    kinds = {kind: int(row[f"k_{kind}"]) for kind in (*KINDS, "post") if row[f"k_{kind}"]}
    return PersonTally(
        platform=row["platform"],
        author_id=row["author_id"],
        tally=scoring.Tally(
            kinds=kinds, positive=row["positive"], negative=row["negative"], labelled=row["labelled"], last_at=row["last_at"]
        ),
        newest_id=row["newest_id"],
        interactions_30d=row["recent"],
        shares_30d=row["recent_shares"],
        interactions_before=row["before"],
        shares_before=row["before_shares"],
        audiences={a: int(row[f"a_{n}"]) for n, a in enumerate(audience_ids)},
    )


def names(item_ids: list[int]) -> dict[int, tuple[str, str]]:
    """(handle, name) of each item, as heard: one row per person, never a loop over their items."""
    found: dict[int, tuple[str, str]] = {}
    for start in range(0, len(item_ids), CHUNK):
        chunk = item_ids[start : start + CHUNK]
        for pk, handle, name in HeardItem.objects.filter(pk__in=chunk).values_list("pk", "author_handle", "author_name"):
            found[pk] = (handle, name)
    return found
