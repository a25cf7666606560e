"""Every write to users, workspaces, members and tokens. Views, API and CLI call these."""

from __future__ import annotations

import re
import zoneinfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
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


class NotFound(ActionError):
    """Nothing with that id in the asker's workspace: the same answer whether it exists elsewhere or nowhere."""

    status = 404


SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
SLUG_SUFFIX_CHARS = "abcdefghijkmnpqrstuvwxyz23456789"
# The columns' lengths, checked here so that the API, the CLI and the forms refuse the same way
# (PostgreSQL would refuse a longer value with an error; SQLite would store it).
MAX_NAME = 200  # Workspace.name, User.name
MAX_EMAIL = 254  # User.email, Invitation.email


def require_length(value: str, *, limit: int, field: str, label: str) -> None:
    if len(value) > limit:
        raise ActionError(f"the {label} is {len(value):,} characters long; at most {limit:,}", field=field)


def create_workspace(*, user: User, name: str, slug: str = "", timezone_name: str = "UTC") -> Workspace:
    name = name.strip()
    if not name:
        raise ActionError("give the workspace a name", field="name")
    require_length(name, limit=MAX_NAME, field="name", label="name")
    slug = slug.strip() or slugify(name)[:60]
    if not SLUG_RE.match(slug):
        raise ActionError("use 2–63 lower-case letters, digits and '-'", field="slug")
    if timezone_name not in zoneinfo.available_timezones():
        raise ActionError(f"'{timezone_name}' is not a time zone (use a name like Europe/Berlin)", field="timezone")
    # A taken address gets a random suffix instead of an error: an error would tell anyone who
    # asks which workspaces exist. Random, not -2, -3, so the suffix does not count them either.
    candidates = [slug] + [f"{slug[:58]}-{get_random_string(4, SLUG_SUFFIX_CHARS)}" for _ in range(5)]
    for candidate in candidates:
        try:
            with transaction.atomic():
                workspace = Workspace.objects.create(name=name, slug=candidate, timezone=timezone_name)
                Membership.objects.create(user=user, workspace=workspace, role=Role.OWNER)
        except IntegrityError:  # taken meanwhile, or before: try the next one
            continue
        return workspace
    raise Conflict("no free address was found for this workspace; choose another", field="slug")


def invite_member(*, access: Access, email: str, role: str) -> Invitation:
    """E-mail an invitation; the person joins when they accept it.

    Whether or not an account exists for the address, the same happens and the same is
    answered, so that inviting cannot be used to find out who has an account, and nobody
    becomes a member of a workspace without having said yes. Inviting again renews a pending
    invitation (new role, new link, another 14 days)."""
    access.require("members.manage")
    email = email.strip().lower()
    require_length(email, limit=MAX_EMAIL, field="email", label="e-mail address")
    if role not in Role.values:
        raise ActionError(f"'{role}' is not a role (one of {', '.join(Role.values)})", field="role")
    if "@" not in email:
        raise ActionError("enter an e-mail address", field="email")
    member = Membership.objects.filter(user__email=email, workspace=access.workspace).first()
    if member is not None:  # the owner sees the members anyway: this tells them nothing new
        raise Conflict(f"{email} is already a member ({member.role})", field="email")
    _, token_hash = Invitation.new_token()  # replaced by the one e-mailed; see send_invitation
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(workspace=access.workspace, email=email, accepted_at=None).first()
        if invitation is None:
            invitation = Invitation(workspace=access.workspace, email=email)
        invitation.role, invitation.token_hash, invitation.invited_by = role, token_hash, access.user
        invitation.created_at = timezone.now()
        invitation.save()
    from strata.accounts.tasks import send_invitation

    invitation_id = invitation.pk
    transaction.on_commit(lambda: send_invitation.enqueue(invitation_id))
    return invitation


def issue_invitation_link(*, invitation: Invitation, site_url: str) -> str:
    """A fresh link for an invitation. Only its hash is kept, so each sending makes a new one."""
    token, token_hash = Invitation.new_token()
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=token_hash)
    return f"{site_url.rstrip('/')}/invitations/{token}/"


def wrong_account(invitation: Invitation, user: User) -> str | None:
    """Why `user` may not accept `invitation`, or None when they may."""
    if user.email.lower() == invitation.email.lower():
        return None
    return (
        f"this invitation is for {invitation.email}, and you are signed in as {user.email}: sign out, then open "
        f"the link again to sign in as {invitation.email} or to sign up with that address"
    )


def accept_invitation(*, token: str, user: User | None, name: str = "", password: str = "") -> Membership:
    """Join the workspace. An invitation is for the address it was sent to: a signed-in user
    joins only when that is their address; otherwise an account is made for the invited
    address with the given password (the link reached that inbox, which proves the address)."""
    with transaction.atomic():
        invitation = Invitation.find(token)
        if invitation is None:
            raise ActionError("this invitation is not valid any more; ask for a new one")
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise Conflict("this invitation has been used already")
        if user is None:
            if User.objects.filter(email=invitation.email).exists():
                raise Conflict(f"an account exists for {invitation.email}: sign in with it, then open the link again")
            user = User.objects.create_user(invitation.email, password, name=name.strip())
        return _join(invitation, user)


def answer_invitation(*, user: User, invitation_id: int, accept: bool) -> Membership | None:
    """Accept or decline, from the start page, an invitation sent to the user's own address."""
    with transaction.atomic():
        invitation = Invitation.pending().select_for_update(of=("self",)).filter(pk=invitation_id, email=user.email.lower()).first()
        if invitation is None:  # someone else's looks the same as none at all
            raise ActionError("this invitation is not valid any more; ask for a new one")
        if not accept:
            invitation.delete()
            return None
        return _join(invitation, user)


def _join(invitation: Invitation, user: User) -> Membership:
    problem = wrong_account(invitation, user)
    if problem is not None:
        raise ActionError(problem)
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
            raise NotFound("no such member")
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
            raise NotFound("no such member")
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
