"""The monthly and six-month reports on a small fixed data set, every number checked against one
worked out by hand (see `october`): followers with a gap, engagement grown across the month
from readings before, inside and after it, the mix, the inbox's times, clicks, imports, and
the plan's changes with their reasons. Then the page, its JSON and the API."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils.html import escape

from strata.accounts.models import Workspace
from strata.analytics.imports.models import AnalyticsImport, SupportCount, WebTraffic
from strata.analytics.links.models import ClickDay, ShortLink
from strata.analytics.metrics.models import FollowerCount, PostReading
from strata.analytics.reports import months
from strata.analytics.reports.build import NotYet, build_report
from strata.analytics.reports.period import Period
from strata.engagement.inbox.models import Conversation
from strata.publishing.models import Post, Variant
from strata.strategy.models import PlanRevision

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = dt.datetime(2026, 11, 15, 12, 0, tzinfo=BERLIN)
OCTOBER = Period.ending("monthly", dt.date(2026, 10, 1))
HOSTILE = '<script>alert("x")</script> & friends'


def at(month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield


def _post(
    workspace: Workspace, channel: str, platform: str, *, pillar: str, objective: str = "", published: dt.datetime, title: str = ""
) -> Variant:
    post = Post.objects.create(workspace=workspace, title=title, pillar_id=pillar, objective_id=objective, state=Post.State.PUBLISHED)
    return Variant.objects.create(
        post=post, channel_id=channel, platform=platform, text=HOSTILE, keys=["k"], state=Variant.State.PUBLISHED,
        remote_id=f"r{post.pk}", remote_url=f"https://bsky.app/p/{post.pk}", published_at=published,
    )  # fmt: skip


def _read(variant: Variant, when: dt.datetime, likes: int, reposts: int, replies: int, quotes: int | None) -> None:
    PostReading.objects.create(variant=variant, read_at=when, likes=likes, reposts=reposts, replies=replies, quotes=quotes)


def _conversation(
    workspace: Workspace, started: dt.datetime, *, answered: dt.datetime | None, due: dt.datetime, breached: bool = False
) -> None:
    Conversation.objects.create(
        workspace=workspace, channel_id="acme-help", platform="bluesky", thread_id=f"t{started:%d}", author_id="did:plc:x",
        author_handle="x.test", state=Conversation.State.DONE if answered else Conversation.State.OPEN, started_at=started,
        last_inbound_at=started, due_at=due, first_answered_at=answered, answered_at=answered, breached=breached,
    )  # fmt: skip


@pytest.fixture
def october(acme: Workspace, frozen: None) -> Workspace:
    """October 2026 in the Acme workspace, with what is expected of it worked out by hand.

    Followers: acme-bsky 1000 (30 Sep), 1010 (1 Oct), a failed read (2 Oct), 1030 (3 Oct),
    1100 (31 Oct); acme-mastodon 495, 500, 540 on 30 Sep, 1 Oct and 31 Oct. Headline: 1510 at
    the start, 1640 at the end, +130. The followers KPI (all channels, a day counts only when
    every counted channel has a number): 1495 on 30 Sep, 1510 on 1 Oct, 1640 on 31 Oct.

    Engagement gained in October (likes + reposts + replies + quotes):
      P1 bsky, routes, eu-awareness, out 20 Sep: read 25 Sep (10,2,1,0), 10 Oct, 20 Oct
         (20,4,2,1) → from the September reading: 10+2+1+1 = 14
      P2 mastodon, repair-tips, out 5 Oct 10:00: read 5 Oct 12:00 (3,1,0,-), 12 Oct (8,2,1,-),
         2 Nov (100,…) → from zero (first read the day it went out): 8+2+1 = 11
      P3 bsky, new-models, out 2 Oct, first read 3 Oct (50,5,5,0) then 30 Oct (56,5,6,0)
         → a late first reading is where growth starts: 6+0+1+0 = 7
      P4 bsky, out 2 Nov: not in October.
    Total 32 on 3 posts; acme-bsky 21 (2 posts), acme-mastodon 11; routes 14, repair-tips 11,
    new-models 7.
    Published in October: P2 (mastodon, social) and P3 (bsky, promotional): bsky 100 %
    promotional against 30 %, mastodon 0 %; P2 serves an objective (repair-tips → repair-library
    → deflect-support), P3 does not: 50 %.
    Inbox (acme-help): answered in 30 min within SLA, answered in 120 min past due (breached),
    never answered and past due → 3 conversations, 2 answered, median 75 min, p90 120 min,
    within SLA 1 of 3.
    Clicks: 5 + 2 on an eu-awareness link in October (9 on 1 Nov do not count), 1 on a link of
    no objective. Web traffic of site-traffic: 100 visits of 60 s, 50 of 30 s → 150 visits,
    50 s a visit, 2 conversions. Support: 40 inquiries on each of 1–10 Oct → 400.
    Plan: revision 2 in October from accepted advice, with its reason; revision 1 is from the
    day of the test (November), so not in October."""
    for day, count in (
        (dt.date(2026, 9, 30), 1000),
        (dt.date(2026, 10, 1), 1010),
        (dt.date(2026, 10, 3), 1030),
        (dt.date(2026, 10, 31), 1100),
    ):
        FollowerCount.objects.create(workspace=acme, channel_id="acme-bsky", platform="bluesky", day=day, followers=count)
    FollowerCount.objects.create(
        workspace=acme, channel_id="acme-bsky", platform="bluesky", day=dt.date(2026, 10, 2), followers=None, error="down"
    )
    for day, count in ((dt.date(2026, 9, 30), 495), (dt.date(2026, 10, 1), 500), (dt.date(2026, 10, 31), 540)):
        FollowerCount.objects.create(workspace=acme, channel_id="acme-mastodon", platform="mastodon", day=day, followers=count)

    p1 = _post(acme, "acme-bsky", "bluesky", pillar="routes", objective="eu-awareness", published=at(9, 20), title="Routes through Berlin")
    _read(p1, at(9, 25), 10, 2, 1, 0)
    _read(p1, at(10, 10), 15, 3, 2, 1)
    _read(p1, at(10, 20), 20, 4, 2, 1)
    p2 = _post(acme, "acme-mastodon", "mastodon", pillar="repair-tips", published=at(10, 5, 10))
    _read(p2, at(10, 5, 12), 3, 1, 0, None)
    _read(p2, at(10, 12), 8, 2, 1, None)
    _read(p2, at(11, 2), 100, 20, 10, None)
    p3 = _post(acme, "acme-bsky", "bluesky", pillar="new-models", published=at(10, 2), title="The new Model S")
    _read(p3, at(10, 3), 50, 5, 5, 0)
    _read(p3, at(10, 30), 56, 5, 6, 0)
    p4 = _post(acme, "acme-bsky", "bluesky", pillar="routes", published=at(11, 2))
    _read(p4, at(11, 3), 500, 0, 0, 0)

    _conversation(acme, at(10, 6, 9), answered=at(10, 6, 9, 30), due=at(10, 6, 10))
    _conversation(acme, at(10, 7, 9), answered=at(10, 7, 11), due=at(10, 7, 10), breached=True)
    _conversation(acme, at(10, 8, 9), answered=None, due=at(10, 8, 10))

    mine = ShortLink.objects.create(
        workspace=acme,
        code="abc123",
        platform="bluesky",
        objective_id="eu-awareness",
        url="https://acme.example/r",
        url_hash="h1",
        target="https://acme.example/r?utm_campaign=eu-awareness",
    )
    other = ShortLink.objects.create(
        workspace=acme, code="abc124", platform="bluesky", url="https://acme.example/s", url_hash="h2", target="https://acme.example/s"
    )
    ClickDay.objects.create(link=mine, day=dt.date(2026, 10, 3), clicks=5, visitors=4)
    ClickDay.objects.create(link=mine, day=dt.date(2026, 10, 31), clicks=2, visitors=2)
    ClickDay.objects.create(link=mine, day=dt.date(2026, 11, 1), clicks=9, visitors=9)
    ClickDay.objects.create(link=other, day=dt.date(2026, 10, 10), clicks=1, visitors=1)

    imported = AnalyticsImport.objects.create(workspace=acme, kind="plausible", rows=2)
    WebTraffic.objects.create(
        workspace=acme,
        origin="plausible",
        day=dt.date(2026, 10, 3),
        utm_source="bluesky",
        utm_campaign="site-traffic",
        visits=100,
        duration_seconds=60,
        conversions=2,
        imported=imported,
    )
    WebTraffic.objects.create(
        workspace=acme,
        origin="plausible",
        day=dt.date(2026, 10, 4),
        utm_source="bluesky",
        utm_campaign="site-traffic",
        visits=50,
        duration_seconds=30,
        conversions=None,
        imported=imported,
    )
    for n in range(1, 11):
        SupportCount.objects.create(workspace=acme, day=dt.date(2026, 10, n), inquiries=40)

    first = PlanRevision.objects.get(workspace=acme, number=1)
    PlanRevision.objects.filter(pk=first.pk).update(created_at=at(9, 1))
    PlanRevision.objects.create(
        workspace=acme, number=2, document=first.document, source=PlanRevision.Source.PROPOSAL, summary="Lower acme-bsky's promotional posts",
        reason="Mix drift on acme-bsky: 100 % promotional against a target of 30 %", created_at=at(10, 15),
    )  # fmt: skip
    return acme


def test_it_counts_october_as_worked_out_by_hand(october: Workspace) -> None:
    report = build_report(october, OCTOBER)
    assert report.complete
    assert report.until == dt.date(2026, 10, 31)
    assert report.followers["acme-bsky"][:3] == [(dt.date(2026, 10, 1), 1010), (dt.date(2026, 10, 2), None), (dt.date(2026, 10, 3), 1030)]
    assert report.follower_totals == (1510, 1640)

    e = report.engagement
    assert (e.total.engagement, e.total.posts) == (32, 3)
    assert {k: v.engagement for k, v in e.by_channel.items()} == {"acme-bsky": 21, "acme-mastodon": 11}
    assert {k: v.engagement for k, v in e.by_pillar.items()} == {"routes": 14, "repair-tips": 11, "new-models": 7}
    assert [(p.title, p.gained.engagement) for p in e.top] == [("Routes through Berlin", 14), (HOSTILE, 11), ("The new Model S", 7)]
    assert (e.top[0].gained.likes, e.top[0].gained.quotes) == (10, 1)

    mix = {m.channel_id: (m.posts, m.promotional) for m in report.alignment.mix}
    assert mix == {"acme-bsky": (1, 1), "acme-mastodon": (1, 0)}
    assert report.alignment.serving_share == 0.5

    [help_desk] = report.responses
    assert (help_desk.key, help_desk.conversations, help_desk.answered) == ("acme-help", 3, 2)
    assert (help_desk.median_first_minutes, help_desk.p90_first_minutes, help_desk.within_sla) == (75.0, 120.0, 0.333)

    assert report.clicks == {"eu-awareness": {"clicks": 7, "visitors": 6}, "": {"clicks": 1, "visitors": 1}}
    traffic = report.traffic["site-traffic"]
    assert (traffic.visits, traffic.seconds_per_visit, traffic.conversions) == (150, 50.0, 2)
    assert report.support is not None
    assert (report.support.inquiries, report.support.days_covered) == (400, 10)

    awareness = next(row for row in report.objectives if row.id == "eu-awareness")
    assert awareness.series == [(dt.date(2026, 9, 30), 1495.0), (dt.date(2026, 10, 1), 1510.0), (dt.date(2026, 10, 31), 1640.0)]
    assert (awareness.start_value, awareness.end_value, awareness.change) == (1495.0, 1640.0, 145.0)
    assert awareness.clicks == 7
    assert awareness.kpi.status in {"off_track", "at_risk", "on_track"}  # three readings: enough for a forecast

    assert [(c.number, c.from_advice) for c in report.changes] == [(2, True)]
    assert "100 % promotional" in report.changes[0].reason
    headlines = {h.key: h for h in report.headlines}
    assert (headlines["followers"].value, headlines["followers"].change) == (1640, 130)
    assert headlines["engagement"].words == "32 on 3 posts"
    assert headlines["clicks"].value == 8


def test_the_json_carries_every_number_per_objective_id(october: Workspace) -> None:
    data = build_report(october, OCTOBER).as_json()
    json.dumps(data)  # plain JSON all through
    assert set(data["objectives"]) == {"eu-awareness", "site-traffic", "deflect-support"}
    awareness = data["objectives"]["eu-awareness"]
    assert (awareness["baseline"], awareness["target"], awareness["deadline"]) == (12000, 20000, "2027-06-30")
    assert (awareness["start_value"], awareness["end_value"], awareness["change"], awareness["clicks"]) == (1495.0, 1640.0, 145.0, 7)
    assert set(awareness["forecast"]) == {"value", "low", "high", "per_day", "points"}
    assert data["objectives"]["site-traffic"]["visits"]["visits"] == 150
    assert data["engagement"]["by_pillar"]["routes"]["engagement"] == 14
    assert data["engagement"]["by_channel"]["acme-bsky"] == {
        "likes": 16, "reposts": 2, "replies": 2, "quotes": 1, "engagement": 21, "posts": 2, "per_post": 10.5,
    }  # fmt: skip
    assert data["responses"]["acme-help"]["within_sla"] == 0.333
    assert data["followers"]["acme-bsky"][1] == {"day": "2026-10-02", "followers": None}
    assert data["support"]["inquiries"] == 400
    assert data["changes"][0]["reason"].startswith("Mix drift")
    assert data["summary"]["statuses"]["no_data"] >= 1  # site-traffic has no target


def test_the_page_shows_the_numbers_escapes_the_platforms_words_and_the_change(
    october: Workspace, client_for: Callable[[str], Client]
) -> None:
    response = client_for("analyst").get("/w/acme/reports/monthly/2026-10/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "October 2026" in page
    assert "1,640" in page
    assert "32 on 3 posts" in page
    assert HOSTILE not in page
    assert "&lt;script&gt;alert" in page
    assert "<svg" in page
    assert 'role="img"' in page
    assert "Mix drift on acme-bsky: 100 % promotional" in page
    for advice in build_report(october, OCTOBER).recommendations:  # each with its evidence, whatever the rules say
        assert escape(advice.title) in page
        assert escape(advice.evidence) in page
    if "Review the proposed change" in page:  # once the advice's proposals exist (advice-propose)
        assert 'name="month" value="2026-10"' in page
        assert 'name="kind" value="monthly"' in page


def test_the_page_json_and_api_say_the_same(
    october: Workspace, client_for: Callable[[str], Client], token_for: Callable[[str], str]
) -> None:
    page_json = client_for("creative").get("/w/acme/reports/monthly/2026-10.json").json()
    api = Client().get("/api/v1/workspaces/acme/reports/monthly/2026-10", headers={"Authorization": f"Bearer {token_for('responder')}"})
    assert api.status_code == 200
    data = api.json()
    for ignored in ("made_at",):
        data.pop(ignored), page_json.pop(ignored)
    assert data == page_json


@pytest.mark.parametrize("month", ["2026-13", "26-10", "nonsense", "2026-1", "9999-01", "2026-10.x"])
def test_a_bad_month_is_a_404_with_words_never_an_error(october: Workspace, client_for: Callable[[str], Client], month: str) -> None:
    assert client_for("creative").get(f"/w/acme/reports/monthly/{month}/").status_code == 404
    assert client_for("creative").get(f"/w/acme/reports/six-month/{month}.json").status_code == 404


def test_a_month_to_come_says_so(october: Workspace, client_for: Callable[[str], Client]) -> None:
    response = client_for("creative").get("/w/acme/reports/monthly/2027-01/")
    assert response.status_code == 404
    assert "January 2027 has not begun yet" in response.content.decode()
    with pytest.raises(NotYet):
        build_report(october, Period.ending("monthly", dt.date(2027, 1, 1)))


def test_the_month_not_over_is_counted_to_yesterday(october: Workspace, client_for: Callable[[str], Client]) -> None:
    report = build_report(october, Period.ending("monthly", dt.date(2026, 11, 1)))
    assert not report.complete
    assert report.until == dt.date(2026, 11, 14)
    assert report.clicks["eu-awareness"]["clicks"] == 9
    assert "is not over" in client_for("creative").get("/w/acme/reports/monthly/2026-11/").content.decode()


def test_the_six_month_report_starts_with_a_summary_for_leaders(october: Workspace, client_for: Callable[[str], Client]) -> None:
    report = build_report(october, Period.ending("six_month", dt.date(2026, 10, 1)))
    assert report.period.start == dt.date(2026, 5, 1)
    # P1's September reading is inside the six months: its whole growth from zero counts (out 20 Sep, read 25 Sep: late, from there).
    assert report.engagement.by_pillar["routes"].engagement == 14
    page = client_for("creative").get("/w/acme/reports/six-month/2026-10/").content.decode()
    assert page.index("Summary for leaders") < page.index("Plan against actual")
    assert "May 2026 to October 2026" in page


def test_the_reports_list_names_the_months_and_who_receives_them(october: Workspace, client_for: Callable[[str], Client]) -> None:
    page = client_for("creative").get("/w/acme/reports/").content.decode()
    assert "/w/acme/reports/monthly/2026-10/" in page
    assert "/w/acme/reports/monthly/2026-09/" in page
    assert "/w/acme/reports/monthly/2026-08/" not in page  # the plan came in September
    assert "Maria Lopez, Jonas Weber" in page
    assert "1 December 2026" in page


def test_history_older_than_the_plan_gets_its_reports(october: Workspace, client_for: Callable[[str], Client]) -> None:
    """A team that brings its numbers (imported, or read before the plan was written) gets the
    months they cover, not only those since the plan."""
    batch = AnalyticsImport.objects.create(workspace=october, kind="support")
    SupportCount.objects.create(workspace=october, day=dt.date(2026, 6, 15), inquiries=40, imported=batch)
    page = client_for("creative").get("/w/acme/reports/").content.decode()
    assert "/w/acme/reports/monthly/2026-06/" in page
    assert "/w/acme/reports/monthly/2026-05/" not in page
    assert "/w/acme/reports/six-month/2026-06/" in page


def test_months_are_read_strictly() -> None:
    assert months.parse_month("2026-10") == dt.date(2026, 10, 1)
    for bad in ("2026-00", "2026-13", "2026/10", "", "2026-10-01", "x" * 5000):
        with pytest.raises(months.BadMonth):
            months.parse_month(bad)
    assert months.due_period("six_month", dt.date(2026, 7, 1)) == Period.ending("six_month", dt.date(2026, 6, 1))
    assert months.due_period("six_month", dt.date(2026, 8, 1)) is None
    assert months.next_sending("six_month", dt.date(2026, 11, 15)) == dt.date(2027, 1, 1)
