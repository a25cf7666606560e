"""The content calendar: month and week views in the workspace's time zone, filters, drag to
reschedule, the rolling mix per channel, and a token-protected iCalendar feed."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.timezone import now
from django.views.decorators.http import require_POST

from strata.accounts.actions import ActionError
from strata.accounts.models import Workspace
from strata.publishing import actions
from strata.publishing.mix import MixWarning, channel_mix
from strata.publishing.models import Notification, Post, PublishingSettings
from strata.publishing.planlink import PlanLink
from strata.publishing.views import _access, _post
from strata.xmltext import ical_fold, ical_text

# The days the calendar can show. Beyond them, a month's grid, a time zone's offset or the
# next page would leave what a date can hold (year 1 to 9999); nothing is planned there anyway.
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(9998, 12, 31)


@dataclass
class Day:
    date: dt.date
    in_range: bool
    posts: list[Post]


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
    by_day: dict[dt.date, list[Post]] = {}
    for post in posts.distinct():
        assert post.scheduled_at is not None
        by_day.setdefault(post.scheduled_at.astimezone(tz).date(), []).append(post)
    days = [
        Day(
            start + dt.timedelta(days=i),
            view == "week" or (start + dt.timedelta(days=i)).month == anchor.month,
            by_day.get(start + dt.timedelta(days=i), []),
        )
        for i in range((end - start).days)
    ]
    link = PlanLink.of(access.workspace)
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
        Post.objects.filter(workspace=access.workspace, scheduled_at=None).exclude(state=Post.State.PUBLISHED).order_by("-created_at")[:20]
    )
    settings = actions.settings_for(access.workspace)
    context = {
        "access": access,
        "view": view,
        "weeks": [days[i : i + 7] for i in range(0, len(days), 7)],
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
    }
    template = "publishing/_calendar_grid.html" if request.headers.get("HX-Request") else "publishing/calendar.html"
    return render(request, template, context)


@login_required
@require_POST
def move(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    """Drag and drop: move a post to another day, keeping its time of day (workspace time)."""
    access = _access(request, slug, "post.schedule")
    post = _post(access, post_id)
    tz = zoneinfo.ZoneInfo(access.workspace.timezone)
    try:
        day = dt.date.fromisoformat(request.POST.get("date", ""))
    except ValueError:
        return HttpResponse("choose a day", status=422)
    local = post.scheduled_at.astimezone(tz) if post.scheduled_at else dt.datetime.combine(day, dt.time(9), tz)
    at = dt.datetime.combine(day, local.time(), tz)
    try:
        actions.schedule(post=post, actor=access.user, at=at, accept_mix_warning=bool(request.POST.get("accept_mix")))
    except MixWarning as warning:
        return HttpResponse(warning.message, status=409)
    except ActionError as exc:
        return HttpResponse(exc.message, status=exc.status)
    return HttpResponse(f"moved to {at.strftime('%a %d %b %H:%M')}", status=200)


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
    posts = Post.objects.filter(workspace=workspace).exclude(scheduled_at=None).prefetch_related("variants").order_by("scheduled_at")
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
