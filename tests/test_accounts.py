"""Signing in, invitations sent, resent and cancelled through a real SMTP server by the real worker,
roles and tokens (revoked after a question that works without JavaScript)."""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
from collections.abc import Callable, Iterator
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils.timezone import now
from playwright.sync_api import Browser, expect

from strata.accounts.models import ApiToken, Invitation, Membership, User
from tests.conftest import PASSWORD
from tests.test_browser import browser  # noqa: F401 - the shared Chromium fixture


class Inbox:
    """aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    try:
        yield inbox
    finally:
        controller.stop()


def test_passwords_are_hashed_with_argon2(db: Any, settings: Any) -> None:
    import strata.settings as module  # the tests' fixture swaps in a fast hasher; use the real list

    settings.PASSWORD_HASHERS = module.PASSWORD_HASHERS
    user = User.objects.create_user("hash@acme.example", PASSWORD)
    assert user.password.startswith("argon2$argon2id$")


def test_sign_in_and_out(personas: Any) -> None:
    client = Client()
    response = client.post("/login/", {"email": "owner@acme.example", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout/")
    assert client.get("/").status_code == 302


def failed_sign_ins_lock_the_address() -> None:
    client = Client()
    for _ in range(5):
        assert client.post("/login/", {"email": "owner@acme.example", "password": "wrong password"}).status_code == 400
    locked = client.post("/login/", {"email": "owner@acme.example", "password": PASSWORD})
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content


def test_failed_sign_ins_are_throttled(personas: Any) -> None:
    cache.clear()
    failed_sign_ins_lock_the_address()


@pytest.mark.redis
def test_failed_sign_ins_are_throttled_across_processes_through_redis(personas: Any, settings: Any) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}}
    from django.core.cache import caches

    caches["default"].clear()
    failed_sign_ins_lock_the_address()
    # The count lives in Redis, where every web process reads it.
    import redis

    keys = redis.Redis.from_url(os.environ["REDIS_URL"]).keys("*login-fail*")
    assert len(keys) == 3  # the account from this address, this address, the account from anywhere
    caches["default"].clear()


@pytest.mark.django_db(transaction=True)
def test_an_invitation_is_emailed_by_the_worker_and_accepted(personas: Any, smtp: Inbox, client_for: Callable[[str], Client]) -> None:
    response = client_for("owner").post("/w/acme/members/", {"email": "newbie@acme.example", "role": "responder"})
    assert response.status_code == 302
    assert smtp.messages == []  # sending is the worker's job
    call_command("db_worker", batch=True, queue_name="*", reload=False, startup_delay=False, verbosity=0)
    [mail] = smtp.messages
    assert mail["To"] == "newbie@acme.example"
    assert "as responder" in mail.get_payload()
    link = re.search(r"http://\S+/invitations/(\S+)/", mail.get_payload())
    assert link is not None
    stranger = Client()
    page = stranger.get(f"/invitations/{link.group(1)}/")
    assert page.status_code == 200
    assert b"Join Acme Bikes" in page.content
    joined = stranger.post(f"/invitations/{link.group(1)}/", {"name": "New Bie", "password": "another long password"})
    assert joined.status_code == 302
    assert Membership.objects.get(user__email="newbie@acme.example").role == "responder"
    assert stranger.get("/w/acme/").status_code == 200
    # a link works once
    assert Client().get(f"/invitations/{link.group(1)}/").status_code == 404


def test_an_existing_user_is_invited_and_joins_only_on_accepting(personas: Any, client_for: Callable[[str], Client]) -> None:
    client_for("owner").post("/w/acme/members/", {"email": "OUTSIDER@rival.example", "role": "analyst"})
    assert not Membership.objects.filter(user=personas["outsider"], workspace__slug="acme").exists()
    invitation = Invitation.objects.get(email="outsider@rival.example")
    outsider = client_for("outsider")
    assert b"Acme Bikes" in outsider.get("/").content
    outsider.post(f"/invitations/{invitation.pk}/answer/", {"answer": "accept"})
    assert Membership.objects.get(user=personas["outsider"], workspace__slug="acme").role == "analyst"


def test_inviting_a_member_twice_says_so_beside_the_field(personas: Any, client_for: Callable[[str], Client]) -> None:
    response = client_for("owner").post("/w/acme/members/", {"email": "editor@acme.example", "role": "analyst"})
    assert response.status_code == 400
    assert b"already a member" in response.content


def test_the_last_owner_cannot_step_down(personas: Any, client_for: Callable[[str], Client]) -> None:
    owner = Membership.objects.get(user=personas["owner"])
    response = client_for("owner").post(f"/w/acme/members/{owner.pk}/", {"role": "analyst"}, follow=True)
    assert b"at least one owner" in response.content
    owner.refresh_from_db()
    assert owner.role == "owner"


def test_a_new_api_token_is_shown_once_and_can_be_revoked(personas: Any, client_for: Callable[[str], Client]) -> None:
    client = client_for("analyst")
    page = client.post("/account/tokens/", {"name": "reports"}).content.decode()
    secret = re.search(r"strata_[\w-]+", page)
    assert secret is not None
    assert secret.group(0) not in client.get("/account/tokens/").content.decode()
    api = Client()
    assert api.get("/api/v1/workspaces", headers={"authorization": f"Bearer {secret.group(0)}"}).status_code == 200
    token_id = personas["analyst"].api_tokens.get().pk
    client.post(f"/account/tokens/{token_id}/revoke/")
    assert api.get("/api/v1/workspaces", headers={"authorization": f"Bearer {secret.group(0)}"}).status_code == 401


def test_a_workspace_is_created_with_its_owner(make_user: Callable[..., User]) -> None:
    client = Client()
    client.force_login(make_user("founder@new.example"))
    response = client.post("/", {"name": "Bolt Scooters", "slug": "", "timezone": "Europe/Paris"})
    assert response.status_code == 302
    assert response["Location"] == "/w/bolt-scooters/"
    assert Membership.objects.get(user__email="founder@new.example").role == "owner"
    again = client.post("/", {"name": "Bolt Scooters", "slug": "bolt-scooters", "timezone": "Europe/Paris"})
    assert again.status_code == 302
    assert again["Location"].startswith("/w/bolt-scooters-")
    assert Membership.objects.filter(user__email="founder@new.example", role="owner").count() == 2


def run_worker() -> None:
    call_command("db_worker", batch=True, queue_name="*", reload=False, startup_delay=False, verbosity=0)


def invitation_link(mail: Any) -> str:
    link = re.search(r"http://\S+(/invitations/\S+/)", mail.get_payload())
    assert link is not None
    return link.group(1)


def test_signed_in_the_sign_in_page_sends_home_or_to_next(personas: Any, client_for: Callable[[str], Client]) -> None:
    client = client_for("editor")
    assert client.get("/login/")["Location"] == "/"
    assert client.get("/login/?next=/w/acme/calendar/")["Location"] == "/w/acme/calendar/"
    for elsewhere in ("//evil.example/", "/\\evil.example/", "https://evil.example/"):
        assert client.get("/login/", {"next": elsewhere})["Location"] == "/"


def test_a_wrong_password_is_shown_in_the_forms_error_summary(personas: Any) -> None:
    page = Client().post("/login/", {"email": "owner@acme.example", "password": "wrong password"}).content.decode()
    assert 'class="error-summary" role="alert"' in page
    assert "That e-mail address and password do not match." in page
    empty = Client().post("/login/", {"email": "", "password": ""}).content.decode()
    assert '<a href="#id_email">Email: This field is required.</a>' in empty
    assert 'aria-invalid="true" aria-describedby="id_email_error"' in empty
    assert '<div class="field-error" id="id_email_error">This field is required.</div>' in empty


def test_inviting_an_address_again_says_so_offers_to_resend_and_makes_no_second_invitation(
    personas: Any, client_for: Callable[[str], Client]
) -> None:
    owner = client_for("owner")
    assert owner.post("/w/acme/members/", {"email": "rider@example.org", "role": "editor"}).status_code == 302
    again = owner.post("/w/acme/members/", {"email": "Rider@Example.org", "role": "analyst"})
    assert again.status_code == 400
    page = again.content.decode()
    assert "rider@example.org was invited on" in page
    assert "as editor and has not answered yet" in page
    [invitation] = Invitation.objects.filter(email="rider@example.org")
    assert f'action="/w/acme/invitations/{invitation.pk}/resend/"' in page
    assert "Resend the invitation to rider@example.org" in page
    assert invitation.role == "editor"


def test_the_api_refuses_a_second_invitation_with_409(personas: Any, token_for: Callable[[str], str]) -> None:
    api = Client(headers={"authorization": f"Bearer {token_for('owner')}"})
    body = {"email": "rider@example.org", "role": "editor"}
    assert api.post("/api/v1/workspaces/acme/members", body, content_type="application/json").status_code == 201
    again = api.post("/api/v1/workspaces/acme/members", body, content_type="application/json")
    assert again.status_code == 409
    assert "has not answered yet" in again.json()["detail"]
    [listed] = api.get("/api/v1/workspaces/acme/invitations").json()
    assert listed["email"] == "rider@example.org"
    assert listed["expired"] is False


def test_an_expired_invitation_is_renewed_by_inviting_again(personas: Any, client_for: Callable[[str], Client]) -> None:
    owner = client_for("owner")
    owner.post("/w/acme/members/", {"email": "rider@example.org", "role": "editor"})
    Invitation.objects.update(created_at=now() - dt.timedelta(days=Invitation.VALID_DAYS + 1))  # sent long ago
    assert b'<span class="badge warning">expired</span>' in owner.get("/w/acme/members/").content
    assert owner.post("/w/acme/members/", {"email": "rider@example.org", "role": "analyst"}).status_code == 302
    [invitation] = Invitation.objects.filter(email="rider@example.org")
    assert invitation.role == "analyst"
    assert not invitation.expired


@pytest.mark.django_db(transaction=True)
def test_a_waiting_invitation_is_resent_by_the_worker_with_a_new_link(
    personas: Any, smtp: Inbox, client_for: Callable[[str], Client]
) -> None:
    owner = client_for("owner")
    owner.post("/w/acme/members/", {"email": "rider@example.org", "role": "editor"})
    run_worker()
    [first] = smtp.messages
    invitation = Invitation.objects.get(email="rider@example.org")
    members = owner.get("/w/acme/members/").content.decode()
    assert "Invitations waiting for an answer" in members
    assert "rider@example.org" in members

    resent = owner.post(f"/w/acme/invitations/{invitation.pk}/resend/", follow=True)
    assert b"sent to rider@example.org again" in resent.content
    assert len(smtp.messages) == 1  # sending is the worker's job
    run_worker()
    _, second = smtp.messages
    assert second["To"] == "rider@example.org"
    assert Client().get(invitation_link(first)).status_code == 404  # the earlier link stops working
    assert b"Join Acme Bikes" in Client().get(invitation_link(second)).content
    assert Invitation.objects.filter(email="rider@example.org").count() == 1


def test_a_cancelled_invitation_is_gone_and_its_link_no_longer_works(personas: Any, client_for: Callable[[str], Client]) -> None:
    token, token_hash = Invitation.new_token()
    invitation = Invitation.objects.create(
        workspace=Membership.objects.get(user=personas["owner"]).workspace, email="rider@example.org", role="editor", token_hash=token_hash
    )
    assert Client().get(f"/invitations/{token}/").status_code == 200
    owner = client_for("owner")
    page = owner.post(f"/w/acme/invitations/{invitation.pk}/cancel/", follow=True).content.decode()
    assert "Invitation of rider@example.org cancelled" in page
    assert "Invitations waiting for an answer" not in page
    assert not Invitation.objects.exists()
    assert Client().get(f"/invitations/{token}/").status_code == 404
    again = owner.post(f"/w/acme/invitations/{invitation.pk}/cancel/", follow=True)
    assert b"no such invitation" in again.content


def test_only_those_who_invite_see_who_was_invited(personas: Any, client_for: Callable[[str], Client]) -> None:
    client_for("owner").post("/w/acme/members/", {"email": "rider@example.org", "role": "editor"})
    assert "rider@example.org" in client_for("owner").get("/w/acme/members/").content.decode()
    page = client_for("editor").get("/w/acme/members/").content.decode()
    assert "rider@example.org" not in page
    assert "/resend/" not in page


def test_revoking_a_token_asks_first_and_revokes_only_when_confirmed(personas: Any, client_for: Callable[[str], Client]) -> None:
    client = client_for("analyst")
    _, secret = ApiToken.issue(user=personas["analyst"], name="reports")
    token = personas["analyst"].api_tokens.get()
    listing = client.get("/account/tokens/").content.decode()
    assert f'href="/account/tokens/{token.pk}/revoke/"' in listing
    assert "<form" not in listing.split("<tbody>")[1].split("</tbody>")[0]  # the list only links to the question
    question = client.get(f"/account/tokens/{token.pk}/revoke/").content.decode()
    assert "Revoke token “reports”?" in question
    assert 'method="post"' in question
    api = Client(headers={"authorization": f"Bearer {secret}"})
    assert api.get("/api/v1/workspaces").status_code == 200  # asking revoked nothing
    done = client.post(f"/account/tokens/{token.pk}/revoke/", follow=True)
    assert b"Token revoked." in done.content
    assert api.get("/api/v1/workspaces").status_code == 401
    assert client.get(f"/account/tokens/{token.pk}/revoke/").status_code == 404


@pytest.mark.browser
def test_confirming_in_a_browser_revokes_and_keeping_does_not(browser: Browser, live_server: Any, transactional_db: Any) -> None:  # noqa: F811
    user = User.objects.create_user("lead@acme.example", PASSWORD, name="Lead")
    ApiToken.issue(user=user, name="laptop")
    ApiToken.issue(user=user, name="ci sync")
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Email").fill("lead@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your workspaces")).to_be_visible()

    page.goto("/account/tokens/")
    page.get_by_role("link", name="Revoke token laptop").click()
    expect(page.get_by_role("heading", name="Revoke token “laptop”?")).to_be_visible()
    page.get_by_role("link", name="Keep it").click()
    expect(page.get_by_role("cell", name="laptop", exact=True)).to_be_visible()

    page.get_by_role("link", name="Revoke token ci sync").click()
    page.get_by_role("button", name="Revoke the token").click()
    expect(page.get_by_role("status")).to_contain_text("Token revoked.")
    expect(page.get_by_role("cell", name="ci sync", exact=True)).to_have_count(0)
    assert list(ApiToken.objects.filter(user=user).values_list("name", flat=True)) == ["laptop"]
    context.close()
