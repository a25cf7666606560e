"""Ids must be unique and references must name something that exists.

A dangling reference is not a gap for the review to report: the plan would mean something other
than what its author wrote, so the file is refused.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from strata.strategy.plan.schema import PlanDocument

Loc = tuple[Any, ...]


def reference_errors(plan: PlanDocument) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    ids: dict[str, set[str]] = {}

    def register(kind: str, section: Loc, elements: Iterable[Any]) -> None:
        known = ids.setdefault(kind, set())
        for index, element in enumerate(elements):
            if element.id in known:
                problems.append(((*section, index, "id"), f"duplicate {kind} id '{element.id}': ids must be unique"))
            known.add(element.id)

    register("person", ("people",), plan.people)
    register("stakeholder", ("governance", "stakeholders"), plan.governance.stakeholders)
    register("goal", ("goals",), plan.goals)
    register("objective", ("objectives",), plan.objectives)
    register("strategy", ("strategies",), plan.strategies)
    register("audience", ("audiences",), plan.audiences)
    register("channel", ("channels",), plan.channels)
    register("pillar", ("content", "pillars"), plan.content.pillars)
    register("rule", ("response_plan",), plan.response_plan)
    register("query", ("listening",), plan.listening)

    def ref(kind: str, value: str | None, loc: Loc) -> None:
        if value is None or value in ids[kind]:
            return
        guess = difflib.get_close_matches(value, sorted(ids[kind]), n=1, cutoff=0.6)
        hint = f"; did you mean '{guess[0]}'?" if guess else ("" if ids[kind] else f"; the plan defines no {kind} yet")
        problems.append((loc, f"no {kind} with id '{value}'{hint}"))

    ref("person", plan.governance.ringleader, ("governance", "ringleader"))
    for i, objective in enumerate(plan.objectives):
        ref("goal", objective.aligns_with, ("objectives", i, "aligns_with"))
        ref("person", objective.owner, ("objectives", i, "owner"))
    for i, strategy in enumerate(plan.strategies):
        for j, objective_id in enumerate(strategy.serves):
            ref("objective", objective_id, ("strategies", i, "serves", j))
    for i, channel in enumerate(plan.channels):
        for j, audience_id in enumerate(channel.audiences):
            ref("audience", audience_id, ("channels", i, "audiences", j))
        for j, duty in enumerate(channel.responsible):
            ref("person", duty.person, ("channels", i, "responsible", j, "person"))
    for i, pillar in enumerate(plan.content.pillars):
        for j, strategy_id in enumerate(pillar.serves):
            ref("strategy", strategy_id, ("content", "pillars", i, "serves", j))
    for i, rule in enumerate(plan.response_plan):
        ref("channel", rule.when.channel, ("response_plan", i, "when", "channel"))
        ref("person", rule.assign_to, ("response_plan", i, "assign_to"))
        ref("person", rule.escalate_to, ("response_plan", i, "escalate_to"))
    ref("person", plan.support.escalate_to, ("support", "escalate_to"))
    for i, listening in enumerate(plan.listening):
        ref("audience", listening.audience, ("listening", i, "audience"))
    for i, report in enumerate(plan.measurement.reports):
        for j, person_id in enumerate(report.to):
            ref("person", person_id, ("measurement", "reports", i, "to", j))
    return problems
