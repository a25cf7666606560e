"""Who owns social media, with what money, for whom, and who reads the reports."""

from __future__ import annotations

from collections.abc import Iterator

from strata.strategy.review.registry import Issue, ReviewContext, check


@check(
    "governance.no_ringleader",
    "error",
    title="No ringleader",
    why="Without one owner of voice and message, every team speaks for the brand in its own way.",
    fix="Name a ringleader under governance (a person id from people).",
    form_fix="Choose a ringleader under Governance (one of the plan’s people).",
)
def no_ringleader(ctx: ReviewContext) -> Iterator[Issue]:
    if not ctx.plan.governance.ringleader:
        yield "governance", "nobody owns the voice and the message"


@check(
    "governance.no_budget",
    "error",
    title="No budget",
    why="A plan without a budget is a side project, not a strategy: it will lose every fight for time.",
    fix="Set governance.budget: amount, currency and period.",
    form_fix="Fill in the budget under Governance: amount, currency and period.",
)
def no_budget(ctx: ReviewContext) -> Iterator[Issue]:
    budget = ctx.plan.governance.budget
    if budget is None or budget.amount == 0:
        yield "governance", "the plan has no budget"


@check(
    "governance.no_stakeholders",
    "warning",
    title="No stakeholders",
    why="Sales, service, HR and leaders feed social media and depend on it; left out, they work around it.",
    fix="List the stakeholders under governance with the role each plays.",
    form_fix="Add stakeholders (Governance › Stakeholders) with the role each plays.",
)
def no_stakeholders(ctx: ReviewContext) -> Iterator[Issue]:
    if not ctx.plan.governance.stakeholders:
        yield "governance", "no stakeholders are named"


@check(
    "governance.no_driver",
    "warning",
    title="Nobody said who drives social",
    why="Whether the brand or the products drive social decides which accounts exist and who posts.",
    fix="Set governance.driver to brand or product.",
    form_fix="Choose under Governance who drives social media: the brand or the products.",
)
def no_driver(ctx: ReviewContext) -> Iterator[Issue]:
    if ctx.plan.governance.driver is None:
        yield "governance", "the plan does not say whether the brand or the products drive social media"


@check(
    "measurement.no_reports",
    "warning",
    title="No reporting cadence",
    why="A plan nobody reports on is never adapted; a monthly report to the team and a six-month report to leaders keep it alive.",
    fix="Add measurement.reports: a monthly and a six_month report, each with recipients.",
    form_fix="Under Reporting, tick the monthly and the six-month report, each with its recipients.",
)
def no_reports(ctx: ReviewContext) -> Iterator[Issue]:
    kinds = {r.kind for r in ctx.plan.measurement.reports if r.to}
    missing = [k for k in ("monthly", "six_month") if k not in kinds]
    if missing:
        yield "measurement", f"no {' and no '.join(k.replace('_', '-') for k in missing)} report with recipients"
