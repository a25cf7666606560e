"""Every check of the strategy review catches the gap it is named for, and stays quiet on a
complete plan."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest

from strata.strategy.plan.loader import validate_plan
from strata.strategy.review.registry import REGISTRY, run_review
from tests.plans import complete_plan_data

TODAY = dt.date(2026, 11, 24)

Mutation = Callable[[dict[str, Any]], None]


def channel(**fields: Any) -> dict[str, Any]:
    return {
        "id": "acme-two",
        "platform": "bluesky",
        "handle": "two.bsky.social",
        "purpose": "educating",
        "audiences": ["commuters"],
        "effort_hours_per_week": 4,
        "responsible": [{"person": "maria", "days": ["mon"]}],
        **fields,
    }


def review(mutate: Mutation) -> Any:
    data = complete_plan_data()
    mutate(data)
    return run_review(validate_plan(data, filename="t.yaml"), today=TODAY)


# code → (mutation that must trigger it, the ref the finding must name)
CASES: dict[str, tuple[Mutation, str]] = {
    "governance.no_ringleader": (lambda d: d["governance"].pop("ringleader"), "governance"),
    "governance.no_budget": (lambda d: d["governance"].pop("budget"), "governance"),
    "governance.no_stakeholders": (lambda d: d["governance"].pop("stakeholders"), "governance"),
    "governance.no_driver": (lambda d: d["governance"].pop("driver"), "governance"),
    "measurement.no_reports": (lambda d: d["measurement"]["reports"].pop(), "measurement"),
    "plan.no_goals": (lambda d: (d.pop("goals"), d["objectives"][0].pop("aligns_with")), "goals"),
    "plan.no_objectives": (lambda d: (d.pop("objectives"), d["strategies"][0].update(serves=[])), "objectives"),
    "goal.no_objective": (lambda d: d["goals"].append({"id": "lonely", "statement": "A goal nobody serves"}), "goal:lonely"),
    "objective.no_kpi": (lambda d: d["objectives"][0].pop("kpi"), "objective:eu-awareness"),
    "objective.no_target": (lambda d: d["objectives"][0]["kpi"].pop("target"), "objective:eu-awareness"),
    "objective.no_baseline": (lambda d: d["objectives"][0]["kpi"].pop("baseline"), "objective:eu-awareness"),
    "objective.no_deadline": (lambda d: d["objectives"][0]["kpi"].pop("deadline"), "objective:eu-awareness"),
    "objective.kpi_not_measured": (lambda d: d["objectives"][0]["kpi"].update(metric="net promoter score"), "objective:eu-awareness"),
    "objective.deadline_passed": (lambda d: d["objectives"][0]["kpi"].update(deadline=dt.date(2026, 1, 31)), "objective:eu-awareness"),
    "objective.no_owner": (lambda d: d["objectives"][0].pop("owner"), "objective:eu-awareness"),
    "objective.no_goal": (lambda d: d["objectives"][0].pop("aligns_with"), "objective:eu-awareness"),
    "objective.no_strategy": (lambda d: d["strategies"][0].update(serves=[]), "objective:eu-awareness"),
    "strategy.serves_nothing": (lambda d: d["strategies"][0].update(serves=[]), "strategy:permission-asset"),
    "strategy.no_pillar": (lambda d: d["content"]["pillars"][0].update(serves=[]), "strategy:permission-asset"),
    "plan.no_audiences": (
        lambda d: (d.pop("audiences"), d["channels"][0].update(audiences=[]), [q.pop("audience", None) for q in d["listening"]]),
        "audiences",
    ),
    "audience.no_presence": (
        lambda d: d["audiences"].append({"id": "dealers", "description": "Shops", "desired_action": "promote", "motivation": "m"}),
        "audience:dealers",
    ),
    "audience.no_desired_action": (lambda d: d["audiences"][0].pop("desired_action"), "audience:commuters"),
    "audience.no_motivation": (lambda d: d["audiences"][0].pop("motivation"), "audience:commuters"),
    "audience.unreached": (lambda d: d["channels"][0].update(audiences=[]), "audience:commuters"),
    "plan.no_channels": (lambda d: d.pop("channels"), "channels"),
    "channel.no_purpose": (lambda d: d["channels"][0].pop("purpose"), "channel:acme-bsky"),
    "channel.no_audience": (lambda d: d["channels"][0].update(audiences=[]), "channel:acme-bsky"),
    "channel.no_one_responsible": (lambda d: d["channels"][0].update(responsible=[]), "channel:acme-bsky"),
    "channel.platform_without_audience": (lambda d: d["channels"].append(channel(platform="pinterest", handle="acme")), "channel:acme-two"),
    "channel.effort_unknown": (lambda d: d["channels"][0].pop("effort_hours_per_week"), "channel:acme-bsky"),
    # 3,000 people for 4 hours (750 an hour) against 3,000 for 40 hours (75 an hour).
    "channel.not_worth_effort": (lambda d: d["channels"].append(channel(effort_hours_per_week=40)), "channel:acme-two"),
    "channel.duplicate_profile": (lambda d: d["channels"].append(channel(handle="@Acme.bsky.social")), "channel:acme-two"),
    "content.no_pillars": (lambda d: d["content"].pop("pillars"), "content"),
    "pillar.serves_no_strategy": (
        lambda d: d["content"]["pillars"].append({"id": "offers", "name": "Offers", "kind": "promotional"}),
        "pillar:offers",
    ),
    "content.mix_not_whole": (lambda d: d["content"]["mix"].update(social=0.7), "content.mix"),
    "content.mix_too_promotional": (lambda d: d["content"]["mix"].update(social=0.6, promotional=0.4), "content.mix"),
    "content.no_social_pillar": (lambda d: d["content"]["pillars"][0].update(kind="promotional"), "content"),
    "response_plan.missing": (lambda d: d.pop("response_plan"), "response_plan"),
    "response_plan.no_negative_rule": (lambda d: d["response_plan"][0]["when"].update(sentiment="positive"), "response_plan"),
    "rule.no_sla": (lambda d: d["response_plan"][0].pop("within"), "rule:negative-first"),
    "rule.no_assignee": (lambda d: d["response_plan"][0].pop("assign_to"), "rule:negative-first"),
    "channel.inbox_uncovered": (
        lambda d: d["channels"].append(channel(purpose="customer_service", responsible=[{"person": "amira", "days": ["mon", "tue"]}])),
        "channel:acme-two",
    ),
    "rule.offline_without_contact": (lambda d: (d["support"].pop("email"), d["response_plan"][0].pop("template")), "rule:negative-first"),
    "query.never_matches": (lambda d: d["listening"][0].update(query="NOT jobs -hiring"), "query:brand-mentions"),
    "query.loose_not": (lambda d: d["listening"][0].update(query="acme OR NOT jobs"), "query:brand-mentions"),
}


def test_the_complete_example_has_no_findings_and_full_health() -> None:
    result = review(lambda d: None)
    assert result.findings == []
    assert result.score == 100


@pytest.mark.parametrize("code", sorted(CASES))
def test_it_catches_the_gap(code: str) -> None:
    mutate, ref = CASES[code]
    result = review(mutate)
    matching = [f for f in result.findings if f.code == code]
    assert [f.ref for f in matching] == [ref], result.findings
    finding = matching[0]
    assert finding.severity == REGISTRY[code].severity
    assert finding.message
    assert finding.fix
    assert result.score < 100


def test_every_plan_check_has_a_case_here() -> None:
    plan_checks = {code for code, check in REGISTRY.items() if not check.needs_workspace}
    assert plan_checks == set(CASES)


def test_a_worse_plan_scores_lower() -> None:
    one_gap = review(lambda d: d["objectives"][0].pop("owner"))
    two_gaps = review(lambda d: (d["objectives"][0].pop("owner"), d.pop("response_plan")))
    nothing = run_review(validate_plan({"strata": 1, "workspace": {"name": "Empty"}}, filename="t"), today=TODAY)
    assert 100 > one_gap.score > two_gaps.score > nothing.score
    assert nothing.score == 0


def test_one_bad_channel_among_many_costs_less_than_one_among_few() -> None:
    def many(d: dict[str, Any]) -> None:
        d["channels"].extend(channel(id=f"c{i}", handle=f"c{i}.bsky.social") for i in range(19))
        d["channels"][5].pop("purpose")

    few = review(lambda d: d["channels"][0].pop("purpose"))
    assert review(many).score > few.score


def test_findings_come_worst_first_and_serialise_as_documented() -> None:
    result = review(lambda d: (d["governance"].pop("driver"), d["objectives"][0].pop("owner"), d["response_plan"][0].pop("assign_to")))
    assert [f.severity for f in result.findings] == ["error", "warning", "info"]
    data = json.loads(json.dumps(result.as_dict()))
    assert set(data) == {"findings", "score"}
    assert set(data["findings"][0]) == {"code", "severity", "ref", "message", "fix"}
