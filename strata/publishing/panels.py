"""Publishing's cards on the workspace overview (registered from PublishingConfig.ready())."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.timezone import now

from strata.accounts.scoping import Access
from strata.publishing.mix import LIVE, WINDOW, ChannelMix
from strata.publishing.models import Notification, Post, Variant
from strata.publishing.planlink import PlanLink
from strata.strategy.panels import Panel, panel

SHOWN = 20  # the newest; the calendar's list and the posts themselves hold the rest


@panel("needs-a-person", order=10)
def needs_a_person(access: Access, request: HttpRequest) -> Panel | None:
    """What failed, was missed or may have gone out, until a person settles it (Done, or the
    post scheduled again or its outcome told), and the posts waiting for approval."""
    if not access.may("post.view"):
        return None
    open_ = Notification.objects.filter(workspace=access.workspace, resolved_at=None)
    waiting = Post.objects.filter(workspace=access.workspace, state=Post.State.IN_REVIEW, deleted_at=None)
    return Panel(
        "publishing/panels/needs_a_person.html",
        {
            "notifications": list(open_.select_related("post").order_by("-created_at")[:SHOWN]),
            "more": max(0, open_.count() - SHOWN),
            "in_review": list(waiting.prefetch_related("variants").order_by("created_at")[:SHOWN]),
            "may_settle": access.may("post.schedule"),
            "tz": access.workspace.timezone,
        },
    )


@dataclass(frozen=True)
class WeekPost:
    post: Post
    platforms: list[str]


@dataclass(frozen=True)
class WeekDay:
    date: dt.date
    posts: list[WeekPost]


@panel("this-week", order=20)
def this_week(access: Access, request: HttpRequest) -> Panel | None:
    """The next seven days of the calendar, today first, each post at its time in the
    workspace's zone with the platforms it goes out on."""
    if not access.may("post.view"):
        return None
    tz = access.workspace.tzinfo
    today = now().astimezone(tz).date()
    start = dt.datetime.combine(today, dt.time(), tz)
    posts = (
        Post.objects.filter(
            workspace=access.workspace,
            deleted_at=None,
            is_reply=False,  # the calendar's week: answers in conversations are not on it
            scheduled_at__gte=start,
            scheduled_at__lt=start + dt.timedelta(days=7),
        )
        .prefetch_related("variants")
        .order_by("scheduled_at", "pk")
    )
    by_day: dict[dt.date, list[WeekPost]] = {}
    for post in posts:
        assert post.scheduled_at is not None
        platforms = sorted({v.platform for v in post.variants.all()})
        by_day.setdefault(post.scheduled_at.astimezone(tz).date(), []).append(WeekPost(post, platforms))
    days = [WeekDay(today + dt.timedelta(days=i), by_day.get(today + dt.timedelta(days=i), [])) for i in range(7)]
    return Panel(
        "publishing/panels/this_week.html",
        {"days": days, "today": today, "count": sum(len(d.posts) for d in days), "may_write": access.may("post.write")},
    )


@dataclass(frozen=True)
class MixBar:
    mix: ChannelMix
    platform: str
    percent: int  # the promotional share, 0-100, as the bar draws it
    target_percent: int


@panel("mix", order=50)
def mix(access: Access, request: HttpRequest) -> Panel | None:
    """Per channel of the plan, the promotional share of its posts over the 30 days up to the
    end of this week (the calendar's rolling mix, `mix.channel_mix`), beside the plan's target."""
    if not access.may("post.view"):
        return None
    link = PlanLink.of(access.workspace)
    if not link.plan.channels:
        return None
    around = now() + dt.timedelta(days=7)
    # One query for every channel (channel_mix asks once per channel): the same window and states.
    rows = Variant.objects.filter(
        post__workspace=access.workspace,
        post__deleted_at=None,
        post__is_reply=False,
        state__in=LIVE,
        due_at__gt=around - WINDOW,
        due_at__lte=around,
    ).values_list("channel_id", "post_id", "post__kind", "post__pillar_id")
    kinds: dict[str, dict[int, str]] = {}
    for channel_id, post_id, kind, pillar in rows:
        kinds.setdefault(channel_id, {})[post_id] = link.kind_of(kind, pillar)
    bars = []
    for channel in link.plan.channels:
        found = kinds.get(channel.id, {})
        promotional = sum(1 for k in found.values() if k == "promotional")
        one = ChannelMix(channel.id, promotional, len(found), link.promotional_target)
        bars.append(MixBar(one, channel.platform, round(one.share * 100), round(one.target * 100)))
    return Panel(
        "publishing/panels/mix.html",
        {
            "bars": bars,
            "until": around.astimezone(access.workspace.tzinfo).date(),
            "target_percent": round(link.promotional_target * 100),
            "may_edit": access.may("plan.edit"),
        },
    )
