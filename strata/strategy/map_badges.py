"""Small labels on the strategy map's nodes that other apps add ("on track" on an objective):
strategy draws them and never imports those apps.

A badge function takes the workspace and its plan and returns badges by node ref
("objective:eu-awareness"). Analytics registers the KPI statuses from its AppConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from strata.accounts.models import Workspace
from strata.strategy.plan.schema import PlanDocument


@dataclass(frozen=True)
class Badge:
    text: str  # a few words: "on track", "at risk"
    tone: Literal["good", "warn", "bad", "none"]
    detail: str = ""  # read out with the node: "followers 14,210 of 20,000 by 30 Jun 2027"


BadgeFunction = Callable[[Workspace, PlanDocument], dict[str, Badge]]
REGISTRY: dict[str, BadgeFunction] = {}


def badge_source(name: str) -> Callable[[BadgeFunction], BadgeFunction]:
    def register(func: BadgeFunction) -> BadgeFunction:
        REGISTRY[name] = func
        return func

    return register


def badges(workspace: Workspace, plan: PlanDocument) -> dict[str, Badge]:
    found: dict[str, Badge] = {}
    for name in sorted(REGISTRY):
        found.update(REGISTRY[name](workspace, plan))
    return found
