"""A post must serve an objective, directly or through its pillar: a pillar counts only when it
serves a strategy that serves an objective. Otherwise it is a tactic without strategy, refused
at approval unless the workspace allows such posts, and named by the review."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from strata.accounts.actions import ActionError
from strata.accounts.models import Workspace
from strata.publishing import actions
from strata.publishing.actions import PostInput, VariantInput
from strata.publishing.models import Post
from strata.strategy.actions import put_element
from strata.strategy.elements import KINDS
from strata.strategy.review.registry import run_review
from strata.strategy.store import current_plan

NO_OBJECTIVE = "This post serves no objective yet"


@pytest.fixture
def paid_pillar(acme: Workspace) -> str:
    """A pillar that serves a strategy, but a strategy that serves no objective (the demo plan's
    influencer-burst): it looks tied to the plan and is not."""
    put_element(
        workspace=acme,
        author=None,
        kind=KINDS["pillars"],
        element_id=None,
        element={"id": "paid-rides", "name": "Paid influencer rides", "kind": "social", "serves": ["influencer-burst"]},
    )
    return "paid-rides"


def post_on(workspace: Workspace, pillar: str) -> Post:
    return actions.create_post(
        workspace=workspace,
        actor=None,
        data=PostInput(variants=[VariantInput("acme-bsky", f"A post for the {pillar} pillar")], objective_id="", pillar_id=pillar),
    )


def allow_posts_without_objective(workspace: Workspace) -> None:
    settings = actions.settings_for(workspace)
    settings.allow_posts_without_objective = True
    settings.save()


@pytest.mark.parametrize("pillar", ["new-models", "paid-rides"])
def test_a_pillar_that_serves_no_objective_does_not_make_a_post_approvable(acme: Workspace, paid_pillar: str, pillar: str) -> None:
    # new-models serves no strategy at all; paid-rides serves one that serves no objective.
    post = post_on(acme, pillar)
    with pytest.raises(ActionError, match="serves no objective"):
        actions.approve(post=post, actor=None)
    assert Post.objects.get(pk=post.pk).state == "draft"

    allow_posts_without_objective(acme)
    assert actions.approve(post=post, actor=None).state == "approved"
    findings = {(f.code, f.ref) for f in run_review(current_plan(acme).plan, workspace_id=acme.pk).findings}
    assert ("post.no_objective", f"post:{post.pk}") in findings


def test_a_pillar_whose_strategy_serves_an_objective_ties_the_post_to_it(acme: Workspace) -> None:
    post = actions.approve(post=post_on(acme, "repair-tips"), actor=None)
    assert post.state == "approved"
    findings = {(f.code, f.ref) for f in run_review(current_plan(acme).plan, workspace_id=acme.pk).findings}
    assert ("post.no_objective", f"post:{post.pk}") not in findings


@pytest.mark.parametrize(("pillar", "warned"), [("new-models", True), ("paid-rides", True), ("routes", False)])
def test_the_compose_preview_says_when_a_pillar_serves_no_objective(
    pillar: str, warned: bool, paid_pillar: str, personas: Any, client_for: Callable[[str], Client]
) -> None:
    form = {"objective": "", "pillar": pillar, "text.acme-bsky": "Which pillar is this?"}
    page = html.unescape(client_for("editor").post("/w/acme/posts/new/", form, headers={"HX-Request": "true"}).content.decode())
    assert "Preview" in page
    assert (NO_OBJECTIVE in page) is warned


def test_approving_over_http_refuses_a_post_whose_pillar_serves_no_objective(
    acme: Workspace, paid_pillar: str, personas: Any, client_for: Callable[[str], Client]
) -> None:
    post = post_on(acme, "paid-rides")
    page = html.unescape(client_for("strategist").post(f"/w/acme/posts/{post.pk}/approve/", follow=True).content.decode())
    assert "this post serves no objective" in page
    assert Post.objects.get(pk=post.pk).state == "draft"
