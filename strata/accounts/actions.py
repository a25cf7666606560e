"""Every write to users, workspaces, members and tokens. Views, API and CLI call these."""

from __future__ import annotations

import re
import zoneinfo

from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
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


class AlreadyInvited(Conflict):
    """The address has an invitation waiting for an answer: `invitation` is it, to resend."""

    def __init__(self, invitation: Invitation) -> None:
        local = invitation.created_at.astimezone(invitation.workspace.tzinfo)
        sent = f"{local.day} {local:%B %Y}"
        super().__init__(
            f"{invitation.email} was invited on {sent} as {invitation.get_role_display().lower()} and has not answered yet: "
            "resend that invitation, or cancel it to invite with another role",
            field="email",
        )
        self.invitation = invitation


def invite_member(*, access: Access, email: str, role: str) -> Invitation:
    """E-mail an invitation; the person joins when they accept it.

    Whether or not an account exists for the address, the same happens and the same is
    answered, so that inviting cannot be used to find out who has an account, and nobody
    becomes a member of a workspace without having said yes. An address has one invitation
    at most: while it waits for an answer, inviting again is refused with AlreadyInvited (the
    page offers to resend it); an expired one is renewed (new role, new link, another 14 days)."""
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
    try:
        with transaction.atomic():
            invitation = (
                Invitation.objects.select_for_update(of=("self",))
                .select_related("workspace")
                .filter(workspace=access.workspace, email=email, accepted_at=None)
                .first()
            )
            if invitation is not None and not invitation.expired:
                raise AlreadyInvited(invitation)
            if invitation is None:
                invitation = Invitation(workspace=access.workspace, email=email)
            invitation.role, invitation.token_hash, invitation.invited_by = role, token_hash, access.user
            invitation.created_at = timezone.now()
            invitation.save()
    except IntegrityError:  # invited at the same moment by someone else: one_pending_invitation_per_address
        raise AlreadyInvited(
            Invitation.objects.select_related("workspace").get(workspace=access.workspace, email=email, accepted_at=None)
        ) from None
    _send(invitation)
    return invitation


def _send(invitation: Invitation) -> None:
    from strata.accounts.tasks import send_invitation

    invitation_id = invitation.pk
    transaction.on_commit(lambda: send_invitation.enqueue(invitation_id))


def _waiting(access: Access, invitation_id: int) -> Invitation:
    """An invitation of this workspace that nobody has accepted (expired or not), locked."""
    access.require("members.manage")
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("workspace")
        .filter(pk=invitation_id, workspace=access.workspace, accepted_at=None)
        .first()
    )
    if invitation is None:
        raise NotFound("no such invitation: it was accepted or cancelled meanwhile")
    return invitation


def resend_invitation(*, access: Access, invitation_id: int) -> Invitation:
    """E-mail a waiting invitation again, through the worker like the first time: a new link
    (the old one stops working) and another VALID_DAYS days from now."""
    with transaction.atomic():
        invitation = _waiting(access, invitation_id)
        invitation.invited_by, invitation.created_at = access.user, timezone.now()
        invitation.save(update_fields=["invited_by", "created_at"])
        _send(invitation)
    return invitation


def cancel_invitation(*, access: Access, invitation_id: int) -> Invitation:
    """Withdraw a waiting invitation: its link stops working at once."""
    with transaction.atomic():
        invitation = _waiting(access, invitation_id)
        invitation.delete()
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


def request_password_reset(*, email: str) -> None:
    """E-mail a link to choose a new password to `email`, if an account has that address.

    The caller answers the same either way, and so does this: a task is enqueued for every
    request, with the user's id or with None (which the task drops), so that not even the time
    the request takes tells an address with an account from one without. Throttled by the
    caller (throttle.reset_wait) before it gets here."""
    user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
    user_id = user.pk if user is not None and user.has_usable_password() else None
    from strata.accounts.tasks import send_password_reset

    transaction.on_commit(lambda: send_password_reset.enqueue(user_id))


def password_reset_user(*, uidb64: str, token: str) -> User | None:
    """The user a reset link is for, while it is valid (Django's token generator: it expires
    after PASSWORD_RESET_TIMEOUT and once the password or the last sign-in changes), else None."""
    try:
        user_id = int(force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


def reset_password(*, uidb64: str, token: str, password: str) -> User:
    """Set the password a reset link is for. The link works once: the new password changes the
    token's hash. Other sessions of the user end too (their session hash no longer matches)."""
    user = password_reset_user(uidb64=uidb64, token=token)
    if user is None:
        raise ActionError("this link is not valid any more; ask for a new one")
    user.set_password(password)
    user.save(update_fields=["password"])
    return user
