"""What every advice rule shares: the Recommendation it returns, the plan copy it edits, and
numbers written the way a person reads them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from strata.accounts.models import Workspace
from strata.analytics.kpis.values import today_of
from strata.analytics.metrics.queries import zone_of
from strata.analytics.reports.period import Period
from strata.strategy.plan.errors import PlanInvalid
from strata.strategy.plan.loader import validate_plan
from strata.strategy.plan.schema import PlanDocument


@dataclass(frozen=True)
class Recommendation:
    key: str  # stable across reports for the same advice: "mix-drift:acme-bsky"
    kind: str  # channel_effort, mix_drift, sla, objective_off_track, pillar_idle, audience_elsewhere
    title: str  # one line: "acme-mastodon is not worth its 12 hours a week"
    evidence: str  # the numbers, in words
    numbers: dict[str, Any] = field(default_factory=dict)  # the evidence as data, for the JSON
    change: str = ""  # the plan change it implies, in words; "" when no plan change applies
    plan: PlanDocument | None = None  # the plan with that change made, or None

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "kind": self.kind, "title": self.title, "evidence": self.evidence,
                "numbers": self.numbers, "change": self.change}  # fmt: skip


def revised(plan: PlanDocument, edit: Callable[[PlanDocument], None]) -> PlanDocument | None:
    """`plan` with `edit` made to a deep copy, checked as a whole plan (references included), or
    None when the edit would leave the plan invalid. The plan passed in is never touched: plans
    read from the store are shared between callers."""
    copy = plan.model_copy(deep=True)
    edit(copy)
    try:
        return validate_plan(copy.model_dump(mode="json"), filename="advice")
    except PlanInvalid:
        return None


def bounds(workspace: Workspace, period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The period as aware datetimes in the workspace's zone: from its first day's midnight up
    to, not including, the midnight after its last day."""
    zone = zone_of(workspace)
    return (
        dt.datetime.combine(period.start, dt.time(0), zone),
        dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(0), zone),
    )


def number(value: float) -> str:
    """1234.5 → "1,235", 12.34 → "12.3", 12.0 → "12": a decimal only where it still says something."""
    if abs(value) >= 100 or abs(value - round(value)) < 0.05:
        return f"{round(value):,}"
    return f"{value:,.1f}"


def counted(workspace: Workspace, period: Period) -> Period:
    """The part of `period` that is over: up to yesterday while its last month runs (today is
    still moving, as in the report's own numbers), all of it once it has ended."""
    yesterday = today_of(workspace) - dt.timedelta(days=1)
    return period if period.end <= yesterday else Period(period.kind, period.start, max(period.start, yesterday))


def percent(share: float) -> str:
    return f"{share * 100:.0f} %"


def hours(value: float) -> str:
    return f"{number(value)} hour{'' if value == 1 else 's'}"


def posts_a_week(value: float) -> str:
    return f"{number(value)} post{'' if value == 1 else 's'} a week"
