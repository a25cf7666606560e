"""The posts list's selection: search, filters and order, read from a query string and shared by
the page (strata/publishing/views_list.py), the API and nothing else. Deleted posts are never
listed; their pages and histories stay."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import F, Q, QuerySet
from django.utils.http import urlencode

from strata.accounts.models import Workspace
from strata.publishing.models import Post
from strata.publishing.planlink import PlanLink

FILTERS = ("q", "state", "channel", "objective", "pillar", "since", "until", "sort")
MAX_QUERY = 200
# The orders a person can choose, each with its columns; the post's id settles ties so that
# pages never overlap. Posts without a time come last in either direction.
SORTS = {
    "scheduled": (F("scheduled_at").asc(nulls_last=True), F("pk").asc()),
    "-scheduled": (F("scheduled_at").desc(nulls_last=True), F("pk").desc()),
    "updated": (F("updated_at").asc(), F("pk").asc()),
    "-updated": (F("updated_at").desc(), F("pk").desc()),
    "title": (F("title").asc(), F("pk").asc()),
    "-title": (F("title").desc(), F("pk").desc()),
}
DEFAULT_SORT = "scheduled"
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(9998, 12, 31)
SORT_NAMES = {
    "scheduled": "Scheduled time, earliest first",
    "-scheduled": "Scheduled time, latest first",
    "-updated": "Last change, newest first",
    "updated": "Last change, oldest first",
    "title": "Title, A to Z",
    "-title": "Title, Z to A",
}
# The filters as the form names them, for the messages about a value that names nothing.
NAMES = {
    "q": "Search",
    "state": "State",
    "channel": "Channel",
    "objective": "Objective",
    "pillar": "Pillar",
    "since": "Scheduled from",
    "until": "Until",
    "sort": "Order",
}


@dataclass
class Selection:
    """The checked filters: what is listed, what the form shows again, and what was not understood."""

    values: dict[str, str]
    errors: list[tuple[str, str]] = field(default_factory=list)  # (filter, message)
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    @property
    def sort(self) -> str:
        return self.values["sort"] or DEFAULT_SORT

    def query_string(self, **extra: str) -> str:
        return urlencode({k: v for k, v in {**self.values, **extra}.items() if v})

    @property
    def active(self) -> bool:
        """Whether anything but the order narrows the list."""
        return any(v for k, v in self.values.items() if k != "sort")


def _date(raw: str, name: str, errors: list[tuple[str, str]]) -> dt.date | None:
    if not raw:
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        errors.append((name, f"{NAMES[name]}: '{raw[:20]}' is not a date (YYYY-MM-DD)"))
        return None
    if not FIRST_DAY <= day <= LAST_DAY:  # beyond them a time zone's offset leaves what a datetime holds
        errors.append((name, f"{NAMES[name]}: choose a day from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"))
        return None
    return day


def read(workspace: Workspace, params: Mapping[str, str], link: PlanLink | None = None) -> Selection:
    """1. Keep each filter only if it names something that exists: a state, or a channel,
    objective or pillar of the plan. 2. The dates are whole days in the workspace's time zone,
    `until` included. 3. An unknown order falls back to the default. Each value dropped is an
    error, for the page to show and the API to refuse."""
    link = link or PlanLink.of(workspace)
    errors: list[tuple[str, str]] = []
    values = {name: str(params.get(name, "") or "").strip() for name in FILTERS}
    if len(values["q"]) > MAX_QUERY:
        errors.append(("q", f"Search: {len(values['q'])} characters long; at most {MAX_QUERY} are used"))
        values["q"] = values["q"][:MAX_QUERY]
    known = {
        "state": set(Post.State.values),
        "channel": set(link.channels),
        "objective": link.objectives,
        "pillar": set(link.pillar_kinds),
        "sort": set(SORTS),
    }
    for name, allowed in known.items():
        if values[name] and values[name] not in allowed:
            errors.append((name, f"{NAMES[name]}: there is no {name} '{values[name][:64]}'"))
            values[name] = ""
    tz = workspace.tzinfo
    since = _date(values["since"], "since", errors)
    until = _date(values["until"], "until", errors)
    if since and until and since > until:
        errors.append(("until", "Until: the range ends before it begins"))
        until = None
    values["since"] = since.isoformat() if since else ""
    values["until"] = until.isoformat() if until else ""
    return Selection(
        values=values,
        errors=errors,
        since=dt.datetime.combine(since, dt.time(), tz) if since else None,
        until=dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tz) if until else None,
    )


def posts(workspace: Workspace, selection: Selection) -> QuerySet[Post]:
    """The workspace's posts that are not deleted, narrowed and ordered by `selection`; replies
    (answers in conversations, not the plan's content) are the inbox's."""
    found = Post.objects.filter(workspace=workspace, deleted_at=None, is_reply=False)
    values = selection.values
    if values["q"]:
        found = found.filter(
            Q(title__icontains=values["q"]) | Q(pk__in=Post.objects.filter(workspace=workspace, variants__text__icontains=values["q"]))
        )
    if values["state"]:
        found = found.filter(state=values["state"])
    if values["channel"]:
        found = found.filter(pk__in=Post.objects.filter(workspace=workspace, variants__channel_id=values["channel"]))
    if values["objective"]:
        found = found.filter(objective_id=values["objective"])
    if values["pillar"]:
        found = found.filter(pillar_id=values["pillar"])
    if selection.since is not None:
        found = found.filter(scheduled_at__gte=selection.since)
    if selection.until is not None:
        found = found.filter(scheduled_at__lt=selection.until)
    return found.order_by(*SORTS[selection.sort])
