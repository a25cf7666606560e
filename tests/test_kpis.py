"""Each objective's KPI, read from what Strata collected and imported, against the plan's
baseline and target (strata/analytics/kpis/), and alignment with the plan (alignment.py):
numbers checked against ones worked out by hand on small fixed data sets."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from django.test import Client

from strata.accounts.models import User, Workspace
from strata.analytics import alignment
from strata.analytics.imports.models import AnalyticsImport, SupportCount, WebTraffic
from strata.analytics.kpis import measures
from strata.analytics.kpis.values import objective_kpis
from strata.analytics.metrics.models import FollowerCount
from strata.publishing.models import Post, Variant
from strata.strategy.review.registry import run_review
from strata.strategy.store import current_plan

TODAY = dt.date(2026, 11, 30)
DAYS = [TODAY - dt.timedelta(days=n) for n in range(59, -1, -1)]  # 60 days ending today


def kpi_of(workspace: Workspace, objective_id: str, today: dt.date = TODAY):  # type: ignore[no-untyped-def]
    return next(k for k in objective_kpis(workspace, current_plan(workspace).plan, today=today) if k.objective_id == objective_id)


@pytest.mark.parametrize(
    ("metric", "key"),
    [
        ("followers", "followers"),
        ("Followers on Bluesky", "followers"),
        ("visits from social", "visits"),
        ("support inquiries", "support_inquiries"),
        ("average time on site", "time_on_site"),
        ("newsletter sign-ups", "conversions"),
        ("share answered within SLA", "sla_share"),
        ("clicks", "clicks"),
        ("likes and reposts", "engagement"),
    ],
)
def test_a_kpi_named_in_words_is_read_as_the_measure_those_words_mean(metric: str, key: str) -> None:
    found = measures.measure_for(metric)
    assert found is not None
    assert found.key == key


def test_a_metric_strata_does_not_read_is_said_so_in_the_review_and_on_the_kpi(acme: Workspace) -> None:
    plan = current_plan(acme).plan.model_copy(deep=True)
    plan.objectives[0].kpi.metric = "net promoter score"  # type: ignore[union-attr]
    assert measures.measure_for("net promoter score") is None
    kpi = objective_kpis(acme, plan, today=TODAY)[0]
    assert kpi.status == "no_data"
    assert "does not measure “net promoter score”" in kpi.note
    assert "follower" in kpi.note
    findings = run_review(plan).findings
    assert any(f.code == "objective.kpi_not_measured" and f.ref == f"objective:{plan.objectives[0].id}" for f in findings)
    assert not any(f.code == "objective.kpi_not_measured" for f in run_review(current_plan(acme).plan).findings)


def test_followers_add_up_across_channels_a_gap_stays_a_gap_and_the_forecast_is_the_line_they_follow(acme: Workspace) -> None:
    """acme-bsky grows 20 a day from 10,000 and acme-help 10 a day from 2,000: together 12,000 +
    30 a day. eu-awareness wants 20,000 by 2027-06-30, 271 days after the first reading:
    12,000 + 30 × 271 = 20,130, on an exact line (no scatter, no band): on track."""
    gap_day = DAYS[40]
    for n, day in enumerate(DAYS):
        FollowerCount.objects.create(workspace=acme, channel_id="acme-bsky", platform="bluesky", day=day, followers=10_000 + 20 * n)
        if day == gap_day:
            FollowerCount.objects.create(workspace=acme, channel_id="acme-help", platform="bluesky", day=day, error="the AppView timed out")
        else:
            FollowerCount.objects.create(workspace=acme, channel_id="acme-help", platform="bluesky", day=day, followers=2_000 + 10 * n)

    kpi = kpi_of(acme, "eu-awareness")
    days = [day for day, _ in kpi.series]
    assert gap_day not in days, "a day one channel failed is not a fall in followers"
    assert len(kpi.series) == 59  # the 60 days read (the trend looks back 90), less the gap
    assert kpi.latest == 12_000 + 30 * 59
    assert kpi.forecast.value == pytest.approx(12_000 + 30 * 271)
    assert kpi.forecast.low == pytest.approx(kpi.forecast.high)
    assert kpi.forecast.per_day == pytest.approx(30)
    assert kpi.status == "on_track"
    assert kpi.progress == pytest.approx((13_770 - 12_000) / (20_000 - 12_000))


def test_a_gap_at_the_start_of_one_channel_is_where_it_began_counting_not_a_gap(acme: Workspace) -> None:
    for n, day in enumerate(DAYS):
        FollowerCount.objects.create(workspace=acme, channel_id="acme-bsky", platform="bluesky", day=day, followers=10_000 + n)
        if n >= 50:  # connected ten days ago
            FollowerCount.objects.create(workspace=acme, channel_id="acme-help", platform="bluesky", day=day, followers=500)
    series = dict(measures.daily(acme, measures.BY_KEY["followers"], DAYS[0], TODAY))
    assert series[DAYS[49]] == 10_049
    assert series[DAYS[50]] == 10_050 + 500


def test_support_inquiries_are_a_30_day_total_filled_in_for_a_few_missing_days_and_judged_downwards(acme: Workspace) -> None:
    """50 inquiries a day is 1,500 in 30 days, above the baseline of 1,400 and not falling
    towards the target of 1,100: off track. Five unknown days in a window are filled at the
    window's average (still 1,500); ten are too many and leave the day without a value."""
    batch = AnalyticsImport.objects.create(workspace=acme, kind="support")
    missing = set(DAYS[-5:])  # the last five days are not imported yet
    for day in DAYS:
        if day not in missing:
            SupportCount.objects.create(workspace=acme, day=day, inquiries=50, imported=batch)
    kpi = kpi_of(acme, "deflect-support")
    values = dict(kpi.series)
    assert values[TODAY] == pytest.approx(1_500)
    assert values[TODAY - dt.timedelta(days=10)] == pytest.approx(1_500)
    assert kpi.status == "off_track"
    assert kpi.forecast.value == pytest.approx(1_500)

    SupportCount.objects.filter(workspace=acme, day__in=DAYS[-12:-5]).delete()  # now 12 unknown in the last window
    assert TODAY not in dict(kpi_of(acme, "deflect-support").series)


def test_visits_are_read_for_the_objectives_campaign_and_else_from_all_social_sources(acme: Workspace) -> None:
    batch = AnalyticsImport.objects.create(workspace=acme, kind="plausible")
    for day in DAYS[-30:]:
        WebTraffic.objects.create(
            workspace=acme, origin="plausible", day=day, utm_source="bluesky", utm_campaign="eu-awareness", visits=10, imported=batch
        )
        WebTraffic.objects.create(
            workspace=acme, origin="plausible", day=day, utm_source="google", utm_campaign="", visits=1000, imported=batch
        )
    kpi = kpi_of(acme, "site-traffic")
    assert kpi.campaign == ""
    assert "all social sources" in kpi.note
    assert dict(kpi.series)[TODAY] == pytest.approx(300)  # 10 a day from bluesky; google is not social
    assert kpi.status == "no_data"
    assert "set a target" in kpi.note

    for day in DAYS[-30:]:
        WebTraffic.objects.create(
            workspace=acme, origin="plausible", day=day, utm_source="mastodon", utm_campaign="site-traffic", visits=4, imported=batch
        )
    tagged = kpi_of(acme, "site-traffic")
    assert tagged.campaign == "site-traffic"
    assert dict(tagged.series)[TODAY] == pytest.approx(120)


def published(workspace: Workspace, channel_id: str, *, pillar: str = "", kind: str = "", objective: str = "", at: dt.datetime) -> Post:
    post = Post.objects.create(
        workspace=workspace, title="p", state=Post.State.PUBLISHED, pillar_id=pillar, kind=kind, objective_id=objective
    )
    Variant.objects.create(
        post=post, channel_id=channel_id, platform="bluesky", text="t", keys=["k"], state=Variant.State.PUBLISHED, published_at=at
    )
    return post


def test_alignment_counts_serving_posts_the_mix_per_channel_and_purpose_fit(acme: Workspace) -> None:
    """acme-bsky: two route posts (serve eu-awareness through permission-asset), one new-models
    promotion, one post with no pillar or objective. acme-help (customer service): one
    promotion, which does not fit a help channel. 5 posts: 2 serve an objective, 4 of 5 fit."""
    at = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
    published(acme, "acme-bsky", pillar="routes", at=at)
    published(acme, "acme-bsky", pillar="routes", at=at)
    published(acme, "acme-bsky", pillar="new-models", at=at)
    published(acme, "acme-bsky", at=at)
    published(acme, "acme-help", kind="promotional", at=at)
    published(acme, "acme-bsky", pillar="routes", at=at - dt.timedelta(days=40))  # before the period
    plan = current_plan(acme).plan
    found = alignment.measure(acme, plan, objective_kpis(acme, plan, today=TODAY), start=TODAY - dt.timedelta(days=29), end=TODAY)
    assert (found.posts, found.serving, found.fitting, found.judged) == (5, 2, 4, 5)
    mix = {m.channel_id: m for m in found.mix}
    assert (mix["acme-bsky"].posts, mix["acme-bsky"].promotional) == (4, 1)
    assert mix["acme-bsky"].share == pytest.approx(0.25)
    assert mix["acme-help"].share == 1.0
    assert mix["acme-help"].drift == pytest.approx(0.7)
    assert found.sla_share is None, "no conversation fell due: nothing to judge, not 0 %"
    assert found.as_dict()["serving_share"] == pytest.approx(0.4)


def test_the_results_page_the_map_the_overview_and_the_api_show_the_same_status(
    acme: Workspace, client_for: Callable[[str], Client]
) -> None:
    batch = AnalyticsImport.objects.create(workspace=acme, kind="support")
    today = dt.datetime.now(acme.tzinfo).date()
    for n in range(60):
        SupportCount.objects.create(workspace=acme, day=today - dt.timedelta(days=n), inquiries=50, imported=batch)
    analyst = client_for("analyst")

    page = analyst.get("/w/acme/results/").content.decode()
    card = page.split('id="kpi-deflect-support"')[1].split("</section>")[0]
    assert 'data-status="off_track"' in card
    assert "off track" in card
    assert "1,500" in card
    assert "1,400" in card
    assert "1,100" in card

    drawing = analyst.get("/w/acme/map/").content.decode()
    assert "objective:deflect-support" in drawing
    assert ", off track: support inquiries 1,500 of 1,100 by 30 Jun 2027" in drawing

    overview = analyst.get("/w/acme/").content.decode()
    assert 'data-panel="kpis"' in overview
    assert "off track" in overview

    listed = json.loads(analyst.get("/api/v1/workspaces/acme/kpis").content)
    support = next(k for k in listed if k["objective"] == "deflect-support")
    assert support["status"] == "off_track"
    assert support["latest"] == 1500.0
    assert support["measure"] == "support_inquiries"
    assert analyst.get("/api/v1/workspaces/acme/kpis/nope").status_code == 404
    assert analyst.get("/api/v1/workspaces/acme/alignment?start=2026-11-30&end=2026-11-01").status_code == 422
    assert analyst.get("/api/v1/workspaces/acme/alignment?start=2020-01-01&end=2026-11-01").status_code == 422
    assert analyst.get("/api/v1/workspaces/acme/alignment?start=yesterday").status_code == 422
    assert analyst.get("/api/v1/workspaces/acme/alignment?end=0").status_code == 422, "0 is not 1 January 1970"


def test_a_plan_without_objectives_says_where_to_add_one(make_user: Callable[..., User]) -> None:
    from strata.accounts.models import Membership
    from strata.strategy.actions import import_plan
    from strata.strategy.models import PlanRevision

    bare = "strata: 1\nworkspace: {name: Bare, timezone: Europe/Berlin}\ngoals: [{id: grow, statement: Grow}]\n"
    workspace, _ = import_plan(
        data=bare.encode(), filename="p.yaml", workspace=None, slug="bare", author=None, source=PlanRevision.Source.IMPORT
    )
    user = make_user("owner@bare.example")
    Membership.objects.create(user=user, workspace=workspace, role="owner")
    client = Client()
    client.force_login(user)
    page = client.get("/w/bare/results/")
    assert page.status_code == 200
    assert "has no objectives yet" in page.content.decode()
