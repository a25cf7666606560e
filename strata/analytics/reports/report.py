"""A report, as data: every number the page, the PDF, the e-mail and the JSON show, made once by
build.build_report() and only read after. `Report.as_json()` keys objectives by their ids."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from strata.accounts.models import Workspace
from strata.analytics.alignment import Alignment
from strata.analytics.kpis.values import ObjectiveKpi
from strata.analytics.reports.advice import Recommendation
from strata.analytics.reports.period import Period
from strata.analytics.reports.queries import Engagement, Support, Traffic
from strata.engagement.inbox.figures import Figures
from strata.strategy.plan.schema import PlanDocument

STATUSES = ("on_track", "at_risk", "off_track", "no_data")


@dataclass(frozen=True)
class ObjectiveRow:
    """Plan against actual for one objective."""

    kpi: ObjectiveKpi
    series: list[tuple[dt.date, float]]  # the KPI's value by day from the day before the period to its end; gaps absent
    clicks: int
    visits: Traffic | None  # imported traffic of this objective's campaign

    @property
    def id(self) -> str:
        return self.kpi.objective_id

    @property
    def start_value(self) -> float | None:
        """The KPI the day before the period, or its first value in the period."""
        return self.series[0][1] if self.series else None

    @property
    def end_value(self) -> float | None:
        return self.series[-1][1] if self.series else None

    @property
    def change(self) -> float | None:
        if len(self.series) < 2 or self.start_value is None or self.end_value is None:
            return None
        return self.end_value - self.start_value

    def as_dict(self) -> dict[str, Any]:
        k = self.kpi.as_dict()
        del k["series"]  # the last 90 days as of the period's end: the period's own series is below
        return {
            **k,
            "start_value": _round(self.start_value),
            "end_value": _round(self.end_value),
            "change": _round(self.change),
            "series": [{"day": day.isoformat(), "value": _round(value)} for day, value in self.series],
            "clicks": self.clicks,
            "visits": None if self.visits is None else self.visits.__dict__,
        }


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    value: float | None
    unit: str = ""
    change: float | None = None  # against the start of the period
    words: str = ""  # the value as the page writes it

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "value": _round(self.value, 3), "unit": self.unit, "change": _round(self.change, 3)}


@dataclass(frozen=True)
class PlanChange:
    number: int
    at: dt.datetime
    source: str
    summary: str
    reason: str  # why, when a report's recommendation was accepted ("" otherwise)
    author: str

    @property
    def from_advice(self) -> bool:
        return self.source == "proposal"

    def as_dict(self) -> dict[str, Any]:
        return {"revision": self.number, "at": self.at.isoformat(), "source": self.source, "summary": self.summary,
                "reason": self.reason, "author": self.author}  # fmt: skip


@dataclass(frozen=True)
class Report:
    workspace: Workspace
    plan: PlanDocument
    plan_revision: int
    period: Period
    until: dt.date  # the last day counted: the period's end, or yesterday in a month not over
    made_at: dt.datetime
    objectives: list[ObjectiveRow]
    followers: dict[str, list[tuple[dt.date, int | None]]]
    engagement: Engagement
    alignment: Alignment
    responses: list[Figures]
    clicks: dict[str, dict[str, int]]
    traffic: dict[str, Traffic]
    support: Support | None
    changes: list[PlanChange]
    recommendations: list[Recommendation]
    headlines: list[Headline] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.until >= self.period.end

    @property
    def statuses(self) -> Counter[str]:
        return Counter(row.kpi.status for row in self.objectives)

    @property
    def pillar_names(self) -> dict[str, str]:
        return {p.id: p.name for p in self.plan.content.pillars}

    @property
    def follower_totals(self) -> tuple[int | None, int | None]:
        """All channels' followers at the start and at the end of the period: each channel's
        first and last number in it (a channel without any is left out of both)."""
        firsts = [next((v for _, v in s if v is not None), None) for s in self.followers.values()]
        lasts = [next((v for _, v in reversed(s) if v is not None), None) for s in self.followers.values()]
        known = [(a, b) for a, b in zip(firsts, lasts, strict=True) if a is not None and b is not None]
        if not known:
            return None, None
        return sum(a for a, _ in known), sum(b for _, b in known)

    def as_json(self) -> dict[str, Any]:
        e = self.engagement
        return {
            "workspace": self.workspace.slug,
            "kind": self.period.kind,
            "period": {
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
                "label": self.period.label,
                "months": [m.strftime("%Y-%m") for m in self.period.months],
            },
            "until": self.until.isoformat(),
            "complete": self.complete,
            "plan_revision": self.plan_revision,
            "made_at": self.made_at.isoformat(),
            "summary": {
                "statuses": {status: self.statuses.get(status, 0) for status in STATUSES},
                "headlines": [h.as_dict() for h in self.headlines],
            },
            "objectives": {row.id: row.as_dict() for row in self.objectives},
            "followers": {
                channel: [{"day": day.isoformat(), "followers": count} for day, count in series]
                for channel, series in self.followers.items()
            },
            "engagement": {
                "total": e.total.as_dict(),
                "by_channel": {k: v.as_dict() for k, v in sorted(e.by_channel.items())},
                "by_pillar": {k: v.as_dict() for k, v in sorted(e.by_pillar.items())},
                "by_objective": {k: v.as_dict() for k, v in sorted(e.by_objective.items())},
                "top_posts": [
                    {
                        "post": p.post_id,
                        "variant": p.variant_id,
                        "channel": p.channel_id,
                        "pillar": p.pillar_id,
                        "objective": p.objective_id,
                        "title": p.title,
                        "url": p.url,
                        **p.gained.as_dict(),
                    }
                    for p in e.top
                ],
            },
            "alignment": self.alignment.as_dict(),
            "responses": {f.key: {k: v for k, v in f.as_dict().items() if k not in ("by", "key")} for f in self.responses},
            "clicks": self.clicks,
            "traffic": {k: v.__dict__ for k, v in self.traffic.items()},
            "support": None if self.support is None else {**self.support.__dict__, "per_day": _round(self.support.per_day)},
            "changes": [c.as_dict() for c in self.changes],
            "recommendations": [r.as_dict() for r in self.recommendations],
        }


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)
