"""Roles and what each may do. The single table every page, endpoint and command consults."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    STRATEGIST = "strategist", "Strategist"
    EDITOR = "editor", "Editor"
    CREATIVE = "creative", "Creative"
    RESPONDER = "responder", "Responder"
    ANALYST = "analyst", "Analyst"


ROLE_HELP = {
    Role.OWNER: "everything, including members and the workspace itself",
    Role.STRATEGIST: "sets goals, objectives, strategies, audiences, channels, pillars and the response plan",
    Role.EDITOR: "writes and schedules posts",
    Role.CREATIVE: "adds media to posts",
    Role.RESPONDER: "answers the inbox",
    Role.ANALYST: "reads the plan, the review and the reports; imports web-analytics and support numbers",
}

ALL = frozenset(Role)

# Permission name → roles that hold it. Read access to the plan is for every member: the plan
# is what everybody's work is measured against.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "plan.view": ALL,
    "plan.edit": frozenset({Role.OWNER, Role.STRATEGIST}),
    "members.view": ALL,
    "members.manage": frozenset({Role.OWNER}),
    "workspace.manage": frozenset({Role.OWNER}),
    "post.view": ALL,
    "post.write": frozenset({Role.OWNER, Role.STRATEGIST, Role.EDITOR}),
    "post.media": frozenset({Role.OWNER, Role.STRATEGIST, Role.EDITOR, Role.CREATIVE}),
    "post.approve": frozenset({Role.OWNER, Role.STRATEGIST}),
    "post.schedule": frozenset({Role.OWNER, Role.STRATEGIST, Role.EDITOR}),
    "channel.connect": frozenset({Role.OWNER, Role.STRATEGIST}),
    # What came in: everyone reads it; those who answer, and those who plan, correct its labels.
    "heard.view": ALL,
    "heard.label": frozenset({Role.OWNER, Role.STRATEGIST, Role.RESPONDER}),
    # The inbox: everyone reads it; responders and those above them answer, assign and note.
    "inbox.view": ALL,
    "inbox.answer": frozenset({Role.OWNER, Role.STRATEGIST, Role.RESPONDER}),
    # What it achieved: everyone reads the KPIs and reports; analysts and those who plan import
    # the numbers Strata cannot see and send reports. Accepting advice is a plan change (plan.edit).
    "report.view": ALL,
    "analytics.import": frozenset({Role.OWNER, Role.STRATEGIST, Role.ANALYST}),
}


def role_may(role: str, permission: str) -> bool:
    return Role(role) in PERMISSIONS[permission]
