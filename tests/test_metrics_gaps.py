"""A platform that fails leaves a gap, marked as a gap, never a zero; and the queries reports read
keep it so (strata/analytics/metrics/queries.py, `strata metrics show`)."""

from __future__ import annotations

import datetime as dt
import io
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.analytics.metrics import collect, queries
from strata.analytics.metrics.models import ChannelSchedule, FollowerCount, PostReading, PostSchedule
from strata.env import AllowList
from strata.platforms import egress
from strata.publishing import actions
from strata.publishing.models import Post, Variant


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def published(workspace: Workspace, remote_id: str, at: dt.datetime, channel_id: str = "acme-bsky") -> Variant:
    post = Post.objects.create(workspace=workspace, title=remote_id[-12:], state=Post.State.PUBLISHED)
    return Variant.objects.create(
        post=post,
        channel_id=channel_id,
        platform="bluesky",
        text="Spring routes",
        keys=["k"],
        state=Variant.State.PUBLISHED,
        remote_id=remote_id,
        published_at=at,
    )


@pytest.mark.parametrize("through", ["pds", "appview"])
def test_a_platform_that_cannot_be_reached_leaves_a_gap_not_a_zero(acme: Workspace, through: str) -> None:
    down = f"http://127.0.0.1:{closed_port()}"
    pds = down if through == "pds" else "http://127.0.0.1:9"
    actions.connect_channel(workspace=acme, actor=None, channel_id="acme-bsky", service=pds, handle="brand.test", secret="x", verify=False)
    variant = published(acme, "at://did:plc:brandbrandbrandbrandbrand/app.bsky.feed.post/3kabc", now() - dt.timedelta(hours=1))
    today = now().astimezone(acme.tzinfo).date()
    with override_settings(STRATA_BLUESKY_APPVIEW=down if through == "appview" else ""):
        assert collect.collect_once(worker="test:1") == collect.Collected(scheduled=1, followers=0, readings=0)

    gap = FollowerCount.objects.get(workspace=acme, channel_id="acme-bsky", day=today)
    assert gap.followers is None
    assert "could not be reached" in gap.error
    assert not PostReading.objects.exists()
    schedule = PostSchedule.objects.get(variant=variant)
    assert (schedule.failures, schedule.reads) == (1, 0)
    assert "could not be reached" in schedule.last_error
    assert schedule.next_read_at is not None
    assert schedule.next_read_at <= now() + dt.timedelta(minutes=2)  # a transient failure: retried soon

    series = queries.followers_series(acme, "acme-bsky", today - dt.timedelta(days=2), today)
    assert series == [(today - dt.timedelta(days=2), None), (today - dt.timedelta(days=1), None), (today, None)]
    assert list(queries.gap_reasons(acme, "acme-bsky", today - dt.timedelta(days=2), today)) == [today]  # the day Strata tried
    assert queries.engagement_by_day(acme, today, today) == [(today, None)]  # nothing measured is not 0

    shown = io.StringIO()
    call_command("metrics", "show", "--workspace", "acme", "--days", "2", stdout=shown)
    assert "gap: not read" in shown.getvalue()
    assert "gap: the server 127.0.0.1:" in shown.getvalue()
    as_json = io.StringIO()
    call_command("metrics", "show", "--workspace", "acme", "--days", "2", "--format", "json", stdout=as_json)
    assert json.loads(as_json.getvalue())["followers"]["acme-bsky"][-1] == {"day": today.isoformat(), "followers": None, "gap": gap.error}


class Internal(BaseHTTPRequestHandler):
    """A service inside the network that must never hear from Strata."""

    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        body = b'{"followers_count": 5, "followersCount": 5, "posts": []}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_reads_go_through_the_egress_guard(acme: Workspace, settings: Any) -> None:
    """With the default setting (nothing private allowed), a channel or an AppView inside the
    network is refused before anything is sent: a gap, with the reason."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Internal)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    inside = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        for channel in ("acme-bsky", "acme-mastodon"):  # allowed when connected, no longer when read
            actions.connect_channel(workspace=acme, actor=None, channel_id=channel, service=inside, handle="b", secret="x", verify=False)
        settings.STRATA_ALLOW_PRIVATE_HOSTS = AllowList()
        settings.STRATA_BLUESKY_APPVIEW = inside
        published(acme, "at://did:plc:brandbrandbrandbrandbrand/app.bsky.feed.post/3kabc", now())
        Variant.objects.filter(pk=published(acme, "1234", now(), channel_id="acme-mastodon").pk).update(platform="mastodon")
        assert collect.collect_once(worker="test:1").readings == 0
    finally:
        server.shutdown()
    assert Internal.hits == []
    assert {row.error for row in FollowerCount.objects.filter(workspace=acme)} == {egress.REFUSED}
    assert set(PostSchedule.objects.values_list("last_error", flat=True)) == {egress.REFUSED}


def test_a_failure_later_in_the_day_keeps_the_number_read_earlier(acme: Workspace) -> None:
    actions.connect_channel(
        workspace=acme,
        actor=None,
        channel_id="acme-bsky",
        service=f"http://127.0.0.1:{closed_port()}",
        handle="b.test",
        secret="x",
        verify=False,
    )
    today = now().astimezone(acme.tzinfo).date()
    FollowerCount.objects.create(workspace=acme, channel_id="acme-bsky", platform="bluesky", day=today, followers=41)
    collect.collect_once(worker="test:1")
    ChannelSchedule.objects.update(next_read_at=now() - dt.timedelta(seconds=1))
    collect.collect_once(worker="test:1")
    assert FollowerCount.objects.get(workspace=acme, day=today).followers == 41
    assert "could not be reached" in ChannelSchedule.objects.get(workspace=acme).last_error


def test_reports_read_totals_and_what_each_day_gained(acme: Workspace) -> None:
    zone = acme.tzinfo
    day1, day2, day3, day4 = (dt.date(2026, 3, d) for d in (2, 3, 4, 5))

    def at(day: dt.date, hour: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour), tzinfo=zone)

    new = published(acme, "at://did:plc:a/app.bsky.feed.post/new", at(day1, 9))
    old = published(acme, "at://did:plc:a/app.bsky.feed.post/old", at(day1, 9) - dt.timedelta(days=30))
    for variant, when, likes, quotes in [
        (new, at(day1, 10), 3, 1),
        (new, at(day1, 23), 5, 1),  # the day's last reading counts
        (new, at(day2, 12), 4, 2),  # a like taken back, a quote added
        (new, at(day4, 8), 10, 2),  # nothing read on day 3: its growth lands on day 4
        (old, at(day2, 8), 100, None),  # found late: where its growth starts, not 100 likes in a day
        (old, at(day4, 9), 104, None),
    ]:
        PostReading.objects.create(variant=variant, read_at=when, likes=likes, reposts=0, replies=1, quotes=quotes)

    by_day = dict(queries.engagement_by_day(acme, day1, day4))
    assert by_day[day3] is None
    assert (by_day[day1].likes, by_day[day1].replies, by_day[day1].quotes, by_day[day1].posts) == (5, 1, 1, 1)  # type: ignore[union-attr]
    assert (by_day[day2].likes, by_day[day2].quotes, by_day[day2].posts) == (-1, 1, 2)  # type: ignore[union-attr]
    assert (by_day[day4].likes, by_day[day4].posts) == (6 + 4, 2)  # type: ignore[union-attr]
    totals = queries.post_totals([new.pk, old.pk])
    assert (totals[new.pk].likes, totals[old.pk].likes, totals[old.pk].quotes) == (10, 104, None)
    assert [v.pk for v, _ in queries.top_posts(acme)] == [old.pk, new.pk]
