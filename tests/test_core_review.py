"""How the review turns findings into the health score and the list a person reads: points per
severity, in proportion to the share of elements that fail, worst first, each with its fix."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from strata.accounts.models import Workspace
from strata.publishing import actions
from strata.publishing.actions import PostInput, VariantInput
from strata.publishing.models import Post
from strata.strategy.actions import import_plan
from strata.strategy.models import PlanRevision
from strata.strategy.plan.loader import validate_plan
from strata.strategy.review import registry
from strata.strategy.review.registry import Issue, ReviewContext, check, run_review
from strata.strategy.store import current_plan
from tests.conftest import DEMO_PLAN
from tests.plans import complete_plan_data

TODAY = dt.date(2026, 11, 24)


def review(mutate: Any, **kwargs: Any) -> registry.Review:
    data = complete_plan_data()
    mutate(data)
    return run_review(validate_plan(data, filename="t.yaml"), today=TODAY, **kwargs)


def more_channels(data: dict[str, Any], count: int) -> None:
    first = data["channels"][0]
    data["channels"].extend({**first, "id": f"c{i}", "handle": f"c{i}.bsky.social"} for i in range(count))


def test_an_error_on_the_only_channel_costs_twelve_points() -> None:
    result = review(lambda d: d["channels"][0].pop("purpose"))
    assert [(f.code, f.ref) for f in result.findings] == [("channel.no_purpose", "channel:acme-bsky")]
    assert result.score == 88


def test_a_warning_costs_four_points_and_a_note_one() -> None:
    assert review(lambda d: d["audiences"][0].pop("desired_action")).score == 96
    assert review(lambda d: d["response_plan"][0].pop("assign_to")).score == 99


def test_the_cost_is_shared_out_over_the_elements_the_check_examines() -> None:
    # one of twenty channels without a purpose: 12 × 1/20 = 0.6 points, rounded
    def one_of_twenty(d: dict[str, Any]) -> None:
        more_channels(d, 19)
        d["channels"][5].pop("purpose")

    def one_of_forty(d: dict[str, Any]) -> None:
        more_channels(d, 39)
        d["channels"][5].pop("purpose")

    def half_of_four(d: dict[str, Any]) -> None:
        more_channels(d, 3)
        d["channels"][1].pop("purpose")
        d["channels"][2].pop("purpose")

    assert review(one_of_twenty).score == 99
    assert review(one_of_forty).score == 100  # still listed, too small to show in the score
    assert [f.ref for f in review(one_of_forty).findings] == ["channel:c4"]
    assert review(half_of_four).score == 94


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> dict[str, registry.Check]:
    """A registry of the test's own checks, for the arithmetic the real ones cannot reach."""
    own: dict[str, registry.Check] = {}
    monkeypatch.setattr(registry, "REGISTRY", own)
    return own


def empty_plan() -> Any:
    return validate_plan({"strata": 1, "workspace": {"name": "Empty"}}, filename="t.yaml")


def test_a_whole_plan_check_costs_its_points_once_however_much_it_finds(checks: dict[str, registry.Check]) -> None:
    @check("test.many", "error", title="t", why="w", fix="the usual fix")
    def many(ctx: ReviewContext) -> Iterator[Issue]:
        yield "goals", "one"
        yield "objectives", "two"
        yield "goals", "three", "a fix for this one"

    result = run_review(empty_plan(), today=TODAY)
    assert result.score == 88
    assert [(f.ref, f.message, f.fix) for f in result.findings] == [
        ("goals", "one", "the usual fix"),
        ("objectives", "two", "the usual fix"),
        ("goals", "three", "a fix for this one"),
    ]
    assert result.errors == 3
    assert result.warnings == 0
    assert [f.message for f in result.for_ref("goals")] == ["one", "three"]
    assert result.as_dict() == {
        "findings": [
            {"code": "test.many", "severity": "error", "ref": "goals", "message": "one", "fix": "the usual fix"},
            {"code": "test.many", "severity": "error", "ref": "objectives", "message": "two", "fix": "the usual fix"},
            {"code": "test.many", "severity": "error", "ref": "goals", "message": "three", "fix": "a fix for this one"},
        ],
        "score": 88,
    }


def test_findings_on_one_element_count_it_once(checks: dict[str, registry.Check]) -> None:
    @check("test.per_goal", "warning", title="t", why="w", fix="f", examines=lambda ctx: 4)
    def per_goal(ctx: ReviewContext) -> Iterator[Issue]:
        yield "goal:a", "first"
        yield "goal:a", "second"
        yield "goal:b", "third"

    # two of four examined elements fail: 4 × 2/4
    assert run_review(empty_plan(), today=TODAY).score == 98


def test_a_check_that_examines_nothing_still_costs_its_points(checks: dict[str, registry.Check]) -> None:
    @check("test.empty", "warning", title="t", why="w", fix="f", examines=lambda ctx: [])
    def empty(ctx: ReviewContext) -> Iterator[Issue]:
        yield "content", "found anyway"

    assert run_review(empty_plan(), today=TODAY).score == 96


def test_the_score_never_goes_below_zero_and_the_worst_come_first(checks: dict[str, registry.Check]) -> None:
    for severity, count in (("info", 2), ("warning", 2), ("error", 8)):  # 2 + 8 + 96 points
        for n in range(count):

            @check(f"test.{severity}.{n}", severity, title="t", why="w", fix="f")  # type: ignore[arg-type]
            def found(ctx: ReviewContext, n: int = n) -> Iterator[Issue]:
                yield "plan", f"finding {n}"

    result = run_review(empty_plan(), today=TODAY)
    assert result.score == 0
    assert [f.severity for f in result.findings] == ["error"] * 8 + ["warning"] * 2 + ["info"] * 2
    assert [f.code for f in result.findings][:3] == ["test.error.0", "test.error.1", "test.error.2"]
    assert (result.errors, result.warnings) == (8, 2)


def test_checks_that_read_stored_data_run_only_for_a_workspace(checks: dict[str, registry.Check]) -> None:
    seen: list[int | None] = []

    @check("test.stored", "info", title="t", why="w", fix="f", needs_workspace=True)
    def stored(ctx: ReviewContext) -> Iterator[Issue]:
        seen.append(ctx.workspace_id)
        yield "calendar", "found"

    assert run_review(empty_plan(), today=TODAY).findings == []
    assert [f.code for f in run_review(empty_plan(), today=TODAY, workspace_id=7).findings] == ["test.stored"]
    assert seen == [7]


def test_two_checks_cannot_share_a_code(checks: dict[str, registry.Check]) -> None:
    def first(ctx: ReviewContext) -> Iterator[Issue]:
        yield from ()

    def second(ctx: ReviewContext) -> Iterator[Issue]:
        yield from ()

    register = check("test.same", "info", title="t", why="w", fix="f")
    assert register(first) is first
    assert register(first) is first  # the same function again (a module imported twice) is fine
    with pytest.raises(ValueError, match=r"two strategy checks share the code 'test\.same'"):
        register(second)
    assert checks["test.same"].run is first
    assert (checks["test.same"].title, checks["test.same"].why, checks["test.same"].fix) == ("t", "w", "f")


def test_without_a_date_the_review_judges_deadlines_against_today() -> None:
    today = dt.datetime.now(dt.UTC).date()
    data = complete_plan_data()
    data["objectives"][0]["kpi"]["deadline"] = today - dt.timedelta(days=2)
    passed = run_review(validate_plan(data, filename="t.yaml"))
    assert [f.code for f in passed.findings] == ["objective.deadline_passed"]
    data["objectives"][0]["kpi"]["deadline"] = today + dt.timedelta(days=2)
    assert run_review(validate_plan(data, filename="t.yaml")).findings == []


def test_the_people_of_the_plan_are_known_by_id() -> None:
    data = complete_plan_data()
    ctx = ReviewContext(plan=validate_plan(data, filename="t.yaml"), today=TODAY)
    assert ctx.people == {p["id"] for p in data["people"]}


def test_a_check_that_needs_stored_data_does_not_stop_the_checks_after_it(checks: dict[str, registry.Check]) -> None:
    @check("test.stored_first", "info", title="t", why="w", fix="f", needs_workspace=True)
    def stored_first(ctx: ReviewContext) -> Iterator[Issue]:
        yield "calendar", "found"

    @check("test.plan_after", "warning", title="t", why="w", fix="f")
    def plan_after(ctx: ReviewContext) -> Iterator[Issue]:
        yield "goals", "found"

    assert [f.code for f in run_review(empty_plan(), today=TODAY).findings] == ["test.plan_after"]


def test_a_channel_whose_audiences_are_elsewhere_is_told_so() -> None:
    def elsewhere(d: dict[str, Any]) -> None:
        d["audiences"].append(
            {"id": "families", "description": "d", "desired_action": "share", "motivation": "m", "presence": {"instagram": 500}}
        )
        d["channels"][0]["audiences"] = ["families"]
        d["channels"].append({**d["channels"][0], "id": "acme-two", "handle": "two.bsky.social", "audiences": ["commuters", "families"]})

    result = review(elsewhere)
    assert [(f.code, f.ref, f.message) for f in result.findings if f.code == "channel.effort_unknown"] == [
        (
            "channel.effort_unknown",
            "channel:acme-bsky",
            "none of the audiences channel 'acme-bsky' serves (families) has a known presence on bluesky",
        )
    ]


def test_the_calendar_review_reads_only_this_workspaces_live_posts(acme: Workspace) -> None:
    text = "Our new commuter routes for Berlin are live with maps and cafés along the way"
    other, _ = import_plan(
        data=DEMO_PLAN.read_bytes(), filename="demo.yaml", workspace=None, slug="acme-two", author=None, source=PlanRevision.Source.IMPORT
    )
    for workspace in (other, acme):
        post = actions.create_post(
            workspace=workspace,
            actor=None,
            data=PostInput(
                variants=[VariantInput("acme-bsky", text), VariantInput("acme-mastodon", text + "!")], objective_id="eu-awareness"
            ),
        )
    # acme's copy is still a draft: nothing to review yet; the other workspace's is not acme's business
    actions.approve(post=Post.objects.get(workspace=other), actor=None)
    assert [f for f in run_review(current_plan(acme).plan, workspace_id=acme.pk).findings if f.code == "calendar.same_text"] == []
    actions.approve(post=post, actor=None)
    found = [(f.code, f.ref) for f in run_review(current_plan(acme).plan, workspace_id=acme.pk).findings if f.code == "calendar.same_text"]
    assert found == [("calendar.same_text", f"post:{post.pk}")]
