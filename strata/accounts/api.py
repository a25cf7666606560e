"""Workspaces and members over the API."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from strata.accounts import actions
from strata.accounts.models import Membership
from strata.accounts.schema import InviteIn, InviteOut, MemberOut, RoleIn, WorkspaceIn, WorkspaceOut
from strata.accounts.scoping import workspace_access

router = Router(tags=["workspaces"])


@router.get("/workspaces", response=list[WorkspaceOut])
def list_workspaces(request: HttpRequest) -> list[WorkspaceOut]:
    """The workspaces you belong to, with your role in each."""
    memberships = Membership.objects.filter(user=request.user).select_related("workspace").order_by("workspace__slug")  # type: ignore[misc]
    return [WorkspaceOut(slug=m.workspace.slug, name=m.workspace.name, timezone=m.workspace.timezone, role=m.role) for m in memberships]


@router.post("/workspaces", response={201: WorkspaceOut})
def create_workspace(request: HttpRequest, payload: WorkspaceIn) -> Status[WorkspaceOut]:
    """Make a workspace (one brand or client); you become its owner."""
    workspace = actions.create_workspace(user=request.user, name=payload.name, slug=payload.slug, timezone_name=payload.timezone)  # type: ignore[arg-type]
    return Status(201, WorkspaceOut(slug=workspace.slug, name=workspace.name, timezone=workspace.timezone, role="owner"))


@router.get("/workspaces/{slug}/members", response=list[MemberOut])
def list_members(request: HttpRequest, slug: str) -> list[MemberOut]:
    """Everyone who can sign in to the workspace, with their role."""
    access = workspace_access(request.user, slug, "members.view")  # type: ignore[arg-type]
    return [
        MemberOut(id=m.pk, email=m.user.email, name=m.user.name, role=m.role)
        for m in access.workspace.memberships.select_related("user").order_by("user__email")
    ]


@router.post("/workspaces/{slug}/members", response={201: InviteOut})
def invite_member(request: HttpRequest, slug: str, payload: InviteIn) -> Status[InviteOut]:
    """Invite someone (owners only): an invitation is e-mailed to the address, whether or not it
    has an account, and they join when they accept it. Inviting again renews a pending invitation."""
    access = workspace_access(request.user, slug, "members.manage")  # type: ignore[arg-type]
    invitation = actions.invite_member(access=access, email=payload.email, role=payload.role)
    return Status(201, InviteOut(status="invited", email=invitation.email, role=invitation.role))


@router.patch("/workspaces/{slug}/members/{member_id}", response=MemberOut)
def change_role(request: HttpRequest, slug: str, member_id: int, payload: RoleIn) -> MemberOut:
    """Change a member's role (owners only). The last owner cannot step down."""
    access = workspace_access(request.user, slug, "members.manage")  # type: ignore[arg-type]
    m = actions.change_role(access=access, membership_id=member_id, role=payload.role)
    return MemberOut(id=m.pk, email=m.user.email, name=m.user.name, role=m.role)


@router.delete("/workspaces/{slug}/members/{member_id}", response={204: None})
def remove_member(request: HttpRequest, slug: str, member_id: int) -> Status[None]:
    """Remove a member (owners only)."""
    access = workspace_access(request.user, slug, "members.manage")  # type: ignore[arg-type]
    actions.remove_member(access=access, membership_id=member_id)
    return Status(204, None)
