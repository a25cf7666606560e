"""The demo's history window (analytics/demo.py): six months of days ending yesterday in the
workspace's zone, the plan they follow, and draws from fixed seeds, so that the demo tells the
same story every time it is made, only moved to end yesterday."""

from __future__ import annotations

import datetime as dt
import math
import random
import zoneinfo
from dataclasses import dataclass, field

from strata.accounts.models import User, Workspace
from strata.analytics.metrics.queries import zone_of
from strata.platforms.registry import METRICS_READERS
from strata.strategy.plan.schema import Channel, Objective, PlanDocument

DAYS = 183  # six months
SEED = "acme-history"


@dataclass(frozen=True)
class Window:
    workspace: Workspace
    user: User | None
    plan: PlanDocument
    now: dt.datetime
    zone: zoneinfo.ZoneInfo = field(init=False)
    days: list[dt.date] = field(init=False)  # oldest first; the last is yesterday

    def __post_init__(self) -> None:
        zone = zone_of(self.workspace)
        today = self.now.astimezone(zone).date()
        object.__setattr__(self, "zone", zone)
        object.__setattr__(self, "days", [today - dt.timedelta(days=n) for n in range(DAYS, 0, -1)])

    @property
    def today(self) -> dt.date:
        return self.days[-1] + dt.timedelta(days=1)

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), self.zone)

    def rng(self, part: str) -> random.Random:
        """Draws of their own for each part, so that changing one part leaves the others' story as it was."""
        return random.Random(f"{SEED}:{part}")

    def measured_channels(self) -> list[Channel]:
        """The plan's channels whose numbers Strata reads (a platform without a reader has no history)."""
        return [c for c in self.plan.channels if c.platform in METRICS_READERS]

    def objective(self, objective_id: str) -> Objective | None:
        return next((o for o in self.plan.objectives if o.id == objective_id), None)

    def days_to(self, deadline: dt.date | None) -> int:
        """Days from today to a KPI's deadline, how far its trend is carried: 0 once it has passed
        (the trend then ends where the story wants the latest number), 60 without one."""
        return max(0, (deadline - self.today).days) if deadline else 60


def poisson(rng: random.Random, mean: float) -> int:
    """A count around `mean`: Knuth's method while it is cheap, a rounded normal beyond."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
