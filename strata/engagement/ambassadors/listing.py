"""Which ambassadors a filter keeps, in which order, and what the plan says about their
audience. Shared by the page, the CSV and the API, so that each shows the same list."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import Count, F, QuerySet

from strata.accounts.models import Workspace
from strata.engagement.ambassadors import scoring
from strata.engagement.ambassadors.models import Ambassador
from strata.strategy.plan.schema import PLATFORMS, Audience, PlanDocument

STATUSES = tuple(Ambassador.Status.values)
FIELDS = ("status", "platform", "audience", "tag")
MAX_TAG = 40


@dataclass
class Filter:
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.values["status"] or Ambassador.Status.CANDIDATE


def read_filter(params: Mapping[str, str], plan: PlanDocument) -> Filter:
    """Each value checked against what it may be; an unknown one is dropped with a word about it,
    so that a stale bookmark still shows a list."""
    values = {name: str(params.get(name, "") or "").strip()[:100] for name in FIELDS}
    values["tag"] = values["tag"][:MAX_TAG].lower()
    errors = []
    allowed = {"status": STATUSES, "platform": tuple(PLATFORMS), "audience": (*(a.id for a in plan.audiences), "none")}
    for name, choices in allowed.items():
        if values[name] and values[name] not in choices:
            errors.append(f"'{values[name][:40]}' is not a {name} here: it was left out")
            values[name] = ""
    if "," in values["tag"]:
        errors.append("a tag has no commas: the tag filter was left out")
        values["tag"] = ""
    return Filter(values, errors)


def ambassadors(workspace: Workspace, chosen: Filter) -> QuerySet[Ambassador]:
    found = Ambassador.objects.filter(workspace=workspace, status=chosen.status)
    values = chosen.values
    if values["platform"]:
        found = found.filter(platform=values["platform"])
    if values["audience"] == "none":
        found = found.filter(audience_id="")
    elif values["audience"]:
        found = found.filter(audience_id=values["audience"])
    if values["tag"]:
        found = found.filter(tags_key__contains=f",{values['tag']},")
    return found.order_by(F("score").desc(), F("last_at").desc(nulls_last=True), "pk")


def counts(workspace: Workspace) -> dict[str, int]:
    """How many in each status, for the tabs."""
    found = dict.fromkeys(STATUSES, 0)
    for row in Ambassador.objects.filter(workspace=workspace).values("status").annotate(n=Count("pk")).order_by():
        found[row["status"]] = row["n"]
    return found


def audience(plan: PlanDocument, audience_id: str) -> Audience | None:
    return next((a for a in plan.audiences if a.id == audience_id), None)


@dataclass(frozen=True)
class Shown:
    """One ambassador with what the plan says about their audience, and their trend in words."""

    a: Ambassador
    audience: Audience | None

    @property
    def parts(self) -> list[tuple[str, str, str]]:
        """(name, value, what it means) of each part of the score, as the pages show them."""
        a = self.a
        followers = "not known on this platform" if a.followers is None else f"{a.followers:,} followers"
        return [
            ("Frequency", f"{round(a.frequency * 100)}", f"{a.interactions} interactions in {scoring.WINDOW.days} days, weighted by kind"),
            ("Recency", f"{round(a.recency * 100)}", "halves every 30 days since their last interaction"),
            ("Sentiment", _signed(round(a.sentiment * 100)), "positive minus negative, of what they wrote"),
            ("Reach", "—" if a.reach is None else f"{round(a.reach * 100)}", followers),
        ]

    @property
    def trend(self) -> str:
        a = self.a
        return scoring.trend(a.interactions_30d, a.shares_30d, a.interactions_before, a.shares_before)


def shown(plan: PlanDocument, found: Iterable[Ambassador]) -> list[Shown]:
    return [Shown(a, audience(plan, a.audience_id)) for a in found]


def _signed(percent: int) -> str:
    return f"{percent:+d} %" if percent else "0 %"
