"""The demo's daily numbers: followers read each day, and the web traffic and support inquiries
the team imported each month.

The trends are set from the plan's KPIs, so that the story holds whatever day the demo is made:
- followers start near eu-awareness's baseline and grow a little too slowly: their trend reaches
  about nine tenths of the way to the target by the deadline (at risk, or off track);
- support inquiries fall from the baseline at a pace that just about meets deflect-support's
  target by its deadline;
- visits from social carry site-traffic's campaign, which has no target: read, but no status.
A few days of followers are gaps, as when a platform did not answer: no number, the error kept."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from strata.analytics.demo_links import Clicks
from strata.analytics.demo_window import Window, poisson
from strata.analytics.imports.models import AnalyticsImport, SupportCount, WebTraffic
from strata.analytics.metrics.models import FollowerCount
from strata.analytics.metrics.schedule import phase_of
from strata.strategy.plan.schema import Objective

# Of the followers at the start and of their growth, each channel's part (others share the rest).
FOLLOWERS = {"acme-bsky": (0.62, 0.70), "acme-help": (0.16, 0.12), "acme-mastodon": (0.22, 0.18)}
REACHED = 0.9  # of the way from baseline to target, where the followers' trend is at the deadline
SUPPORT_MARGIN = 40  # inquiries a month better than the target, where their trend is at the deadline
# Days (from the start) a platform did not answer: gaps, never zeros.
GAPS = {
    ("acme-bsky", 41): "Bluesky answered 502 Bad Gateway; try again later",
    ("acme-mastodon", 97): "the server answered 503 Service Unavailable; try again later",
    ("acme-help", 152): "Bluesky's rate limit: try again after 15 minutes",
}
# Visits a day from each source that no short link brought (shared addresses, bookmarks).
ORGANIC = {"site-traffic": {"bluesky": 12.0, "mastodon": 5.0}, "eu-awareness": {"bluesky": 4.0, "mastodon": 1.0}}
# Seconds a visit, and conversions a visit, per campaign: the route planner keeps people longest.
DURATION = {"site-traffic": 96.0, "eu-awareness": 52.0, "deflect-support": 140.0}
CONVERTS = {"site-traffic": 0.02, "eu-awareness": 0.04, "deflect-support": 0.01}
VISITS_PER_CLICK = 0.8  # some leave before the site's analytics loads
# Inquiries per weekday, Monday first, as shares of a 7-day week's worth (they sum to 7): e-mail
# and the contact form do not close at weekends, so the week is flatter than the phone's.
SUPPORT_WEEK = (1.2, 1.1, 1.05, 1.05, 1.0, 0.9, 0.7)
MONTH = 30  # days an import covers, and what "a month" of inquiries means (kpis/measures.py)


def seed(window: Window, clicks: Clicks) -> None:
    _followers(window)
    _traffic(window, clicks)
    _support(window)


def _followers(window: Window) -> None:
    rng = window.rng("followers")
    kpi = _kpi(window.objective("eu-awareness"))
    baseline, target, deadline = kpi if kpi else (12000.0, 20000.0, None)
    per_day = REACHED * (target - baseline) / (len(window.days) + window.days_to(deadline))
    rows = []
    for channel in window.measured_channels():
        start, growth = FOLLOWERS.get(channel.id, (0.05, 0.05))
        followers = baseline * start
        phase = phase_of(window.workspace.pk, channel.id)
        for n, day in enumerate(window.days):
            weekday = 1.25 if day.weekday() < 5 else 0.5  # commuters follow on workdays
            followers += per_day * growth * weekday * 7 / 7.25 * (1 + rng.gauss(0, 0.6))
            read_at = window.at(day, 0) + phase + dt.timedelta(seconds=rng.randint(2, 40))
            error = GAPS.get((channel.id, n), "")
            count = None if error else round(followers)
            rows.append(FollowerCount(workspace=window.workspace, channel_id=channel.id, platform=channel.platform, day=day, followers=count, read_at=read_at, error=error))  # fmt: skip
    FollowerCount.objects.bulk_create(rows, batch_size=1000)


def _traffic(window: Window, clicks: Clicks) -> None:
    rng = window.rng("traffic")
    campaigns = sorted({"site-traffic", "eu-awareness", *(campaign for _, _, campaign in clicks)})
    rows = []
    for n, day in enumerate(window.days):
        grown = 1 + 0.25 * n / len(window.days)
        commute = 1.15 if day.weekday() < 5 else 0.65
        for campaign in campaigns:
            for source in ("bluesky", "mastodon"):
                organic = ORGANIC.get(campaign, {}).get(source, 0.5) * grown * commute
                visits = poisson(rng, organic) + poisson(rng, clicks[day, source, campaign] * VISITS_PER_CLICK)
                if not visits:
                    continue
                duration = max(8.0, rng.gauss(DURATION.get(campaign, 70.0), 12))
                converted = poisson(rng, visits * CONVERTS.get(campaign, 0.01))
                rows.append(WebTraffic(workspace=window.workspace, origin=AnalyticsImport.Kind.PLAUSIBLE, day=day, utm_source=source, utm_campaign=campaign, visits=visits, duration_seconds=round(duration, 1), conversions=min(converted, visits)))  # fmt: skip
    imports = _imports(window, AnalyticsImport.Kind.PLAUSIBLE, "plausible-acme.example", Counter(row.day for row in rows))
    for row in rows:
        row.imported = imports[row.day]
    WebTraffic.objects.bulk_create(rows, batch_size=1000)


def _support(window: Window) -> None:
    rng = window.rng("support")
    kpi = _kpi(window.objective("deflect-support"))
    baseline, target, deadline = kpi if kpi else (1400.0, 1100.0, None)
    per_day = (target - SUPPORT_MARGIN - baseline) / (len(window.days) + window.days_to(deadline))
    rows = []
    for n, day in enumerate(window.days):
        month = baseline + per_day * n  # inquiries in 30 days at this point of the trend
        mean = month / MONTH * SUPPORT_WEEK[day.weekday()]
        # Less scattered than chance alone, so that six months show their trend through the noise.
        rows.append(SupportCount(workspace=window.workspace, day=day, inquiries=max(0, round(rng.gauss(mean, 0.5 * mean**0.5)))))
    imports = _imports(window, AnalyticsImport.Kind.SUPPORT, "support-inquiries", Counter(row.day for row in rows))
    for row in rows:
        row.imported = imports[row.day]
    SupportCount.objects.bulk_create(rows, batch_size=1000)


def _imports(window: Window, kind: str, name: str, rows: Counter[dt.date]) -> dict[dt.date, AnalyticsImport]:
    """One import a month, the morning after the month it covers (the newest ends yesterday);
    each day's import, for the rows that came with it."""
    found: dict[dt.date, AnalyticsImport] = {}
    end = window.days[-1]
    while end >= window.days[0]:
        start = max(window.days[0], end - dt.timedelta(days=MONTH - 1))
        covered = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
        made = min(window.at(end + dt.timedelta(days=1), 9, 12), window.now)
        imported = AnalyticsImport.objects.create(
            workspace=window.workspace,
            kind=kind,
            filename=f"{name}-{start}-{end}.csv",
            rows=sum(rows[d] for d in covered),
            by=window.user,
            created_at=made,
        )
        found.update(dict.fromkeys(covered, imported))
        end = start - dt.timedelta(days=1)
    return found


def _kpi(objective: Objective | None) -> tuple[float, float, dt.date | None] | None:
    kpi = objective.kpi if objective else None
    if kpi is None or kpi.baseline is None or kpi.target is None:
        return None
    return float(kpi.baseline), float(kpi.target), kpi.deadline
