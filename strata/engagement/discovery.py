"""Listen first, then act: how many distinct people listening hears, per platform and week, for
each query the plan ties to an audience. The review compares it with the plan's `presence`."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils.timezone import now

from strata.engagement.models import HeardItem

WEEKS = 4


def window_start(weeks: int = WEEKS) -> dt.datetime:
    return now() - dt.timedelta(weeks=weeks)


def authors_per_week(workspace_id: int, query_ids: list[str], weeks: int = WEEKS) -> dict[str, float]:
    """Distinct authors per platform whose posts matched any of `query_ids` (the queries tied to
    one audience: a person heard by two of them counts once), per week over the last `weeks`."""
    if not query_ids:
        return {}
    matched = Q()
    for query_id in query_ids:
        matched |= Q(matched_key__contains=f",{query_id},")
    rows = (
        HeardItem.objects.filter(matched, workspace_id=workspace_id, created_at__gte=window_start(weeks))
        .values("platform")
        .annotate(authors=Count("author_id", distinct=True))
    )
    return {row["platform"]: row["authors"] / weeks for row in rows}


def listened_platforms(workspace_id: int, weeks: int = WEEKS) -> set[str]:
    """Platforms where listening ran in the window: something matched a query there. Where nothing
    was heard at all, silence says nothing about an audience."""
    return set(
        HeardItem.objects.filter(workspace_id=workspace_id, created_at__gte=window_start(weeks))
        .exclude(matched_key="")
        .values_list("platform", flat=True)
        .distinct()
    )
