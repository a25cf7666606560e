"""Workspaces and members over the API."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from strata.accounts import actions
from strata.accounts.models import Invitation, Membership
from strata.accounts.schema import InvitationOut, InviteIn, InviteOut, MemberOut, RoleIn, WorkspaceIn, WorkspaceOut
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
    has an account, and they join when they accept it. 409 while an invitation to the address
    waits for an answer (resend or cancel that one); an expired one is renewed."""
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


def _invitation(i: Invitation) -> InvitationOut:
    return InvitationOut(id=i.pk, email=i.email, role=i.role, sent_at=i.created_at, expired=i.expired)


@router.get("/workspaces/{slug}/invitations", response=list[InvitationOut])
def list_invitations(request: HttpRequest, slug: str) -> list[InvitationOut]:
    """Invitations nobody has accepted yet, newest first (expired ones too, until resent or
    cancelled); for owners, who invite."""
    access = workspace_access(request.user, slug, "members.manage")  # type: ignore[arg-type]
    return [_invitation(i) for i in Invitation.objects.filter(workspace=access.workspace, accepted_at=None).order_by("-created_at")]


@router.post("/workspaces/{slug}/invitations/{invitation_id}/resend", response=InvitationOut)
def resend_invitation(request: HttpRequest, slug: str, invitation_id: int) -> InvitationOut:
    """E-mail the invitation again (owners only), with a new link valid for another 14 days; the earlier link stops working."""
    access = workspace_access(request.user, slug, "members.manage")  # type: ignore[arg-type]
    return _invitation(actions.resend_invitation(access=access, invitation_id=invitation_id))


@router.delete("/workspaces/{slug}/invitations/{invitation_id}", response={204: None})
def cancel_invitation(request: HttpRequest, slug: str, invitation_id: int) -> Status[None]:
    """Cancel an invitation nobody has accepted (owners only): its link stops working."""
    access = workspace_access(request.user, slug, "members.manage")  # type: ignore[arg-type]
    actions.cancel_invitation(access=access, invitation_id=invitation_id)
    return Status(204, None)
