"""What Strata can measure for an objective's KPI, and the daily numbers behind each.

A plan names its KPI in words ("followers", "visits from social", "support inquiries"); the
first measure whose words appear in that name is the one Strata reads. A name that matches
none is reported as such (the review says which words Strata knows), never guessed.

Each measure gives one number per day of the workspace, or None where nothing was measured
that day (a gap is not a zero), and says how a day's numbers become the KPI:
    level   the day's number itself (followers)
    total   the sum of the 30 days ending that day: plans write "1,400 inquiries" meaning a
            month's worth. Up to 9 unknown days in a window are filled at the window's known
            average; with more, the day has no KPI value.
    rate    the 30-day average weighted by what it averages (time per visit, share in SLA)

Clicks and web traffic can be read for one objective's campaign (utm_campaign is the objective
id on Strata's short links); followers, engagement, inquiries and SLA for the whole workspace."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from django.db.models import Sum

from strata.accounts.models import Workspace
from strata.analytics.imports import queries as imported
from strata.analytics.imports.models import WebTraffic
from strata.analytics.links.models import ClickDay, ShortLink
from strata.analytics.metrics import queries
from strata.analytics.metrics.models import FollowerCount
from strata.engagement.inbox import figures
from strata.engagement.inbox.models import Conversation

WINDOW = 30  # days in a "total" or "rate" KPI value
MAY_MISS = 9  # unknown days a window may have and still give a value

Day = dt.date
Daily = list[tuple[Day, float | None]]
# A day's (numerator, weight) for rates: the window's value is sum(numerators) / sum(weights).
Weighted = dict[Day, tuple[float, float]]


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    unit: str
    kind: Literal["level", "total", "rate"]
    words: tuple[str, ...]  # lower-case words of a KPI name that mean this measure
    by_campaign: bool = False  # read for the objective's campaign rather than the whole workspace

    @property
    def higher_is_better(self) -> bool:
        return self.key != "support_inquiries"


MEASURES: tuple[Measure, ...] = (
    Measure("followers", "Followers", "followers", "level", ("follower", "audience size", "fans")),
    Measure("time_on_site", "Time on site", "seconds a visit", "rate", ("time on site", "visit duration", "session duration", "dwell"), by_campaign=True),
    Measure("conversions", "Conversions", "conversions", "total", ("conversion", "sign-up", "signup", "lead", "sale", "key event"), by_campaign=True),
    Measure("visits", "Visits from social", "visits", "total", ("visit", "traffic", "session", "sessions"), by_campaign=True),
    Measure("clicks", "Clicks on short links", "clicks", "total", ("click",), by_campaign=True),
    Measure("support_inquiries", "Support inquiries", "inquiries", "total", ("inquir", "enquir", "ticket", "support", "calls")),
    Measure("sla_share", "Answered within SLA", "% of conversations", "rate", ("sla", "within target", "response time")),
    Measure("engagement", "Engagement", "likes, reposts, replies and quotes", "total",
            ("engagement", "interaction", "like", "share", "repost", "repl", "quote", "boost")),
)  # fmt: skip
BY_KEY = {m.key: m for m in MEASURES}


def measure_for(metric: str | None) -> Measure | None:
    """The measure a KPI's name means, or None when Strata does not know the words."""
    if not metric:
        return None
    name = " ".join(metric.lower().split())
    return next((m for m in MEASURES if any(word in name for word in m.words)), None)


def known_words() -> str:
    return ", ".join(m.words[0] for m in MEASURES)


def days(since: Day, until: Day) -> list[Day]:
    return queries.days(since, until)


def daily(workspace: Workspace, measure: Measure, since: Day, until: Day, *, campaign: str = "") -> Daily:
    """The measure's number for each day from `since` to `until`, both included; None: unknown."""
    if measure.kind == "rate":
        weighted = _RATES[measure.key](workspace, since, until, campaign)
        return [(day, weighted[day][0] / weighted[day][1] if day in weighted and weighted[day][1] else None) for day in days(since, until)]
    return _READERS[measure.key](workspace, since, until, campaign)


def kpi_series(workspace: Workspace, measure: Measure, since: Day, until: Day, *, campaign: str = "") -> list[tuple[Day, float]]:
    """The KPI's value on each day from `since` to `until` where it has one (see the module's
    docstring for level, total and rate). Days without a value are left out: gaps, not zeros."""
    if measure.kind == "level":
        return [(day, value) for day, value in daily(workspace, measure, since, until, campaign=campaign) if value is not None]
    first = since - dt.timedelta(days=WINDOW - 1)
    if measure.kind == "total":
        numbers = dict(daily(workspace, measure, first, until, campaign=campaign))
        weights = {day: 1.0 for day, value in numbers.items() if value is not None}
    else:
        weighted = _RATES[measure.key](workspace, first, until, campaign)
        numbers = {day: pair[0] for day, pair in weighted.items()}
        weights = {day: pair[1] for day, pair in weighted.items()}
    found = []
    for day in days(since, until):
        window = [day - dt.timedelta(days=n) for n in range(WINDOW)]
        known = [d for d in window if numbers.get(d) is not None]
        if len(known) < WINDOW - MAY_MISS:
            continue
        total = sum(numbers[d] or 0.0 for d in known)
        if measure.kind == "total":
            found.append((day, total * WINDOW / len(known)))
        elif (weight := sum(weights[d] for d in known)) > 0:
            found.append((day, total / weight))
    return found


def tagged(workspace: Workspace, measure: Measure, campaign: str) -> bool:
    """Whether anything was ever counted for `campaign`: else the objective is read from all of social."""
    if measure.key == "clicks":
        return ShortLink.objects.filter(workspace=workspace, objective_id=campaign).exists()
    return WebTraffic.objects.filter(workspace=workspace, utm_campaign=campaign).exists()


# -- the readers -------------------------------------------------------------------------------


def _followers(workspace: Workspace, since: Day, until: Day, campaign: str) -> Daily:
    """All channels' followers together. A channel counts from its first number on: after that,
    a day it has no number makes the total unknown (a sum missing a channel would read as a fall)."""
    rows = FollowerCount.objects.filter(workspace=workspace, day__lte=until).values_list("channel_id", "day", "followers")
    by_channel: dict[str, dict[Day, int | None]] = defaultdict(dict)
    for channel_id, day, followers in rows:
        by_channel[channel_id][day] = followers
    starts = {channel: min((d for d, v in counts.items() if v is not None), default=None) for channel, counts in by_channel.items()}
    found: Daily = []
    for day in days(since, until):
        counting = [channel for channel, start in starts.items() if start is not None and start <= day]
        values = [by_channel[channel].get(day) for channel in counting]
        found.append((day, float(sum(v for v in values if v is not None)) if counting and None not in values else None))
    return found


def _engagement(workspace: Workspace, since: Day, until: Day, campaign: str) -> Daily:
    return [
        (day, None if gained is None else float(gained.engagement)) for day, gained in queries.engagement_by_day(workspace, since, until)
    ]


def _clicks(workspace: Workspace, since: Day, until: Day, campaign: str) -> Daily:
    """People's clicks (bots apart) on the workspace's short links. The redirect counts every
    click as it happens, so a day without a row had none: 0, not a gap — from the first link on."""
    links = ClickDay.objects.filter(link__workspace=workspace)
    if campaign:
        links = links.filter(link__objective_id=campaign)
    per_day = dict(links.filter(day__range=(since, until)).values("day").annotate(n=Sum("clicks")).values_list("day", "n"))
    first = ShortLink.objects.filter(workspace=workspace).order_by("created_at").values_list("created_at", flat=True).first()
    start = first.date() if first else None
    return [(day, float(per_day.get(day) or 0) if start is not None and day >= start else None) for day in days(since, until)]


def _web(field: str) -> Callable[[Workspace, Day, Day, str], Daily]:
    def read(workspace: Workspace, since: Day, until: Day, campaign: str) -> Daily:
        """Imported visits or conversions: for the campaign, or else from social networks. A
        day no export covers is unknown (imports/queries.py decides, and never counts a day
        twice when Plausible and GA4 both cover it)."""
        found: Daily = []
        for row in _web_days(workspace, since, until, campaign):
            value = row.visits if field == "visits" else row.conversions
            found.append((row.day, None if value is None else float(value)))
        return found

    return read


def _web_days(workspace: Workspace, since: Day, until: Day, campaign: str) -> list[imported.WebDay]:
    if campaign:
        return imported.web_by_day(workspace, since, until, campaign=campaign)
    return imported.web_by_day(workspace, since, until, social_only=True)


def _support(workspace: Workspace, since: Day, until: Day, campaign: str) -> Daily:
    return [(row.day, None if row.inquiries is None else float(row.inquiries)) for row in imported.support_by_day(workspace, since, until)]


def _time_on_site(workspace: Workspace, since: Day, until: Day, campaign: str) -> Weighted:
    return {
        row.day: (row.duration_seconds * row.visits, float(row.visits))
        for row in _web_days(workspace, since, until, campaign)
        if row.duration_seconds is not None and row.visits
    }


def _sla(workspace: Workspace, since: Day, until: Day, campaign: str) -> Weighted:
    """Per day a conversation began: (in SLA, decided) of those whose target is decided."""
    zone = queries.zone_of(workspace)
    start = dt.datetime.combine(since, dt.time(0), zone)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(0), zone)
    found = Conversation.objects.filter(workspace=workspace, started_at__gte=start, started_at__lt=end).exclude(
        state=Conversation.State.IGNORED
    )
    at = dt.datetime.now(dt.UTC)
    counts: dict[Day, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for c in found.only("started_at", "due_at", "answered_at", "last_inbound_at", "breached"):
        if c.due_at is None or (figures.owed(c) and c.due_at > at and not c.breached):
            continue  # not decided yet
        day = c.started_at.astimezone(zone).date()
        counts[day][0] += 0.0 if figures.late(c, at) else 100.0
        counts[day][1] += 1.0
    return {day: (pair[0], pair[1]) for day, pair in counts.items()}


_READERS: dict[str, Callable[[Workspace, Day, Day, str], Daily]] = {
    "followers": _followers,
    "engagement": _engagement,
    "clicks": _clicks,
    "visits": _web("visits"),
    "conversions": _web("conversions"),
    "support_inquiries": _support,
}
_RATES: dict[str, Callable[[Workspace, Day, Day, str], Weighted]] = {"time_on_site": _time_on_site, "sla_share": _sla}
