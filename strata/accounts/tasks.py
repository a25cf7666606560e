"""Background work for accounts. Tasks take ids and reload state when they run."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task

from strata.accounts.models import Invitation


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
