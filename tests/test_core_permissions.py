"""The role table and the one way into a workspace: what each role may do, and what a person is
told when the answer is no (404 outside the workspace, 403 with the reason inside it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import Client

from strata.accounts.models import User, Workspace
from strata.accounts.roles import PERMISSIONS, Role, role_may
from strata.accounts.scoping import Forbidden, workspace_access

# What the members page promises each role (roles.ROLE_HELP), written out permission by permission.
MAY: dict[str, set[str]] = {
    "owner": set(PERMISSIONS),
    "strategist": {
        "plan.view",
        "plan.edit",
        "members.view",
        "post.view",
        "post.write",
        "post.media",
        "post.approve",
        "post.schedule",
        "channel.connect",
        "heard.view",
        "heard.label",
        "inbox.view",
        "inbox.answer",
        "report.view",
        "analytics.import",
    },
    "editor": {
        "plan.view",
        "members.view",
        "post.view",
        "post.write",
        "post.media",
        "post.schedule",
        "heard.view",
        "inbox.view",
        "report.view",
    },
    "creative": {"plan.view", "members.view", "post.view", "post.media", "heard.view", "inbox.view", "report.view"},
    "responder": {"plan.view", "members.view", "post.view", "heard.view", "heard.label", "inbox.view", "inbox.answer", "report.view"},
    "analyst": {"plan.view", "members.view", "post.view", "heard.view", "inbox.view", "report.view", "analytics.import"},
}


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_each_role_holds_exactly_the_permissions_it_is_promised(role: str) -> None:
    assert {p for p in PERMISSIONS if role_may(role, p)} == MAY[role]


def test_a_role_that_does_not_exist_holds_nothing() -> None:
    with pytest.raises(ValueError, match="'visitor' is not a valid Role"):
        role_may("visitor", "plan.view")


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_member_gets_in_with_the_default_permission(personas: dict[str, User], acme: Workspace, role: str) -> None:
    access = workspace_access(personas[role], "acme")
    assert access.workspace == acme
    assert access.user == personas[role]
    assert access.membership.role == role
    assert {p for p in PERMISSIONS if access.may(p)} == MAY[role]


def test_a_member_without_the_permission_is_told_which_role_and_which_permission(personas: dict[str, User]) -> None:
    with pytest.raises(Forbidden) as refused:
        workspace_access(personas["analyst"], "acme", "plan.edit")
    assert str(refused.value) == "your role (analyst) may not do this (plan.edit)"
    assert (refused.value.role, refused.value.permission) == ("analyst", "plan.edit")
    access = workspace_access(personas["editor"], "acme", "post.schedule")
    access.require("post.write")
    with pytest.raises(Forbidden, match=r"your role \(editor\) may not do this \(post.approve\)"):
        access.require("post.approve")


@pytest.mark.parametrize("who", ["outsider", "anonymous", "nobody's workspace"])
def test_outside_the_workspace_it_does_not_exist(personas: dict[str, User], who: str) -> None:
    user: Any = AnonymousUser() if who == "anonymous" else personas["outsider"] if who == "outsider" else personas["owner"]
    slug = "no-such-workspace" if who == "nobody's workspace" else "acme"
    with pytest.raises(Http404, match=r"^no such workspace$"):
        workspace_access(user, slug)
    with pytest.raises(Http404, match=r"^no such workspace$"):
        workspace_access(user, slug, "workspace.manage")


def test_the_outsider_reaches_their_own_workspace_only(personas: dict[str, User]) -> None:
    assert workspace_access(personas["outsider"], "rival", "workspace.manage").workspace.slug == "rival"


def test_the_api_says_why_in_the_same_words(client_for: Callable[[str], Client], token_for: Callable[[str], str]) -> None:
    analyst = {"HTTP_AUTHORIZATION": f"Bearer {token_for('analyst')}"}
    outsider = {"HTTP_AUTHORIZATION": f"Bearer {token_for('outsider')}"}
    client = Client()
    assert client.get("/api/v1/workspaces/acme/review", **analyst).status_code == 200
    refused = client.put("/api/v1/workspaces/acme/plan", data=b"strata: 1", content_type="application/yaml", **analyst)
    assert (refused.status_code, refused.json()) == (403, {"detail": "your role (analyst) may not do this (plan.edit)"})
    hidden = client.get("/api/v1/workspaces/acme/review", **outsider)
    assert (hidden.status_code, hidden.json()) == (404, {"detail": "no such workspace"})
    missing = client.get("/api/v1/workspaces/nowhere/review", **analyst)
    assert (missing.status_code, missing.json()) == (404, {"detail": "no such workspace"})
