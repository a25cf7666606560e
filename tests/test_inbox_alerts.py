"""Alerts of the inbox's clock, sent to a real SMTP server (aiosmtpd) and a real HTTP receiver
on 127.0.0.1: due soon, late, then escalated, each once, the webhook signed; and the settings
that turn them on, and let editors answer."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine
from django.test import Client

from strata.accounts.models import User, Workspace
from strata.engagement.inbox import actions, alerts, filing
from strata.engagement.inbox.models import Conversation, InboxSettings
from tests.test_accounts import Inbox, smtp  # noqa: F401 - the real SMTP server
from tests.test_inbox import local, said


class Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        type(self).received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    Receiver.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/alerts"
    server.shutdown()


def test_due_soon_late_and_escalated_each_go_out_once_by_mail_and_signed_webhook(
    acme: Workspace,
    smtp: Inbox,  # noqa: F811
    receiver: str,
) -> None:
    actions.save_settings(workspace=acme, others_may_answer=False, alert_webhook=receiver, alert_secret="s3cret")
    with time_machine.travel(local(2026, 12, 2, 10, 0), tick=False) as traveller:
        said(acme, "My brakes failed", sentiment="negative")  # negative-first: Amira, within 1h
        filing.file_unfiled()
        assert alerts.sweep() == 0  # nothing due yet

        traveller.move_to(local(2026, 12, 2, 10, 31))
        assert alerts.sweep() == 1
        assert alerts.sweep() == 0  # once
        traveller.move_to(local(2026, 12, 2, 11, 1))
        assert alerts.sweep() == 1
        traveller.move_to(local(2026, 12, 2, 11, 31))  # still owed warn_before after: escalated
        assert alerts.sweep() == 1
        assert alerts.sweep() == 0

    assert [m["To"] for m in smtp.messages] == ["amira@acme.example", "amira@acme.example", "maria@acme.example"]
    subjects = [m["Subject"] for m in smtp.messages]
    assert subjects[0].startswith("Due soon: an answer to Jo Rider on acme-help, by Wed 02 Dec 11:00 CET")
    assert subjects[1].startswith("Late: Jo Rider on acme-help has waited past")
    assert subjects[2].startswith("Escalated: Jo Rider on acme-help is still unanswered")
    conversation = Conversation.objects.get(workspace=acme)
    assert f"/w/acme/inbox/{conversation.pk}/" in smtp.messages[0].get_payload()

    events = []
    for headers, body in Receiver.received:
        expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
        assert headers["x-strata-signature"] == expected
        events.append(json.loads(body)["event"])
    assert events == ["inbox.warned", "inbox.breached", "inbox.escalated"]
    assert conversation.events.filter(kind__startswith="alert-").count() == 3


def test_an_answer_in_time_stops_the_alerts(acme: Workspace, smtp: Inbox) -> None:  # noqa: F811
    with time_machine.travel(local(2026, 12, 2, 10, 0), tick=False) as traveller:
        said(acme, "My brakes failed", sentiment="negative")
        filing.file_unfiled()
        filing.mark_answered(Conversation.objects.get(workspace=acme), local(2026, 12, 2, 10, 20), by_whom="by a test")
        traveller.move_to(local(2026, 12, 2, 12, 0))
        assert alerts.sweep() == 0
    assert smtp.messages == []


def test_the_settings_refuse_an_inside_address_and_let_editors_answer(
    acme: Workspace, client_for: Callable[[str], Client], personas: dict[str, User], settings: Any
) -> None:
    said(acme, "Which saddle fits?", intents=("question",))
    filing.file_unfiled()
    conversation = Conversation.objects.get(workspace=acme)
    owner = client_for("owner")
    settings.STRATA_ALLOW_PRIVATE_HOSTS = None  # as deployed: the loopback is inside
    page = owner.post("/w/acme/inbox-settings/", {"alert_webhook": "http://127.0.0.1:9/x", "alert_secret": "x"}, follow=True)
    assert "points inside the network" in page.content.decode()
    assert not InboxSettings.objects.filter(workspace=acme).exclude(alert_webhook="").exists()

    editor = client_for("editor")
    url = f"/w/acme/inbox/{conversation.pk}/state/"
    assert editor.post(url, {"state": "done"}).status_code == 403
    owner.post("/w/acme/inbox-settings/", {"others_may_answer": "1"})
    assert editor.post(url, {"state": "done"}).status_code == 302
    assert client_for("analyst").post(url, {"state": "open"}).status_code == 403
    assert client_for("editor").post("/w/acme/inbox-settings/", {"others_may_answer": ""}).status_code == 403
