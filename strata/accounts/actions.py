"""Every write to users, workspaces, members and tokens. Views, API and CLI call these."""

from __future__ import annotations

import re
import zoneinfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from strata.accounts.models import ApiToken, Invitation, Membership, User, Workspace
from strata.accounts.roles import Role
from strata.accounts.scoping import Access


class ActionError(Exception):
    """A business rule said no. `field` names the form field to show it beside, when there is one."""

    status = 422

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Conflict(ActionError):
    status = 409


SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


def create_workspace(*, user: User, name: str, slug: str = "", timezone_name: str = "UTC") -> Workspace:
    name = name.strip()
    if not name:
        raise ActionError("give the workspace a name", field="name")
    slug = slug.strip() or slugify(name)[:60]
    if not SLUG_RE.match(slug):
        raise ActionError("use 2–63 lower-case letters, digits and '-'", field="slug")
    if timezone_name not in zoneinfo.available_timezones():
        raise ActionError(f"'{timezone_name}' is not a time zone (use a name like Europe/Berlin)", field="timezone")
    try:
        with transaction.atomic():
            workspace = Workspace.objects.create(name=name, slug=slug, timezone=timezone_name)
            Membership.objects.create(user=user, workspace=workspace, role=Role.OWNER)
    except IntegrityError:
        raise Conflict(f"the address '{slug}' is taken; choose another", field="slug") from None
    return workspace


def invite_member(*, access: Access, email: str, role: str) -> Membership | Invitation:
    """Add an existing user at once; anyone else gets an invitation by e-mail."""
    access.require("members.manage")
    email = email.strip().lower()
    if role not in Role.values:
        raise ActionError(f"'{role}' is not a role (one of {', '.join(Role.values)})", field="role")
    if "@" not in email:
        raise ActionError("enter an e-mail address", field="email")
    user = User.objects.filter(email=email).first()
    if user is not None:
        membership, created = Membership.objects.get_or_create(user=user, workspace=access.workspace, defaults={"role": role})
        if not created:
            raise Conflict(f"{email} is already a member ({membership.role})", field="email")
        return membership
    _, token_hash = Invitation.new_token()  # replaced by the one e-mailed; see send_invitation
    invitation = Invitation.objects.create(
        workspace=access.workspace, email=email, role=role, token_hash=token_hash, invited_by=access.user
    )
    from strata.accounts.tasks import send_invitation

    invitation_id = invitation.pk
    transaction.on_commit(lambda: send_invitation.enqueue(invitation_id))
    return invitation


def issue_invitation_link(*, invitation: Invitation, site_url: str) -> str:
    """A fresh link for an invitation. Only its hash is kept, so each sending makes a new one."""
    token, token_hash = Invitation.new_token()
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=token_hash)
    return f"{site_url.rstrip('/')}/invitations/{token}/"


def accept_invitation(*, token: str, user: User | None, name: str = "", password: str = "") -> Membership:
    """Join the workspace. A signed-in user joins as themselves; otherwise an account is made
    for the invited address with the given password."""
    with transaction.atomic():
        invitation = Invitation.find(token)
        if invitation is None:
            raise ActionError("this invitation is not valid any more; ask for a new one")
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise Conflict("this invitation has been used already")
        if user is None:
            if User.objects.filter(email=invitation.email).exists():
                raise Conflict("an account exists for this address: sign in first, then open the link again")
            user = User.objects.create_user(invitation.email, password, name=name.strip())
        membership, _ = Membership.objects.get_or_create(user=user, workspace=invitation.workspace, defaults={"role": invitation.role})
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    return membership


def _owners_left(workspace: Workspace, *, without: Membership) -> int:
    return Membership.objects.filter(workspace=workspace, role=Role.OWNER).exclude(pk=without.pk).count()


def change_role(*, access: Access, membership_id: int, role: str) -> Membership:
    access.require("members.manage")
    if role not in Role.values:
        raise ActionError(f"'{role}' is not a role (one of {', '.join(Role.values)})", field="role")
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(pk=membership_id, workspace=access.workspace).first()
        if membership is None:
            raise ActionError("no such member")
        if membership.role == Role.OWNER and role != Role.OWNER and _owners_left(access.workspace, without=membership) == 0:
            raise Conflict("a workspace needs at least one owner; make someone else owner first")
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def remove_member(*, access: Access, membership_id: int) -> None:
    access.require("members.manage")
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(pk=membership_id, workspace=access.workspace).first()
        if membership is None:
            raise ActionError("no such member")
        if membership.role == Role.OWNER and _owners_left(access.workspace, without=membership) == 0:
            raise Conflict("a workspace needs at least one owner; make someone else owner first")
        membership.delete()


def issue_api_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    name = name.strip()
    if not name:
        raise ActionError("name the token after what uses it (e.g. 'CI plan sync')", field="name")
    return ApiToken.issue(user=user, name=name[:100])


def revoke_api_token(*, user: User, token_id: int) -> None:
    deleted, _ = ApiToken.objects.filter(pk=token_id, user=user).delete()
    if not deleted:
        raise ActionError("no such token")
