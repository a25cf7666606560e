"""Server-side request forgery: a member must not make Strata reach inside its own network
(loopback, private ranges, the cloud's metadata service) and read the answer back. These tests
run with the default setting, where nothing private is allowed, against real local servers
that count what reaches them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from django.test import Client

from strata.accounts.models import Workspace
from strata.env import AllowList, SettingsError, env_allow_list
from strata.platforms import egress
from strata.publishing import actions, delivery
from strata.publishing.models import ChannelAccount, Variant
from strata.strategy.actions import put_element
from strata.strategy.elements import KINDS
from tests.posts import due_post
from tests.servers.pds import free_port

REFUSED = "inside a private network"


@pytest.fixture(autouse=True)
def nothing_private_allowed(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default a fresh install has (tests/conftest.py allows the suite's own servers)."""
    monkeypatch.delenv("STRATA_ALLOW_PRIVATE_HOSTS", raising=False)
    settings.STRATA_ALLOW_PRIVATE_HOSTS = AllowList()


class Internal(BaseHTTPRequestHandler):
    """A service inside the network that must never hear from Strata, with something to hide."""

    hits: list[str] = []
    status = 200

    def do_POST(self) -> None:
        self._answer()

    def do_GET(self) -> None:
        self._answer()

    def _answer(self) -> None:
        type(self).hits.append(self.path)
        body = b"internal-secret <script>alert(1)</script> " + b"x" * 5000
        self.send_response(type(self).status)
        self.send_header("content-type", "text/html")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def internal() -> Iterator[int]:
    Internal.hits, Internal.status = [], 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), Internal)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield int(server.server_address[1])
    server.shutdown()


def add_channel(workspace: Workspace, channel_id: str, platform: str) -> None:
    put_element(
        workspace=workspace,
        author=None,
        kind=KINDS["channels"],
        element_id=None,
        element={"id": channel_id, "platform": platform, "handle": channel_id, "purpose": "educating"},
    )


@pytest.fixture
def api(personas: Any, token_for: Callable[[str], str]) -> Callable[[str, str, str], httpx.Response | Any]:
    token = token_for("owner")

    def put(channel: str, service: str, handle: str = "someone") -> Any:
        return Client().put(
            f"/api/v1/workspaces/acme/channels/{channel}/connection",
            data={"service": service, "handle": handle, "secret": "a-token"},
            content_type="application/json",
            headers={"authorization": f"Bearer {token}"},
        )

    return put


def loopback_forms(port: int) -> list[str]:
    return [
        f"http://127.0.0.1:{port}/hook",
        f"http://localhost:{port}/hook",  # a name: what counts is where it resolves
        f"http://[::1]:{port}/hook",
        f"http://[::ffff:127.0.0.1]:{port}/hook",  # IPv4 inside IPv6
        f"http://2130706433:{port}/hook",  # 127.0.0.1 as one number
        f"http://127.1:{port}/hook",
        f"http://0.0.0.0:{port}/hook",
    ]


ELSEWHERE_INSIDE = [
    "http://169.254.169.254/latest/meta-data/",  # the cloud's metadata service
    "http://[fd00:ec2::254]/latest/meta-data/",
    "http://10.1.2.3/hook",
    "http://172.16.0.1/hook",
    "http://192.168.1.1/hook",
    "http://100.64.0.1/hook",  # carrier-grade NAT
    "http://[fc00::1]/hook",
    "http://[fe80::1]/hook",
    "http://224.0.0.1/hook",
    "http://[::ffff:10.0.0.1]/hook",
]


def test_it_refuses_to_connect_a_webhook_to_any_form_of_the_loopback_address(acme: Workspace, api: Any, internal: int) -> None:
    add_channel(acme, "acme-hook", "webhook")
    for service in loopback_forms(internal):
        response = api("acme-hook", service)
        assert response.status_code == 422, service
        assert response.json()["field"] == "service"
        assert REFUSED in response.json()["detail"]
    assert Internal.hits == []
    assert not ChannelAccount.objects.filter(channel_id="acme-hook").exists()


@pytest.mark.parametrize("service", ELSEWHERE_INSIDE)
def test_it_refuses_private_link_local_and_metadata_addresses(acme: Workspace, api: Any, service: str) -> None:
    add_channel(acme, "acme-hook", "webhook")
    response = api("acme-hook", service)
    assert response.status_code == 422
    assert response.json()["field"] == "service"
    assert response.json()["detail"].endswith(egress.REFUSED)


def test_it_refuses_bluesky_and_mastodon_servers_inside_the_network(acme: Workspace, api: Any, internal: int) -> None:
    for channel in ("acme-bsky", "acme-mastodon"):
        response = api(channel, f"http://127.0.0.1:{internal}")
        assert response.status_code == 422
        assert response.json()["field"] == "service"
    assert Internal.hits == []


def test_the_form_names_the_server_field_and_says_why(acme: Workspace, client_for: Callable[[str], Client], internal: int) -> None:
    add_channel(acme, "acme-hook", "webhook")
    page = client_for("owner").post(
        "/w/acme/channels/", {"channel": "acme-hook", "service": f"http://localhost:{internal}/hook", "handle": "h", "secret": "s"}
    )
    assert page.status_code == 422
    assert "Strata only connects to public servers unless the administrator allows it" in page.content.decode()
    assert Internal.hits == []


def test_it_refuses_a_mail_server_inside_the_network_and_sends_nothing(acme: Workspace, api: Any) -> None:
    received: list[Any] = []

    class Inbox:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append(envelope)
            return "250 OK"

    port = free_port()
    controller = Controller(Inbox(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        add_channel(acme, "acme-news", "newsletter")
        response = api("acme-news", f"smtp://127.0.0.1:{port}/?to=list@acme.example", "news@acme.example")
    finally:
        controller.stop()
    assert response.status_code == 422
    assert response.json()["field"] == "service"
    assert REFUSED in response.json()["detail"]
    assert received == []


def test_it_checks_the_address_again_at_every_delivery(acme: Workspace, internal: int, settings: Any) -> None:
    """What was allowed when the channel was connected is not trusted later: the address is
    checked when each connection is made, so a name that now points inside is refused."""
    add_channel(acme, "acme-hook", "webhook")
    settings.STRATA_ALLOW_PRIVATE_HOSTS = AllowList.parse("127.0.0.1")
    actions.connect_channel(
        workspace=acme, actor=None, channel_id="acme-hook", service=f"http://localhost:{internal}/hook", handle="h", secret="s"
    )
    settings.STRATA_ALLOW_PRIVATE_HOSTS = AllowList()
    post = due_post(acme, "acme-hook", "Hello")
    delivery.run_once(worker="test:1")
    variant = Variant.objects.get(post=post)
    assert variant.state == "failed"
    assert REFUSED in variant.last_error
    assert Internal.hits == []


def test_a_private_server_the_administrator_allows_is_reached(acme: Workspace, internal: int, settings: Any) -> None:
    add_channel(acme, "acme-hook", "webhook")
    settings.STRATA_ALLOW_PRIVATE_HOSTS = AllowList.parse("10.0.0.0/8, 127.0.0.0/30")
    actions.connect_channel(
        workspace=acme, actor=None, channel_id="acme-hook", service=f"http://127.0.0.1:{internal}/hook", handle="h", secret="s"
    )
    post = due_post(acme, "acme-hook", "Hello")
    delivery.run_once(worker="test:1")
    assert Variant.objects.get(post=post).state == "published"
    assert Internal.hits == ["/hook"]


def test_the_metadata_service_stays_refused_inside_an_allowed_range(acme: Workspace, api: Any, settings: Any) -> None:
    add_channel(acme, "acme-hook", "webhook")
    settings.STRATA_ALLOW_PRIVATE_HOSTS = AllowList.parse("169.254.0.0/16")
    response = api("acme-hook", "http://169.254.169.254/latest/meta-data/")
    assert response.status_code == 422
    assert REFUSED in response.json()["detail"]


@pytest.mark.parametrize("status", [400, 500])
def test_it_never_repeats_what_a_receiver_answered(acme: Workspace, internal: int, settings: Any, status: int) -> None:
    add_channel(acme, "acme-hook", "webhook")
    settings.STRATA_ALLOW_PRIVATE_HOSTS = AllowList.parse("127.0.0.1")
    actions.connect_channel(
        workspace=acme, actor=None, channel_id="acme-hook", service=f"http://127.0.0.1:{internal}/hook", handle="h", secret="s"
    )
    Internal.status = status
    post = due_post(acme, "acme-hook", "Hello")
    delivery.run_once(worker="test:1")
    error = Variant.objects.get(post=post).last_error
    assert f"HTTP {status}" in error
    assert "internal-secret" not in error
    assert "<script>" not in error


def test_the_guard_leaves_the_rest_of_the_process_alone(internal: int) -> None:
    """Only an adapter's call is filtered: the database, caches and other clients of the same
    process still reach local servers while a delivery is in progress."""
    url = f"http://127.0.0.1:{internal}/"
    inside: list[BaseException] = []
    with egress.guard():
        try:
            httpx.get(url, timeout=5)
        except httpx.ConnectError as exc:
            inside.append(exc)
        other_thread: list[int] = []
        thread = threading.Thread(target=lambda: other_thread.append(httpx.get(url, timeout=5).status_code))
        thread.start()
        thread.join()
    assert len(inside) == 1
    assert other_thread == [200]
    assert httpx.get(url, timeout=5).status_code == 200
    assert Internal.hits == ["/", "/"]


@pytest.mark.parametrize(
    "service",
    [
        "smtp://mail.acme.example:99999/?to=list@acme.example",
        "smtp://mail.acme.example:abc/?to=list@acme.example",
        "smtp://[::1/?to=list@acme.example",
        "smtp://mail.acme.example:0/?to=list@acme.example",
    ],
)
def test_a_broken_mail_server_address_is_a_clear_error_not_a_crash(
    acme: Workspace, api: Any, client_for: Callable[[str], Client], service: str
) -> None:
    add_channel(acme, "acme-news", "newsletter")
    response = api("acme-news", service, "news@acme.example")
    assert response.status_code == 422
    assert response.json()["field"] == "service"
    assert "server address" in response.json()["detail"]
    page = client_for("owner").post("/w/acme/channels/", {"channel": "acme-news", "service": service, "handle": "n@acme.example"})
    assert page.status_code == 422
    assert "server address" in page.content.decode()


@pytest.mark.parametrize("value", ["10.0.0.0/33", "10.0.0.1/8", "http://pds.internal", "pds internal", "pds_internal"])
def test_the_setting_refuses_values_that_are_not_hosts_or_ranges(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("STRATA_ALLOW_PRIVATE_HOSTS", value)
    with pytest.raises(SettingsError, match="STRATA_ALLOW_PRIVATE_HOSTS"):
        env_allow_list("STRATA_ALLOW_PRIVATE_HOSTS")


def test_the_setting_takes_names_addresses_and_ranges(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRATA_ALLOW_PRIVATE_HOSTS", "PDS.internal., 10.0.0.0/8, ::1")
    allowed = env_allow_list("STRATA_ALLOW_PRIVATE_HOSTS")
    assert allowed.names_host("pds.internal")
    assert [str(n) for n in allowed.networks] == ["10.0.0.0/8"]
    assert [str(a) for a in allowed.addresses] == ["::1"]


def test_looking_up_authors_on_the_appview_refuses_an_address_inside_the_network(internal: int) -> None:
    """The AppView's address is a setting, not a workspace's input, but a setting pointed at the
    metadata service or an internal host must not make Strata fetch from it either."""
    from strata.engagement.ambassadors import reach
    from strata.engagement.listening import handles

    Internal.hits = []
    base = f"http://127.0.0.1:{internal}"
    assert handles.profiles(base, ["did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"]) == {}
    assert reach.followers(base, ["did:plc:bbbbbbbbbbbbbbbbbbbbbbbb"]) == {}
    assert Internal.hits == [], "nothing inside the network was asked"
