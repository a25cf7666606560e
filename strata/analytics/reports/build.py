"""build_report(): one report's numbers, read once.

1. The period is counted up to its end, or up to yesterday while its last month is not over
   (today is still moving); a period that has not begun is refused (NotYet).
2. KPIs as they stood at that last day (kpis/values.py), and each objective's KPI series over
   the period, from the day before it (its value "at the start").
3. Followers, engagement, the inbox, clicks, imported traffic and support: aggregate queries
   over the period (queries.py).
4. Alignment (analytics/alignment.py), the plan's revisions in the period, and the advice."""

from __future__ import annotations

import datetime as dt

from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.analytics import alignment
from strata.analytics.kpis import measures
from strata.analytics.kpis.values import ObjectiveKpi, objective_kpis, today_of
from strata.analytics.reports import advice, queries
from strata.analytics.reports.period import Period
from strata.analytics.reports.report import Headline, ObjectiveRow, PlanChange, Report
from strata.strategy.models import PlanRevision
from strata.strategy.store import current_plan


class NotYet(Exception):
    """The period has not begun: there is nothing to report."""


def build_report(workspace: Workspace, period: Period, *, today: dt.date | None = None) -> Report:
    with queries.remembering():  # the advice reads the posts' engagement the figures read
        return _build(workspace, period, today=today)


def _build(workspace: Workspace, period: Period, *, today: dt.date | None) -> Report:
    today = today or today_of(workspace)
    until = min(period.end, today - dt.timedelta(days=1))  # today is not over: never counted
    if until < period.start:
        first = period.start + dt.timedelta(days=1)
        raise NotYet(f"{period.label} has not begun yet: its report can be made from {first.day} {first:%B %Y}.")
    current = current_plan(workspace)
    plan = current.plan
    span = queries.Span.of(workspace, period.start, until)
    kpis = objective_kpis(workspace, plan, today=until)
    clicks = queries.clicks_by_objective(workspace, span)
    traffic = queries.traffic(workspace, span)
    rows = [_row(workspace, k, span, clicks, traffic) for k in kpis]
    measured = alignment.measure(workspace, plan, kpis, start=period.start, end=until)
    at = min(span.finish, now())
    report = Report(
        workspace=workspace,
        plan=plan,
        plan_revision=current.revision,
        period=period,
        until=until,
        made_at=now(),
        objectives=rows,
        followers=queries.followers(workspace, span),
        engagement=queries.engagement(workspace, span, plan),
        alignment=measured,
        responses=queries.responses(workspace, span, at=at),
        clicks=clicks,
        traffic=traffic,
        support=queries.support(workspace, span),
        changes=_changes(workspace, span),
        recommendations=advice.recommend(workspace, plan, period, kpis=kpis, alignment=measured),
    )
    return _with_headlines(report)


def _row(
    workspace: Workspace, k: ObjectiveKpi, span: queries.Span, clicks: dict[str, dict[str, int]], traffic: dict[str, queries.Traffic]
) -> ObjectiveRow:
    series: list[tuple[dt.date, float]] = []
    if k.measure is not None:
        series = measures.kpi_series(workspace, k.measure, span.start - dt.timedelta(days=1), span.end, campaign=k.campaign)
    return ObjectiveRow(k, series, clicks.get(k.objective_id, {}).get("clicks", 0), traffic.get(k.objective_id))


def _changes(workspace: Workspace, span: queries.Span) -> list[PlanChange]:
    """The plan's revisions made in the period, oldest first: what changed since the last report."""
    found = (
        PlanRevision.objects.filter(workspace=workspace, created_at__gte=span.begin, created_at__lt=span.finish)
        .select_related("author")
        .order_by("number")
    )
    return [
        PlanChange(r.number, r.created_at, r.source, r.summary, r.reason, (r.author.name or r.author.email) if r.author else "")
        for r in found
    ]


def _with_headlines(report: Report) -> Report:
    """The few numbers that matter, first on the page and in the e-mail."""
    statuses = report.statuses
    start, end = report.follower_totals
    total = report.engagement.total
    a = report.alignment
    clicks = sum(c["clicks"] for c in report.clicks.values())
    headlines = [
        Headline("on_track", "Objectives on track", statuses.get("on_track", 0), f"of {len(report.objectives)}",
                 words=f"{statuses.get('on_track', 0)} of {len(report.objectives)}"),
        Headline("followers", "Followers", end, "followers", None if start is None or end is None else end - start,
                 words="no readings" if end is None else f"{end:,}"),
        Headline("engagement", "Engagement", total.engagement, "likes, reposts, replies and quotes",
                 words=f"{total.engagement:,} on {total.posts:,} posts"),
        Headline("within_sla", "Answered within SLA", a.sla_share, "share of conversations",
                 words="no conversations" if a.sla_share is None else f"{a.sla_share:.0%}"),
        Headline("serving", "Posts serving an objective", a.serving_share, "share of posts",
                 words="no posts" if a.serving_share is None else f"{a.serving_share:.0%} of {a.posts:,}"),
        Headline("clicks", "Clicks on short links", clicks, "clicks", words=f"{clicks:,}"),
    ]  # fmt: skip
    object.__setattr__(report, "headlines", headlines)
    return report
