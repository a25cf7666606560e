"""What publishing needs to know of the plan: channels, objectives, pillars and the mix."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from strata.accounts.models import Workspace
from strata.strategy.plan.schema import Channel, PlanDocument
from strata.strategy.store import current_plan


@dataclass
class PlanLink:
    plan: PlanDocument

    @classmethod
    def of(cls, workspace: Workspace) -> PlanLink:
        return cls(current_plan(workspace).plan)

    @cached_property
    def channels(self) -> dict[str, Channel]:
        return {c.id: c for c in self.plan.channels}

    @cached_property
    def objectives(self) -> set[str]:
        return {o.id for o in self.plan.objectives}

    @cached_property
    def pillar_kinds(self) -> dict[str, str]:
        return {p.id: p.kind for p in self.plan.content.pillars}

    @cached_property
    def pillar_objectives(self) -> dict[str, set[str]]:
        """The objectives a pillar serves, through the strategies it serves."""
        serves = {s.id: set(s.serves) for s in self.plan.strategies}
        return {p.id: {o for s in p.serves for o in serves.get(s, set())} for p in self.plan.content.pillars}

    def serves_objective(self, objective_id: str, pillar_id: str) -> bool:
        return bool(objective_id and objective_id in self.objectives) or bool(pillar_id and self.pillar_objectives.get(pillar_id))

    def kind_of(self, kind: str, pillar_id: str) -> str:
        """A post is social or promotional from its pillar, unless set on the post itself."""
        return kind or self.pillar_kinds.get(pillar_id, "social")

    @property
    def promotional_target(self) -> float:
        return self.plan.content.mix.promotional
