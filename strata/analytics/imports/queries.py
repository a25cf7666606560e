"""Imported numbers per day, for reports and KPIs. Read-only; every day from `start` to `end`
(inclusive, in the order of the calendar) has an entry, and a day nothing was imported for says
so with None: a gap is not a zero.

    web_by_day(workspace, start, end, campaign=None, source=None) -> list[WebDay]
    support_by_day(workspace, start, end) -> list[SupportDay]

Web traffic: a day is known when an export covers it (any row that day, from social media or a
campaign, for any campaign); on a known day, a campaign without a row had 0 visits. When both
Plausible and GA4 were imported for a day, the day's numbers come from the one imported last,
never from both (they count the same visits twice). Time on site is averaged over the visits
whose duration the export gave (weighted by visits); conversions are summed over the rows
that have them, and None when no row of the day has them (Plausible's export has none).

Support: a day's inquiries are its total for all channels when one was imported, else the sum
of its channels."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Max

from strata.accounts.models import Workspace
from strata.analytics.imports.models import SupportCount, WebTraffic
from strata.analytics.imports.sources import SOCIAL

__all__ = ["SupportDay", "WebDay", "support_by_day", "web_by_day"]


@dataclass(frozen=True)
class WebDay:
    day: dt.date
    visits: int | None  # None: no export covers the day
    duration_seconds: float | None  # average time on site per visit; None: unknown
    conversions: int | None  # None: unknown (not covered, or the export had none)
    origin: str = ""  # plausible or ga4: whose numbers these are; "" when not covered


@dataclass(frozen=True)
class SupportDay:
    day: dt.date
    inquiries: int | None  # None: nothing imported for the day
    channels: dict[str, int] = field(default_factory=dict)  # per channel, where counted by channel


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def web_by_day(
    workspace: Workspace,
    start: dt.date,
    end: dt.date,
    campaign: str | None = None,
    source: str | None = None,
    *,
    social_only: bool = False,
) -> list[WebDay]:
    """Visits, average time on site and conversions per day from `start` to `end`, for one
    utm_campaign (an objective's or a pillar's id) and/or one utm_source (a platform, lower
    case), or for all imported rows when both are None; `social_only` keeps the rows whose
    source is a social network (sources.SOCIAL), whatever their campaign."""
    rows = WebTraffic.objects.filter(workspace=workspace, day__range=(start, end))
    newest = rows.values("day", "origin").annotate(last=Max("imported"))
    chosen: dict[dt.date, tuple[int, str]] = {}
    for row in newest:
        if row["day"] not in chosen or row["last"] > chosen[row["day"]][0]:
            chosen[row["day"]] = (row["last"], row["origin"])
    mine = rows
    if campaign is not None:
        mine = mine.filter(utm_campaign=campaign)
    if source is not None:
        mine = mine.filter(utm_source=source.lower())
    if social_only:
        mine = mine.filter(utm_source__in=SOCIAL)
    visits: dict[dt.date, int] = defaultdict(int)
    seconds: dict[dt.date, float] = defaultdict(float)
    timed: dict[dt.date, int] = defaultdict(int)
    conversions: dict[dt.date, int] = {}
    for day, origin, n, duration, converted in mine.values_list("day", "origin", "visits", "duration_seconds", "conversions"):
        if chosen[day][1] != origin:
            continue
        visits[day] += n
        if duration is not None:
            seconds[day] += duration * n
            timed[day] += n
        if converted is not None:
            conversions[day] = conversions.get(day, 0) + converted
    return [
        WebDay(
            day=day,
            visits=visits[day] if day in chosen else None,
            duration_seconds=seconds[day] / timed[day] if timed.get(day) else None,
            conversions=conversions.get(day) if day in chosen else None,
            origin=chosen[day][1] if day in chosen else "",
        )
        for day in _days(start, end)
    ]


def support_by_day(workspace: Workspace, start: dt.date, end: dt.date) -> list[SupportDay]:
    """Support inquiries per day from `start` to `end`, with the per-channel counts."""
    totals: dict[dt.date, int] = {}
    channels: dict[dt.date, dict[str, int]] = defaultdict(dict)
    for day, channel, inquiries in SupportCount.objects.filter(workspace=workspace, day__range=(start, end)).values_list(
        "day", "channel", "inquiries"
    ):
        if channel:
            channels[day][channel] = inquiries
        else:
            totals[day] = inquiries
    result = []
    for day in _days(start, end):
        by_channel = channels.get(day, {})
        total = totals.get(day, sum(by_channel.values()) if by_channel else None)
        result.append(SupportDay(day=day, inquiries=total, channels=dict(by_channel)))
    return result
