"""The kinds of plan element that have ids, where each lives in the document, and its ref name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from strata.strategy.plan import schema


@dataclass(frozen=True)
class ElementKind:
    name: str  # URL and API name, plural: "objectives"
    singular: str  # ref kind: "objective"
    label: str
    path: tuple[str, ...]  # where the list lives in the document
    model: type[BaseModel]

    @property
    def section(self) -> str:
        """The ref of findings about the list as a whole ("content" for pillars); stakeholders
        belong to governance, which has a page of its own."""
        return self.path[0] if self.path[0] != "governance" else ""

    def items(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        node: Any = data
        for step in self.path:
            node = node[step]
        return node  # type: ignore[no-any-return]

    def of(self, plan: schema.PlanDocument) -> list[Any]:
        node: Any = plan
        for step in self.path:
            node = getattr(node, step)
        return node  # type: ignore[no-any-return]


KINDS: dict[str, ElementKind] = {
    kind.name: kind
    for kind in (
        ElementKind("people", "person", "People", ("people",), schema.Person),
        ElementKind("stakeholders", "stakeholder", "Stakeholders", ("governance", "stakeholders"), schema.Stakeholder),
        ElementKind("goals", "goal", "Goals", ("goals",), schema.Goal),
        ElementKind("objectives", "objective", "Objectives", ("objectives",), schema.Objective),
        ElementKind("strategies", "strategy", "Strategies", ("strategies",), schema.Strategy),
        ElementKind("audiences", "audience", "Audiences", ("audiences",), schema.Audience),
        ElementKind("channels", "channel", "Channels", ("channels",), schema.Channel),
        ElementKind("pillars", "pillar", "Content pillars", ("content", "pillars"), schema.Pillar),
        ElementKind("rules", "rule", "Response plan", ("response_plan",), schema.Rule),
        ElementKind("queries", "query", "Listening queries", ("listening",), schema.ListeningQuery),
    )
}
KIND_BY_REF = {kind.singular: kind for kind in KINDS.values()}
