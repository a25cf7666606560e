"""Recommendations to adapt the plan, each with its evidence and the plan change it implies.

One module per rule (advice_<rule>.py, described in docs/advice.md); this one runs them in the
order a strategist should read them: objectives first (what the plan is for), then where the
effort goes, the inbox, the mix, and who the plan reaches. A recommendation with `plan` set
can become a proposal (strategy/proposals.py) that a strategist accepts as a new revision."""

from __future__ import annotations

from strata.accounts.models import Workspace
from strata.analytics.alignment import Alignment
from strata.analytics.kpis.values import ObjectiveKpi
from strata.analytics.reports.advice_audiences import audience_elsewhere
from strata.analytics.reports.advice_base import Recommendation, counted
from strata.analytics.reports.advice_channels import channel_effort
from strata.analytics.reports.advice_mix import mix_drift
from strata.analytics.reports.advice_objectives import objective_off_track
from strata.analytics.reports.advice_pillars import pillar_idle
from strata.analytics.reports.advice_sla import sla
from strata.analytics.reports.period import Period
from strata.strategy.plan.schema import PlanDocument

__all__ = ["Recommendation", "recommend"]


def recommend(
    workspace: Workspace, plan: PlanDocument, period: Period, *, kpis: list[ObjectiveKpi], alignment: Alignment
) -> list[Recommendation]:
    """The advice for `period`, most important first. Each key appears once. Only the part of
    the period that is over is weighed (see advice_base.counted)."""
    period = counted(workspace, period)
    found = [
        *objective_off_track(plan, kpis),
        *channel_effort(workspace, plan, period),
        *sla(workspace, plan, period),
        *mix_drift(plan, alignment),
        *pillar_idle(workspace, plan, period),
        *audience_elsewhere(workspace, plan, period),
    ]
    return found
