"""`strata demo` makes six months of history, so that a first run shows reports, the dashboard and
advice with something to say: what a person looking at the demo would notice."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.test import Client
from django.utils.html import escape

from strata.accounts.models import User, Workspace
from strata.analytics import alignment
from strata.analytics.imports.models import AnalyticsImport, SupportCount, WebTraffic
from strata.analytics.kpis.values import objective_kpis, today_of
from strata.analytics.links.models import ClickDay, ShortLink
from strata.analytics.metrics.models import FollowerCount, PostReading, PostSchedule
from strata.engagement.inbox.models import Conversation
from strata.publishing.models import Attempt, Post, PostEvent, Variant
from strata.strategy.management.commands.demo import DEMO_EMAIL
from strata.strategy.store import current_plan

MEASURED = ("acme-bsky", "acme-help", "acme-mastodon")


@pytest.fixture(scope="module")
def made(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """The demo, made once for this module (it takes seconds) and removed after it: each test
    reads it inside its own transaction, which is rolled back, so none sees another's changes."""
    from django.test import override_settings

    with django_db_blocker.unblock(), override_settings(DATA_DIR=tmp_path_factory.mktemp("demo")):  # the demo's login file
        call_command("demo", stdout=io.StringIO())
        workspace = Workspace.objects.get(slug="acme-bikes")
        yield workspace.pk
        workspace.delete()
        User.objects.filter(email=DEMO_EMAIL).delete()


@pytest.fixture
def demo(made: int, db: Any, settings: Any, tmp_path: Path) -> Workspace:
    settings.DATA_DIR = tmp_path
    return Workspace.objects.get(pk=made)


def history(workspace: Workspace) -> dict[str, int]:
    """How many rows of each kind the demo made: what a second run must leave alone."""
    return {
        "posts": Post.objects.filter(workspace=workspace).count(),
        "variants": Variant.objects.filter(post__workspace=workspace).count(),
        "attempts": Attempt.objects.filter(variant__post__workspace=workspace).count(),
        "events": PostEvent.objects.filter(post__workspace=workspace).count(),
        "readings": PostReading.objects.filter(variant__post__workspace=workspace).count(),
        "schedules": PostSchedule.objects.filter(workspace=workspace).count(),
        "followers": FollowerCount.objects.filter(workspace=workspace).count(),
        "links": ShortLink.objects.filter(workspace=workspace).count(),
        "click days": ClickDay.objects.filter(link__workspace=workspace).count(),
        "imports": AnalyticsImport.objects.filter(workspace=workspace).count(),
        "traffic": WebTraffic.objects.filter(workspace=workspace).count(),
        "support": SupportCount.objects.filter(workspace=workspace).count(),
        "conversations": Conversation.objects.filter(workspace=workspace).count(),
    }


def test_six_months_of_followers_per_channel_with_gaps_as_gaps(demo: Workspace) -> None:
    yesterday = today_of(demo) - dt.timedelta(days=1)
    for channel in MEASURED:
        rows = list(FollowerCount.objects.filter(workspace=demo, channel_id=channel).order_by("day"))
        assert [r.day for r in rows] == [yesterday - dt.timedelta(days=n) for n in range(182, -1, -1)]
        counts = [r.followers for r in rows if r.followers is not None]
        assert 0 not in counts
        assert counts[-1] > counts[0]  # growing
    gaps = FollowerCount.objects.filter(workspace=demo, followers=None)
    assert 2 <= gaps.count() <= 3
    assert all(gap.error for gap in gaps)  # a failed read says why
    assert not FollowerCount.objects.filter(workspace=demo, channel_id="acme-pinterest").exists()  # no reader, no numbers
    first_day = FollowerCount.objects.filter(workspace=demo, day=yesterday - dt.timedelta(days=182))
    start = sum(n or 0 for n in first_day.values_list("followers", flat=True))
    assert 11_500 <= start <= 12_500  # near eu-awareness's baseline


def test_posts_went_out_near_each_channels_cadence_and_were_read_as_the_schedule_reads(demo: Workspace) -> None:
    plan = current_plan(demo).plan
    today = today_of(demo)
    published = Variant.objects.filter(post__workspace=demo, state=Variant.State.PUBLISHED, post__is_reply=False)
    for channel in plan.channels:
        mine = published.filter(channel_id=channel.id)
        if channel.id not in MEASURED:
            assert not mine.exists()
            continue
        expected = (channel.cadence_per_week or 0) * 183 / 7
        assert 0.75 * expected <= mine.count() <= 1.05 * expected
        months = {v.published_at.astimezone(demo.tzinfo).strftime("%Y-%m") for v in mine if v.published_at}
        assert len(months) >= 6  # across the six months, not in a heap
    for variant in published:
        assert variant.post.state == Post.State.PUBLISHED
        assert variant.remote_id
        assert variant.remote_url
        assert variant.published_at
        assert [a.outcome for a in variant.attempt_rows.all()] == [Attempt.Outcome.PUBLISHED]
        assert variant.published_at.astimezone(demo.tzinfo).date() < today
    # Readings: several in the first days, cumulative counts that grow and then flatten.
    old = published.filter(published_at__lt=dt.datetime.now(dt.UTC) - dt.timedelta(days=100)).first()
    assert old is not None
    assert old.published_at is not None
    readings = list(PostReading.objects.filter(variant=old).order_by("read_at"))
    engagement = [r.engagement for r in readings]
    assert engagement == sorted(engagement)
    first_days = [r for r in readings if r.read_at - old.published_at <= dt.timedelta(days=2)]
    assert len(first_days) >= 10
    assert first_days[-1].engagement >= 0.7 * engagement[-1]
    schedule = PostSchedule.objects.get(variant=old)
    assert schedule.next_read_at is None
    assert schedule.reads == len(readings)
    assert PostSchedule.objects.filter(workspace=demo, next_read_at__isnull=False).exists()  # the recent ones go on


def test_mastodon_earns_least_per_hour_of_effort(demo: Workspace) -> None:
    plan = current_plan(demo).plan
    totals: Counter[str] = Counter()
    variants = dict(Variant.objects.filter(post__workspace=demo).values_list("pk", "channel_id"))
    newest: dict[int, PostReading] = {}
    for reading in PostReading.objects.filter(variant__post__workspace=demo).order_by("read_at"):
        newest[reading.variant_id] = reading
    for variant_id, reading in newest.items():
        totals[variants[variant_id]] += reading.engagement
    per_hour = {c.id: totals[c.id] / (c.effort_hours_per_week or 1) for c in plan.channels if c.id in MEASURED}
    assert min(per_hour, key=per_hour.__getitem__) == "acme-mastodon"
    assert per_hour["acme-mastodon"] * 5 < per_hour["acme-bsky"]


def test_links_were_clicked_by_people_and_by_bots(demo: Workspace) -> None:
    links = ShortLink.objects.filter(workspace=demo)
    assert links.count() >= 50
    assert all(link.variant_id and "utm_source=" in link.target for link in links)
    clicks = ClickDay.objects.filter(link__workspace=demo).aggregate(people=Sum("clicks"), bots=Sum("bots"), visitors=Sum("visitors"))
    assert clicks["people"] > 1000
    assert 0 < clicks["bots"] < clicks["people"]
    assert clicks["visitors"] <= clicks["people"]
    assert WebTraffic.objects.filter(workspace=demo, utm_campaign="site-traffic").count() >= 150
    assert SupportCount.objects.filter(workspace=demo).count() == 183


def test_saturdays_on_acme_help_break_the_sla(demo: Workspace) -> None:
    closed = Conversation.objects.filter(workspace=demo, state__in=[Conversation.State.DONE, Conversation.State.OFFLINE])
    assert closed.count() >= 400
    assert not closed.filter(answered_at=None).exists()
    late: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for c in closed:
        assert c.breached == (c.answered_at is not None and c.due_at is not None and c.answered_at > c.due_at)
        saturday = c.started_at.astimezone(demo.tzinfo).weekday() == 5
        key = (
            "help on saturday"
            if c.channel_id == "acme-help" and saturday
            else "help on other days"
            if c.channel_id == "acme-help"
            else "elsewhere"
        )
        seen[key] += 1
        late[key] += c.breached
    assert late["help on saturday"] > 0.5 * seen["help on saturday"]
    assert late["help on other days"] < 0.1 * seen["help on other days"]
    assert late["elsewhere"] < 0.1 * seen["elsewhere"]
    assert Conversation.objects.filter(workspace=demo, state=Conversation.State.NEW).count() == 4  # the live inbox, as it was
    assert all(c.items.exists() for c in closed[:50])  # the inbox shows what was said


def test_the_kpis_and_the_mix_tell_the_intended_story(demo: Workspace) -> None:
    plan = current_plan(demo).plan
    kpis = {k.objective_id: k for k in objective_kpis(demo, plan)}
    awareness = kpis["eu-awareness"]
    assert awareness.status in ("at_risk", "off_track")
    assert awareness.forecast.value is not None
    assert 16_000 < awareness.forecast.value < 20_000
    assert (awareness.forecast.per_day or 0) > 0
    assert kpis["deflect-support"].status in ("on_track", "at_risk")
    assert (kpis["deflect-support"].forecast.per_day or 0) < 0
    traffic = kpis["site-traffic"]
    assert traffic.status == "no_data"
    assert traffic.series
    assert "target" in traffic.note
    today = today_of(demo)
    last_month = alignment.measure(demo, plan, list(kpis.values()), start=today - dt.timedelta(days=30), end=today)
    mix = {m.channel_id: m for m in last_month.mix}
    assert (mix["acme-bsky"].share or 0) > 0.3
    earlier = alignment.measure(demo, plan, list(kpis.values()), start=today - dt.timedelta(days=183), end=today - dt.timedelta(days=61))
    assert ({m.channel_id: m for m in earlier.mix}["acme-bsky"].share or 1) <= 0.3  # it drifted


def test_running_the_demo_again_changes_nothing(demo: Workspace, settings: Any) -> None:
    before = history(demo)
    call_command("demo", stdout=io.StringIO())
    assert history(demo) == before


def test_the_pages_show_the_history(demo: Workspace, client: Client) -> None:
    client.force_login(User.objects.get(email=DEMO_EMAIL))
    published = Post.objects.filter(workspace=demo, state=Post.State.PUBLISHED).order_by("scheduled_at")
    closed = Conversation.objects.filter(workspace=demo, state=Conversation.State.DONE).first()
    assert closed is not None
    last_month = (today_of(demo) - dt.timedelta(days=30)).strftime("%Y-%m-%d")
    pages = {
        f"/w/{demo.slug}/": "",
        f"/w/{demo.slug}/posts/?state=published": published.last().title,  # type: ignore[union-attr]
        f"/w/{demo.slug}/calendar/?start={last_month}": "",
        f"/w/{demo.slug}/posts/{published.first().pk}/": "published",  # type: ignore[union-attr]
        f"/w/{demo.slug}/inbox/?state=done&sort=newest": "",
        f"/w/{demo.slug}/inbox/{closed.pk}/": escape(closed.items.get().text),
        f"/w/{demo.slug}/links/": "",
    }
    for url, shown in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert shown in response.content.decode(), url
