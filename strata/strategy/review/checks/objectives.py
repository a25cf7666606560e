"""Goals, objectives and strategies: written down, measurable, owned, and connected."""

from __future__ import annotations

from collections.abc import Iterator

from strata.strategy.review.registry import Issue, ReviewContext, check


def _served_objectives(ctx: ReviewContext) -> set[str]:
    if "served" not in ctx.cache:
        ctx.cache["served"] = {o for s in ctx.plan.strategies for o in s.serves}
    return ctx.cache["served"]  # type: ignore[no-any-return]


@check(
    "plan.no_goals",
    "error",
    title="No goals",
    why="Social media must serve the company's goals; without them, objectives have nothing to align with.",
    fix="Write the corporate or department goals that social media must serve under goals.",
    form_fix="Add the corporate or department goals that social media must serve (Goals).",
)
def no_goals(ctx: ReviewContext) -> Iterator[Issue]:
    if not ctx.plan.goals:
        yield "goals", "the plan names no goal for social media to serve"


@check(
    "plan.no_objectives",
    "error",
    title="No objectives",
    why="Without measurable objectives nobody can tell whether social media works.",
    fix="Add objectives with a KPI, a target, a deadline and an owner.",
)
def no_objectives(ctx: ReviewContext) -> Iterator[Issue]:
    if not ctx.plan.objectives:
        yield "objectives", "the plan has no objectives"


@check(
    "goal.no_objective",
    "warning",
    title="Goal with no objective",
    why="A goal that no objective aligns with is a wish: nothing on social media works towards it.",
    fix="Align an objective with this goal, or remove the goal.",
    examines=lambda ctx: ctx.plan.goals,
)
def goal_without_objective(ctx: ReviewContext) -> Iterator[Issue]:
    aligned = {o.aligns_with for o in ctx.plan.objectives}
    for goal in ctx.plan.goals:
        if goal.id not in aligned:
            yield f"goal:{goal.id}", f"no objective aligns with goal '{goal.id}'"


@check(
    "objective.no_kpi",
    "error",
    title="Objective with no KPI",
    why="An objective that cannot be measured cannot be met, missed or improved.",
    fix="Give the objective a KPI: metric, baseline, target and deadline.",
    examines=lambda ctx: ctx.plan.objectives,
)
def no_kpi(ctx: ReviewContext) -> Iterator[Issue]:
    for objective in ctx.plan.objectives:
        if objective.kpi is None:
            yield f"objective:{objective.id}", f"objective '{objective.id}' has no KPI"


@check(
    "objective.no_target",
    "error",
    title="KPI with no target",
    why="A metric without a target is a number to watch, not an objective.",
    fix="Set kpi.target to the value the metric must reach.",
    form_fix="Fill in KPI › Target: the value the metric must reach.",
    examines=lambda ctx: ctx.plan.objectives,
)
def no_target(ctx: ReviewContext) -> Iterator[Issue]:
    for objective in ctx.plan.objectives:
        if objective.kpi is not None and objective.kpi.target is None:
            yield f"objective:{objective.id}", f"the KPI of '{objective.id}' ({objective.kpi.metric}) has no target"


@check(
    "objective.no_baseline",
    "info",
    title="KPI with no baseline",
    why="Without a baseline, progress towards the target cannot be shown.",
    fix="Set kpi.baseline to today's value of the metric.",
    form_fix="Fill in KPI › Baseline: today's value of the metric.",
    examines=lambda ctx: ctx.plan.objectives,
)
def no_baseline(ctx: ReviewContext) -> Iterator[Issue]:
    for objective in ctx.plan.objectives:
        if objective.kpi is not None and objective.kpi.baseline is None:
            yield f"objective:{objective.id}", f"the KPI of '{objective.id}' has no baseline"


@check(
    "objective.no_deadline",
    "error",
    title="KPI with no deadline",
    why="A target with no date is never late, so it is never urgent.",
    fix="Set kpi.deadline to the date by which the target must be reached.",
    form_fix="Fill in KPI › Deadline: the date by which the target must be reached.",
    examines=lambda ctx: ctx.plan.objectives,
)
def no_deadline(ctx: ReviewContext) -> Iterator[Issue]:
    for objective in ctx.plan.objectives:
        if objective.kpi is not None and objective.kpi.deadline is None:
            yield f"objective:{objective.id}", f"the KPI of '{objective.id}' has no deadline"


@check(
    "objective.deadline_passed",
    "warning",
    title="Deadline has passed",
    why="An objective past its deadline should be judged and replaced, not left to run on.",
    fix="Record the result, then set a new target and deadline or retire the objective.",
    examines=lambda ctx: ctx.plan.objectives,
)
def deadline_passed(ctx: ReviewContext) -> Iterator[Issue]:
    for objective in ctx.plan.objectives:
        deadline = objective.kpi.deadline if objective.kpi else None
        if deadline is not None and deadline < ctx.today:
            yield f"objective:{objective.id}", f"the deadline of '{objective.id}' ({deadline.isoformat()}) has passed"


@check(
    "objective.no_owner",
    "error",
    title="Objective with no owner",
    why="What everybody owns, nobody does.",
    fix="Set the objective's owner to a person id.",
    form_fix="Choose the objective's owner.",
    examines=lambda ctx: ctx.plan.objectives,
)
def no_owner(ctx: ReviewContext) -> Iterator[Issue]:
    for objective in ctx.plan.objectives:
        if not objective.owner:
            yield f"objective:{objective.id}", f"objective '{objective.id}' has no owner"


@check(
    "objective.no_goal",
    "warning",
    title="Objective aligned with no goal",
    why="An objective that serves no corporate goal is hard to defend when budgets are cut.",
    fix="Set aligns_with to the goal this objective serves.",
    form_fix="Choose the goal this objective is aligned with (“Aligned with goal”).",
    examines=lambda ctx: ctx.plan.objectives,
)
def no_goal(ctx: ReviewContext) -> Iterator[Issue]:
    for objective in ctx.plan.objectives:
        if not objective.aligns_with:
            yield f"objective:{objective.id}", f"objective '{objective.id}' is aligned with no goal"


@check(
    "objective.no_strategy",
    "error",
    title="Objective that no strategy serves",
    why="An objective with no plan of action behind it will be met by luck or not at all.",
    fix="Add a strategy that serves this objective, or add it to an existing strategy's serves list.",
    form_fix="Add a strategy that serves this objective, or tick it under “Serves objectives” of an existing strategy.",
    examines=lambda ctx: ctx.plan.objectives,
)
def no_strategy(ctx: ReviewContext) -> Iterator[Issue]:
    served = _served_objectives(ctx)
    for objective in ctx.plan.objectives:
        if objective.id not in served:
            yield f"objective:{objective.id}", f"no strategy serves objective '{objective.id}'"


@check(
    "strategy.serves_nothing",
    "error",
    title="Strategy that serves no objective",
    why="A strategy that serves no objective is a tactic in disguise: it cannot be judged.",
    fix="List the objectives this strategy serves, or remove it.",
    examines=lambda ctx: ctx.plan.strategies,
)
def serves_nothing(ctx: ReviewContext) -> Iterator[Issue]:
    for strategy in ctx.plan.strategies:
        if not strategy.serves:
            yield f"strategy:{strategy.id}", f"strategy '{strategy.id}' serves no objective"


@check(
    "strategy.no_pillar",
    "warning",
    title="Strategy no content carries",
    why="A strategy that no content pillar serves never reaches the calendar.",
    fix="Add a content pillar that serves this strategy.",
    examines=lambda ctx: ctx.plan.strategies,
)
def no_pillar(ctx: ReviewContext) -> Iterator[Issue]:
    carried = {s for p in ctx.plan.content.pillars for s in p.serves}
    for strategy in ctx.plan.strategies:
        if strategy.id not in carried:
            yield f"strategy:{strategy.id}", f"no content pillar serves strategy '{strategy.id}'"
