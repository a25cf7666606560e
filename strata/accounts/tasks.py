"""Background work for accounts. Tasks take ids and reload state when they run."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from strata.accounts.models import Invitation, User
from strata.accounts.throttle import duration


@task()
def send_invitation(invitation_id: int) -> None:
    from strata.accounts.actions import issue_invitation_link

    invitation = Invitation.objects.select_related("workspace", "invited_by").filter(pk=invitation_id, accepted_at=None).first()
    if invitation is None:  # accepted or withdrawn meanwhile: nothing to send
        return
    link = issue_invitation_link(invitation=invitation, site_url=settings.SITE_URL)
    inviter = invitation.invited_by.name or invitation.invited_by.email if invitation.invited_by else "Someone"
    send_mail(
        subject=f"Join {invitation.workspace.name} on Strata",
        message=(
            f"{inviter} invites you to {invitation.workspace.name} on Strata as {invitation.role}.\n\n"
            f"Accept within {Invitation.VALID_DAYS} days: {link}\n\n"
            f"The invitation is for {invitation.email}: sign in with that address, or make an account for it on the page the link opens.\n"
        ),
        from_email=None,
        recipient_list=[invitation.email],
    )


@task()
def send_password_reset(user_id: int | None) -> None:
    """E-mail a link to choose a new password. None: the address had no account (see
    actions.request_password_reset): nothing is sent."""
    if user_id is None:
        return
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():  # deactivated meanwhile
        return
    # The token is made now, by the worker: it is valid PASSWORD_RESET_TIMEOUT from the sending.
    path = reverse("password-reset-confirm", args=[urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)])
    send_mail(
        subject="Choose a new password for Strata",
        message=(
            f"Someone, probably you, asked to choose a new password for {user.email} on Strata.\n\n"
            f"Choose it within {duration(settings.PASSWORD_RESET_TIMEOUT)}: {settings.SITE_URL.rstrip('/')}{path}\n\n"
            "The link works once. If you did not ask, ignore this e-mail: your password stays as it is.\n"
        ),
        from_email=None,
        recipient_list=[user.email],
    )
