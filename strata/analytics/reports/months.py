"""Months as addresses, the CLI and the API write them ("2026-10"), and which reports exist.

The six-month report is scheduled for the halves of the calendar year, ending with June and
with December; on demand it can end with any month."""

from __future__ import annotations

import datetime as dt

import regex
from django.db.models import Min

from strata.accounts.models import Workspace
from strata.analytics.imports.models import SupportCount, WebTraffic
from strata.analytics.kpis.values import today_of
from strata.analytics.metrics.models import FollowerCount
from strata.analytics.reports.period import Kind, Period
from strata.publishing.models import Variant
from strata.strategy.models import PlanRevision

MONTH = regex.compile(r"(\d{4})-(\d{2})")
FIRST_YEAR, LAST_YEAR = 2000, 2999
HALF_YEAR_ENDS = (6, 12)  # the scheduled six-month reports end with June and December
KINDS: dict[str, Kind] = {"monthly": "monthly", "six-month": "six_month", "six_month": "six_month"}


class BadMonth(ValueError):
    pass


def parse_month(text: str) -> dt.date:
    """ "2026-10" → 1 October 2026; anything else is BadMonth, with words a person can act on."""
    found = MONTH.fullmatch(text.strip()) if len(text) <= 20 else None
    if found is None:
        raise BadMonth(f"'{text[:20]}' is not a month: write it as YYYY-MM, like 2026-10")
    year, month = int(found[1]), int(found[2])
    if not 1 <= month <= 12 or not FIRST_YEAR <= year <= LAST_YEAR:
        raise BadMonth(f"'{text}' is not a month: the month goes from 01 to 12, the year from {FIRST_YEAR} to {LAST_YEAR}")
    return dt.date(year, month, 1)


def month_text(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def last_finished_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def first_month(workspace: Workspace) -> dt.date | None:
    """The first month with anything to report: the plan's, or earlier numbers Strata holds (posts
    published, followers read, traffic or inquiries imported: a team that brings its history
    gets its reports for it). None without a plan."""
    zone = workspace.tzinfo
    planned = PlanRevision.objects.filter(workspace=workspace).aggregate(first=Min("created_at"))["first"]
    if planned is None:
        return None
    days = [planned.astimezone(zone).date()]
    published = Variant.objects.filter(post__workspace=workspace, published_at__isnull=False).aggregate(first=Min("published_at"))["first"]
    if published is not None:
        days.append(published.astimezone(zone).date())
    for model in (FollowerCount, WebTraffic, SupportCount):
        day = model.objects.filter(workspace=workspace).aggregate(first=Min("day"))["first"]
        if isinstance(day, dt.date):
            days.append(day)
    first: dt.date = min(days)
    return first.replace(day=1)


def available(workspace: Workspace, *, today: dt.date | None = None, limit: int = 36) -> tuple[list[Period], list[Period]]:
    """The monthly reports (newest first, the month not yet over included) and the six-month
    reports ending with a June or December, or with the last finished month."""
    today = today or today_of(workspace)
    start = first_month(workspace)
    if start is None:
        return [], []
    monthly: list[Period] = []
    month = today.replace(day=1)
    if today.day == 1:  # nothing of this month is counted yet
        month = last_finished_month(today)
    while month >= start and len(monthly) < limit:
        monthly.append(Period.ending("monthly", month))
        month = last_finished_month(month)
    finished = [p.start for p in monthly if p.end < today]
    ends = [m for m in finished if m.month in HALF_YEAR_ENDS]
    if finished and finished[0] not in ends:
        ends.insert(0, finished[0])
    return monthly, [Period.ending("six_month", m) for m in ends]


def due_period(kind: Kind, today: dt.date) -> Period | None:
    """The period whose scheduled report is due on `today`: the last finished month, on or
    after the first of the next; for the six-month report only when that month is a June or a
    December."""
    last = last_finished_month(today)
    if kind == "six_month" and last.month not in HALF_YEAR_ENDS:
        return None
    return Period.ending(kind, last)


def next_sending(kind: Kind, today: dt.date) -> dt.date:
    """The first of the month after the next period the schedule reports on."""
    month = today.replace(day=1)
    while True:
        month = (month + dt.timedelta(days=32)).replace(day=1)
        if kind == "monthly" or last_finished_month(month).month in HALF_YEAR_ENDS:
            return month
