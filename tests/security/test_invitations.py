"""Invitations are for the address they were sent to, joining needs a yes, and the answers do not
tell accounts or workspaces apart (issue 7, item 6)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from strata.accounts.actions import issue_invitation_link
from strata.accounts.models import ApiToken, Invitation, Membership, User
from tests.conftest import PASSWORD
from tests.test_accounts import Inbox, smtp  # noqa: F401  (the real SMTP server fixture)

Clients = Callable[[str], Client]


def invite(client: Client, email: str, role: str = "editor") -> Any:
    return client.post("/w/acme/members/", {"email": email, "role": role}, follow=True)


def link_for(email: str) -> str:
    """A fresh link, made the way the worker makes the e-mailed one."""
    invitation = Invitation.objects.get(email=email, accepted_at=None)
    return issue_invitation_link(invitation=invitation, site_url="http://testserver").removeprefix("http://testserver")


def test_it_refuses_an_invitation_opened_by_another_signed_in_account(personas: Any, client_for: Clients) -> None:
    invite(client_for("owner"), "newbie@acme.example")
    link = link_for("newbie@acme.example")
    outsider = client_for("outsider")
    page = outsider.get(link).content.decode()
    assert "This invitation is for newbie@acme.example, and you are signed in as outsider@rival.example" in page
    assert "Join the workspace" not in page
    refused = outsider.post(link)
    assert refused.status_code == 403
    assert not Membership.objects.filter(user=personas["outsider"], workspace__slug="acme").exists()
    # Signed out, the invited person can still sign up with the same link.
    outsider.post("/logout/")
    joined = outsider.post(link, {"name": "New Bie", "password": "another long password"})
    assert joined.status_code == 302
    assert Membership.objects.get(user__email="newbie@acme.example").role == "editor"


def test_it_lets_the_invited_account_accept_after_signing_in(personas: Any, client_for: Clients) -> None:
    invite(client_for("owner"), "outsider@rival.example", role="analyst")
    link = link_for("outsider@rival.example")
    browser = Client()
    page = browser.get(link).content.decode()
    assert "Sign in as outsider@rival.example to accept." in page
    signed_in = browser.post(f"/login/?next={link}", {"email": "outsider@rival.example", "password": PASSWORD})
    assert signed_in["Location"] == link
    assert browser.post(link).status_code == 302
    assert Membership.objects.get(user=personas["outsider"], workspace__slug="acme").role == "analyst"


@pytest.mark.django_db(transaction=True)
def test_it_emails_an_existing_account_and_adds_it_only_when_it_accepts(personas: Any, smtp: Inbox, client_for: Clients) -> None:  # noqa: F811
    answer = invite(client_for("owner"), "outsider@rival.example")
    assert "Invitation sent to outsider@rival.example" in answer.content.decode()
    assert not Membership.objects.filter(user=personas["outsider"], workspace__slug="acme").exists()
    call_command("db_worker", batch=True, queue_name="*", reload=False, startup_delay=False, verbosity=0)
    [mail] = smtp.messages
    assert mail["To"] == "outsider@rival.example"
    token = re.search(r"/invitations/(\S+)/", mail.get_payload())
    assert token is not None
    # Only the token's hash is stored: the database alone cannot open the invitation.
    stored = Invitation.objects.get(email="outsider@rival.example").token_hash
    assert stored == hashlib.sha256(token.group(1).encode()).hexdigest()
    assert client_for("outsider").post(f"/invitations/{token.group(1)}/").status_code == 302
    assert Membership.objects.filter(user=personas["outsider"], workspace__slug="acme").exists()


def test_it_answers_the_owner_the_same_whether_or_not_an_account_exists(personas: Any, token_for: Callable[[str], str]) -> None:
    headers = {"authorization": f"Bearer {token_for('owner')}"}
    answers = []
    for email in ("outsider@rival.example", "nobody@rival.example"):
        response = Client().post(
            "/api/v1/workspaces/acme/members", {"email": email, "role": "analyst"}, content_type="application/json", headers=headers
        )
        assert response.status_code == 201
        answers.append({**response.json(), "email": "x"})
    assert answers[0] == answers[1] == {"status": "invited", "email": "x", "role": "analyst"}


def test_it_shows_pending_invitations_on_the_start_page_to_accept_or_decline(personas: Any, client_for: Clients) -> None:
    owner = client_for("owner")
    invite(owner, "outsider@rival.example")
    outsider = client_for("outsider")
    start = outsider.get("/").content.decode()
    assert "Invitations for you" in start
    assert "Acme Bikes, as Editor" in start
    invitation = Invitation.objects.get(email="outsider@rival.example")
    declined = outsider.post(f"/invitations/{invitation.pk}/answer/", {"answer": "decline"}, follow=True)
    assert "Invitation declined." in declined.content.decode()
    assert "Invitations for you" not in declined.content.decode()
    assert not Membership.objects.filter(user=personas["outsider"], workspace__slug="acme").exists()


def test_it_does_not_let_anyone_answer_an_invitation_sent_to_someone_else(personas: Any, client_for: Clients) -> None:
    invite(client_for("owner"), "newbie@acme.example")
    invitation = Invitation.objects.get(email="newbie@acme.example")
    answer = client_for("outsider").post(f"/invitations/{invitation.pk}/answer/", {"answer": "accept"}, follow=True)
    assert "this invitation is not valid any more" in answer.content.decode()
    assert not Membership.objects.filter(user=personas["outsider"], workspace__slug="acme").exists()
    assert Invitation.objects.filter(pk=invitation.pk, accepted_at=None).exists()


def test_it_keeps_one_invitation_per_address_when_inviting_again(personas: Any, client_for: Clients) -> None:
    owner = client_for("owner")
    invite(owner, "newbie@acme.example", role="editor")
    again = invite(owner, "newbie@acme.example", role="analyst")
    assert "has not answered yet" in again.content.decode()  # and the page offers to resend it (tests/test_accounts.py)
    [pending] = Invitation.objects.filter(email="newbie@acme.example")
    assert pending.role == "editor"


def test_it_does_not_reveal_that_a_workspace_address_is_taken(personas: Any, make_user: Callable[..., User]) -> None:
    _, secret = ApiToken.issue(user=make_user("founder@new.example"), name="tests")
    response = Client().post(
        "/api/v1/workspaces",
        {"name": "Rival", "slug": "rival"},
        content_type="application/json",
        headers={"authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 201
    slug = response.json()["slug"]
    assert re.fullmatch(r"rival-[a-z0-9]{4}", slug)
    assert Membership.objects.get(user__email="founder@new.example").workspace.slug == slug
    assert Membership.objects.get(user=personas["outsider"]).workspace.name == "Rival Cycles"
