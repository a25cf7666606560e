"""The content calendar: month and week views in the workspace's time zone, filters, drag to
reschedule, the rolling mix per channel, and a token-protected iCalendar feed."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.timezone import now
from django.views.decorators.http import require_POST

from strata.accounts.actions import ActionError
from strata.accounts.models import Workspace
from strata.publishing import actions
from strata.publishing.mix import MixWarning, channel_mix
from strata.publishing.models import Notification, Post, PublishingSettings, Variant
from strata.publishing.planlink import PlanLink
from strata.publishing.views import _access, _post
from strata.xmltext import ical_fold, ical_text

# The days the calendar can show. Beyond them, a month's grid, a time zone's offset or the
# next page would leave what a date can hold (year 1 to 9999); nothing is planned there anyway.
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(9998, 12, 31)

# The week view's hours, in the workspace's zone; a post outside them adds its hour and those
# between, so that every post has its row.
FIRST_HOUR, LAST_HOUR = 6, 23

# A platform's mark on a calendar entry, beside its name for screen readers and on hover; the
# colour (strata.css, "Calendar week") only helps, the letters tell platforms apart.
MARKS = {
    "bluesky": "B",
    "mastodon": "M",
    "x": "X",
    "linkedin": "in",
    "facebook": "f",
    "instagram": "Ig",
    "threads": "@",
    "tiktok": "Tk",
    "youtube": "Yt",
    "pinterest": "P",
    "reddit": "R",
    "rss": "Rss",
    "feed": "Rss",
    "newsletter": "✉",
    "webhook": "Wh",
    "blog": "Bl",
}


@dataclass
class Mark:
    platform: str
    letters: str


@dataclass
class Entry:
    post: Post
    unconnected: list[str]  # channels it is still due on that have no usable account
    at: dt.datetime  # in the workspace's zone
    platforms: list[Mark]
    line: str  # a line of the text, when the post's label is its title rather than its text


@dataclass
class Slot:
    hour: int
    posts: list[Entry]


@dataclass
class Day:
    date: dt.date
    in_range: bool
    posts: list[Entry]
    slots: list[Slot] = field(default_factory=list)


def _entry(post: Post, at: dt.datetime, missing: dict[str, str]) -> Entry:
    variants = list(post.variants.all())  # prefetched
    waiting = [v.channel_id for v in variants if v.state != Variant.State.PUBLISHED and v.channel_id in missing]
    platforms = list(dict.fromkeys(v.platform for v in variants))
    line = variants[0].text.split("\n", 1)[0][:120] if post.title and variants else ""
    return Entry(post, waiting, at, [Mark(p, MARKS.get(p, p[:2].capitalize() or "?")) for p in platforms], line)


def _hours(days: list[Day]) -> list[int]:
    """The week view's rows: FIRST_HOUR to LAST_HOUR, widened to every post's hour."""
    taken = [e.at.hour for d in days for e in d.posts]
    return list(range(min([FIRST_HOUR, *taken]), max([LAST_HOUR, *taken]) + 1))


def _range(view: str, anchor: dt.date) -> tuple[dt.date, dt.date]:
    if view == "week":
        start = anchor - dt.timedelta(days=anchor.weekday())
        return start, start + dt.timedelta(days=7)
    first = anchor.replace(day=1)
    start = first - dt.timedelta(days=first.weekday())
    following = (first + dt.timedelta(days=32)).replace(day=1)
    end = following + dt.timedelta(days=(7 - following.weekday()) % 7)
    return start, end


@login_required
def calendar(request: HttpRequest, slug: str) -> HttpResponse:
    access = _access(request, slug)
    tz = zoneinfo.ZoneInfo(access.workspace.timezone)
    view = "week" if request.GET.get("view") == "week" else "month"
    try:
        anchor = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        anchor = now().astimezone(tz).date()
    if not FIRST_DAY <= anchor <= LAST_DAY:
        text = f"date: the calendar shows days from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}; choose one in between."
        return render(request, "web/error.html", {"title": "Not understood", "text": text}, status=400)
    start, end = _range(view, anchor)
    filters = {k: request.GET.get(k, "") for k in ("channel", "pillar", "objective", "state")}
    posts = (
        Post.objects.filter(
            workspace=access.workspace,
            deleted_at=None,
            is_reply=False,  # answers in conversations are not the plan's content: the inbox shows them
            scheduled_at__gte=dt.datetime.combine(start, dt.time(), tz),
            scheduled_at__lt=dt.datetime.combine(end, dt.time(), tz),
        )
        .prefetch_related("variants")
        .order_by("scheduled_at")
    )
    if filters["channel"]:
        posts = posts.filter(variants__channel_id=filters["channel"])
    if filters["pillar"]:
        posts = posts.filter(pillar_id=filters["pillar"])
    if filters["objective"]:
        posts = posts.filter(objective_id=filters["objective"])
    if filters["state"]:
        posts = posts.filter(state=filters["state"])
    link = PlanLink.of(access.workspace)
    missing = actions.unconnected(access.workspace, link.channels)
    by_day: dict[dt.date, list[Entry]] = {}
    for post in posts.distinct():
        assert post.scheduled_at is not None
        at = post.scheduled_at.astimezone(tz)
        by_day.setdefault(at.date(), []).append(_entry(post, at, missing))
    days = [
        Day(
            start + dt.timedelta(days=i),
            view == "week" or (start + dt.timedelta(days=i)).month == anchor.month,
            by_day.get(start + dt.timedelta(days=i), []),
        )
        for i in range((end - start).days)
    ]
    hours = _hours(days) if view == "week" else []
    for day in days:
        day.slots = [Slot(hour, [e for e in day.posts if e.at.hour == hour]) for hour in hours]
    mix = [channel_mix(access.workspace.pk, c.id, now() + dt.timedelta(days=15), link) for c in link.plan.channels]
    if view == "week":
        previous, following = anchor - dt.timedelta(days=7), anchor + dt.timedelta(days=7)
    else:
        previous = (anchor.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        following = (anchor.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    # No page before the first day or after the last: the link would only lead to an error.
    earlier_page = previous if previous >= FIRST_DAY else None
    later_page = following if following <= LAST_DAY else None
    unscheduled = (
        Post.objects.filter(workspace=access.workspace, scheduled_at=None, deleted_at=None, is_reply=False)
        .exclude(state=Post.State.PUBLISHED)
        .order_by("-created_at")[:20]
    )
    settings = actions.settings_for(access.workspace)
    context = {
        "access": access,
        "view": view,
        "weeks": [days[i : i + 7] for i in range(0, len(days), 7)],
        "hours": hours,
        "anchor": anchor,
        "tz": tz,
        "prev": earlier_page,
        "next": later_page,
        "filters": filters,
        "opts": {
            "channels": list(link.channels),
            "pillars": list(link.pillar_kinds),
            "objectives": sorted(link.objectives),
            "states": Post.State.choices,
        },
        "mix": mix,
        "unscheduled": unscheduled,
        "attention": Notification.objects.filter(workspace=access.workspace, resolved_at=None).order_by("-created_at")[:20],
        "today": now().astimezone(tz).date(),
        "may_schedule": access.may("post.schedule"),
        "may_write": access.may("post.write"),
        "ical_active": bool(settings.ical_token_hash),
        "any_unconnected": any(e.unconnected for d in days for e in d.posts),
    }
    template = "publishing/_calendar_grid.html" if request.headers.get("HX-Request") else "publishing/calendar.html"
    return render(request, template, context)


@login_required
@require_POST
def move(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    """Drag and drop: move a post to another day, keeping its time of day (workspace time); with
    `hour` (the week view's rows), to that hour of the day, keeping its minutes."""
    access = _access(request, slug, "post.schedule")
    post = _post(access, post_id)
    tz = zoneinfo.ZoneInfo(access.workspace.timezone)
    try:
        day = dt.date.fromisoformat(request.POST.get("date", ""))
    except ValueError:
        return JsonResponse({"message": "choose a day"}, status=422)
    hour = request.POST.get("hour", "")
    if hour and not (hour.isascii() and hour.isdigit() and int(hour) <= 23):
        return JsonResponse({"message": "choose an hour from 0 to 23"}, status=422)
    local = post.scheduled_at.astimezone(tz) if post.scheduled_at else dt.datetime.combine(day, dt.time(9), tz)
    clock = local.time().replace(hour=int(hour)) if hour else local.time()
    # Through UTC and back: an hour that the clocks skip that night (02:30 when summer time
    # begins) becomes the time it really is, so that the message names the time it will go out.
    at = dt.datetime.combine(day, clock, tz).astimezone(dt.UTC).astimezone(tz)
    try:
        actions.schedule(post=post, actor=access.user, at=at, accept_mix_warning=bool(request.POST.get("accept_mix")))
    except MixWarning as warning:
        # The calendar asks in a dialog of its own, with these numbers, before moving anyway.
        over = [
            {
                "channel": m.channel_id,
                "promotional": m.promotional,
                "total": m.total,
                "share": round(m.share * 100),
                "target": round(m.target * 100),
            }
            for m in warning.over
        ]
        return JsonResponse({"message": warning.message, "mix": over}, status=409)
    except ActionError as exc:
        return JsonResponse({"message": exc.message}, status=exc.status)
    message = f"{post} moved to {at.strftime('%a %d %b, %H:%M')}."
    return JsonResponse({"message": message, "warnings": actions.schedule_warnings(post)})


@login_required
@require_POST
def ical_token(request: HttpRequest, slug: str) -> HttpResponse:
    """Make (or replace) the secret address of the calendar feed; the old one stops working.
    Only the token's hash is kept, so the address is shown on this page and never again."""
    access = _access(request, slug, "post.schedule")
    token = actions.settings_for(access.workspace).new_ical_token()
    address = request.build_absolute_uri(reverse("calendar-ics", args=[slug])) + f"?token={token}"
    return render(request, "publishing/calendar_address.html", {"access": access, "ical_url": address})


def ical(request: HttpRequest, slug: str) -> HttpResponse:
    """The calendar as iCalendar, for any calendar app. The address's token is the key."""
    settings = PublishingSettings.objects.select_related("workspace").filter(workspace__slug=slug).first()
    if settings is None or not settings.opens_ical(request.GET.get("token", "")):
        raise Http404("no such calendar")
    return HttpResponse(render_ical(settings.workspace), content_type="text/calendar; charset=utf-8")


def render_ical(workspace: Workspace) -> str:
    stamp = now().strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Strata//Content calendar//EN",
        f"X-WR-CALNAME:{ical_text(workspace.name)} content calendar",
    ]
    posts = (
        Post.objects.filter(workspace=workspace, deleted_at=None, is_reply=False)
        .exclude(scheduled_at=None)
        .prefetch_related("variants")
        .order_by("scheduled_at")
    )
    for post in posts:
        assert post.scheduled_at is not None
        variants = list(post.variants.all())
        summary = post.title or (variants[0].text[:60] if variants else f"post {post.pk}")
        description = "\n\n".join(f"[{v.channel_id}] {v.text}" for v in variants)
        lines += [
            "BEGIN:VEVENT",
            f"UID:post-{post.pk}@{workspace.slug}.strata",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{post.scheduled_at.astimezone(dt.UTC).strftime('%Y%m%dT%H%M%SZ')}",
            "DURATION:PT15M",
            f"SUMMARY:{ical_text(summary)} ({post.state})",
            f"DESCRIPTION:{ical_text(description)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(ical_fold(line) for line in lines) + "\r\n"
