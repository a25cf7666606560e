"""Choosing a new password by e-mail: the link is sent by the real worker through a real SMTP
server (aiosmtpd), works once, expires, and the page never tells whether an address has an
account; asking is throttled like signing in."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.timezone import now

from strata.accounts.models import User
from tests.conftest import PASSWORD
from tests.test_accounts import Inbox, smtp  # noqa: F401 - the SMTP server fixture

NEW = "a brand new pass phrase"


def run_worker() -> None:
    call_command("db_worker", batch=True, queue_name="*", reload=False, startup_delay=False, verbosity=0)


def ask(client: Client, email: str) -> str:
    response = client.post("/password-reset/", {"email": email})
    assert response.status_code == 200
    return re.sub(r"[A-Za-z0-9]{64}", "<csrf>", response.content.decode())  # each client's CSRF token differs


def reset_path(mail: Any) -> str:
    link = re.search(r"http://\S+(/password-reset/\S+/\S+/)", mail.get_payload())
    assert link is not None
    return link.group(1)


@pytest.mark.django_db(transaction=True)
def test_the_emailed_link_sets_a_new_password_once(personas: Any, smtp: Inbox) -> None:  # noqa: F811
    visitor = Client()
    assert b"Forgot your password?" in visitor.get("/login/").content
    assert "a link to choose a new password is on its way" in ask(visitor, "Owner@Acme.example")
    assert smtp.messages == []  # sending is the worker's job
    run_worker()
    [mail] = smtp.messages
    assert mail["To"] == "owner@acme.example"
    assert "within 3 days" in mail.get_payload()
    path = reset_path(mail)

    page = visitor.get(path)
    assert page.status_code == 200
    assert b"New password" in page.content
    mismatch = visitor.post(path, {"new_password1": NEW, "new_password2": NEW + "!"})
    assert mismatch.status_code == 400
    assert b'class="error-summary"' in mismatch.content
    assert b"The two password fields" in mismatch.content

    done = visitor.post(path, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    assert b"Your new password is set" in visitor.get(done["Location"]).content  # and signed in

    assert visitor.get(path).status_code == 404  # a link works once
    fresh = Client()
    assert fresh.post("/login/", {"email": "owner@acme.example", "password": PASSWORD}).status_code == 400
    assert fresh.post("/login/", {"email": "owner@acme.example", "password": NEW}).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_an_address_without_an_account_gets_the_same_answer_and_no_mail(personas: Any, smtp: Inbox) -> None:  # noqa: F811
    known = ask(Client(), "owner@acme.example")
    unknown = ask(Client(), "nobody@acme.example")
    assert known.replace("owner@acme.example", "ADDRESS") == unknown.replace("nobody@acme.example", "ADDRESS")
    run_worker()
    assert [m["To"] for m in smtp.messages] == ["owner@acme.example"]


def test_asking_is_throttled_for_every_address_alike(personas: Any) -> None:
    client = Client()
    for email in ("owner@acme.example", "nobody@acme.example"):
        for _ in range(settings.LOGIN_ATTEMPTS):
            ask(client, email)
        refused = client.post("/password-reset/", {"email": email})
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) > 0
        assert b"Too many password reset requests for this address." in refused.content
    assert ask(client, "editor@acme.example")  # another address is not held up by them


def test_a_link_expires(personas: Any) -> None:
    owner = personas["owner"]
    path = f"/password-reset/{urlsafe_base64_encode(force_bytes(owner.pk))}/{default_token_generator.make_token(owner)}/"
    assert Client().get(path).status_code == 200
    with time_machine.travel(now() + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)):
        expired = Client().get(path)
    assert expired.status_code == 404
    assert b"This link is not valid any more" in expired.content
    assert b'href="/password-reset/"' in expired.content  # ask for a new one


def test_a_common_password_is_refused_beside_its_field(make_user: Callable[..., User]) -> None:
    user = make_user("rider@acme.example")
    path = f"/password-reset/{urlsafe_base64_encode(force_bytes(user.pk))}/{default_token_generator.make_token(user)}/"
    refused = Client().post(path, {"new_password1": "password123", "new_password2": "password123"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert '<div class="field-error" id="id_new_password2_error">This password is too common.</div>' in page
    assert '<a href="#id_new_password2">New password confirmation: This password is too common.</a>' in page
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
