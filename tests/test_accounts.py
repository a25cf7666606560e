"""Signing in, invitations sent through a real SMTP server by the real worker, roles and tokens."""

from __future__ import annotations

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

from strata.accounts.models import Invitation, Membership, User
from tests.conftest import PASSWORD


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
