"""What the links page and its CSV count: clicks, visitors and bots of a workspace's short links
over the last DAYS UTC days, per day, per objective and per link (each link names its post).

Visitors are counted per link and day: summed over several days or links, someone who came back
another day, or followed two links, counts again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.analytics.links.models import ClickDay, ShortLink

DAYS = 30
MAX_LINKS = 500  # listed on the page; the CSV has them all


@dataclass
class Counts:
    clicks: int = 0
    visitors: int = 0
    bots: int = 0

    def add(self, row: dict[str, Any]) -> None:
        self.clicks += row["clicks"] or 0
        self.visitors += row["visitors"] or 0
        self.bots += row["bots"] or 0


@dataclass
class LinkRow:
    link: ShortLink
    counts: Counts = field(default_factory=Counts)


@dataclass
class Selection:
    """The links the page is about: all of the workspace's, or one objective's or one post's."""

    workspace: Workspace
    objective: str = ""
    post_id: int | None = None
    today: dt.date = field(default_factory=lambda: now().date())

    @property
    def first_day(self) -> dt.date:
        return self.today - dt.timedelta(days=DAYS - 1)

    def links(self) -> QuerySet[ShortLink]:
        found = ShortLink.objects.filter(workspace=self.workspace)
        if self.objective:
            found = found.filter(objective_id=self.objective)
        if self.post_id is not None:
            found = found.filter(post_id=self.post_id)
        return found

    def days(self) -> QuerySet[ClickDay]:
        return ClickDay.objects.filter(link__in=self.links(), day__gte=self.first_day, day__lte=self.today)


SUMS = {"clicks": Sum("clicks"), "visitors": Sum("visitors"), "bots": Sum("bots")}


def objective_ids(workspace: Workspace) -> list[str]:
    """The objectives the workspace's short links were made for: the page's filter."""
    found = ShortLink.objects.filter(workspace=workspace).exclude(objective_id="").values_list("objective_id", flat=True)
    return sorted(set(found))


def per_day(selection: Selection) -> list[tuple[dt.date, Counts]]:
    """Every day of the window, newest first, with nothing where nothing was clicked."""
    found: dict[dt.date, Counts] = {}
    for row in selection.days().values("day").annotate(**SUMS):
        found.setdefault(row["day"], Counts()).add(row)
    return [(day, found.get(day, Counts())) for day in (selection.today - dt.timedelta(days=n) for n in range(DAYS))]


def total(rows: list[tuple[dt.date, Counts]]) -> Counts:
    summed = Counts()
    for _, counts in rows:
        summed.add({"clicks": counts.clicks, "visitors": counts.visitors, "bots": counts.bots})
    return summed


def per_objective(selection: Selection) -> list[tuple[str, Counts]]:
    """Objective (or, for a post that served none, its pillar) → counts, most clicked first."""
    found: dict[str, Counts] = {}
    for row in selection.days().values("link__objective_id", "link__pillar_id").annotate(**SUMS):
        found.setdefault(row["link__objective_id"] or row["link__pillar_id"] or "", Counts()).add(row)
    return sorted(found.items(), key=lambda item: (-item[1].clicks, item[0]))


def per_link(selection: Selection, limit: int | None = MAX_LINKS) -> list[LinkRow]:
    """Links clicked in the window or made in it, most clicked first."""
    counted = {row["link_id"]: row for row in selection.days().values("link_id").annotate(**SUMS)}
    made_since = dt.datetime.combine(selection.first_day, dt.time(), tzinfo=dt.UTC)
    links = (
        selection.links()
        .filter(Q(pk__in=selection.days().values("link_id")) | Q(created_at__gte=made_since))
        .select_related("post")
        .prefetch_related("post__variants")
    )
    rows = []
    for link in links:
        row = LinkRow(link)
        if link.pk in counted:
            row.counts.add(counted[link.pk])
        rows.append(row)
    rows.sort(key=lambda r: (-r.counts.clicks, -r.counts.bots, -r.link.pk))
    return rows[:limit] if limit is not None else rows
