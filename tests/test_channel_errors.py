"""Connecting a channel that fails says which of three things went wrong, in plain words: the
address is not valid, the server could not be reached (DNS, refused, TLS), or the server
answered and refused the credentials. The page, the API and the CLI show the same words, and
never a client library's own text ("Failed to parse: Host …", "HTTPSConnectionPool(…)").

The servers are real where they can be: a port nobody listens on, a plain HTTP server asked
for TLS, and mastodon-mock (a FAKE of Mastodon's API) for a wrong token."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from mastodon_mock.testing import MockServer

from strata.platforms.base import Credentials, Outgoing, Part, Unreachable
from strata.platforms.registry import adapter_for
from strata.publishing.models import ChannelAccount

LIBRARY_WORDS = ("Failed to parse", "HTTPSConnectionPool", "Errno", "Could not complete request", "Max retries")


@pytest.fixture(scope="module")
def fake_mastodon() -> Iterator[MockServer]:
    """The FAKE Mastodon server (mastodon-mock), with the seeded account alice."""
    with MockServer() as server:
        yield server


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens: connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def plain_http() -> Iterator[str]:
    """A plain HTTP server, to be asked for TLS: the handshake fails."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def connect(client: Client, service: str, secret: str = "a-token", handle: str = "alice") -> tuple[int, str]:
    response = client.post("/w/acme/channels/", {"channel": "acme-mastodon", "service": service, "handle": handle, "secret": secret})
    return response.status_code, response.content.decode()


def shows_no_library_words(page: str) -> None:
    for words in LIBRARY_WORDS:
        assert words not in page


def test_a_host_with_a_character_no_host_name_has_is_called_not_valid(client_for: Callable[[str], Client]) -> None:
    # What Mastodon.py used to pass on as "Failed to parse: Host 'mastodon|social' contains invalid character".
    status, page = connect(client_for("owner"), "https://mastodon|social")
    assert status == 422
    assert "The server address &#x27;https://mastodon|social&#x27; is not valid" in page
    assert "contains &#x27;|&#x27;; a host name has only letters, digits, &#x27;-&#x27; and &#x27;.&#x27;" in page
    assert '<a href="#f-service">' in page  # the summary at the top leads to the field
    assert 'value="https://mastodon|social" aria-invalid="true" aria-describedby="err-service help-service"' in page
    assert "did not accept" not in page
    shows_no_library_words(page)
    assert not ChannelAccount.objects.exists()


def test_a_server_that_refuses_the_connection_is_unreachable_not_a_credentials_problem(
    client_for: Callable[[str], Client], closed_port: int
) -> None:
    status, page = connect(client_for("owner"), f"http://127.0.0.1:{closed_port}")
    assert status == 422
    assert f"The server 127.0.0.1:{closed_port} could not be reached: it refused the connection" in page
    assert "The credentials were not checked." in page
    assert "did not accept" not in page
    shows_no_library_words(page)


def test_a_name_that_does_not_resolve_says_dns(client_for: Callable[[str], Client]) -> None:
    status, page = connect(client_for("owner"), "https://mastodon.invalid")
    assert status == 422
    assert "The server mastodon.invalid could not be reached: its name does not resolve (DNS)" in page
    shows_no_library_words(page)


def test_a_failed_tls_handshake_says_so(client_for: Callable[[str], Client], plain_http: str) -> None:
    status, page = connect(client_for("owner"), plain_http)
    assert status == 422
    assert "could not be reached: the secure connection (TLS) failed" in page
    shows_no_library_words(page)


def test_a_server_that_refuses_the_token_blames_the_credentials(client_for: Callable[[str], Client], fake_mastodon: MockServer) -> None:
    status, page = connect(client_for("owner"), fake_mastodon.base_url, secret="not-the-token")
    assert status == 422
    assert "The server answered but did not accept these credentials: the instance refused the access token." in page
    assert 'id="f-secret" name="secret" autocomplete="off" aria-invalid="true"' in page
    assert not ChannelAccount.objects.exists()
    # and the right token connects
    status, _ = connect(client_for("owner"), fake_mastodon.base_url, secret="alice_token")
    assert status == 302
    assert ChannelAccount.objects.get().remote_account == "alice"


def test_the_api_says_the_same_and_names_the_field(token_for: Callable[[str], str], closed_port: int) -> None:
    api = Client(headers={"authorization": f"Bearer {token_for('owner')}"})
    bad = api.put(
        "/api/v1/workspaces/acme/channels/acme-mastodon/connection",
        {"service": "https://mastodon|social", "handle": "alice", "secret": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad.json()["field"] == "service"
    assert "is not valid: the host name 'mastodon|social' contains '|'" in bad.json()["detail"]
    away = api.put(
        "/api/v1/workspaces/acme/channels/acme-mastodon/connection",
        {"service": f"http://127.0.0.1:{closed_port}", "handle": "alice", "secret": "x"},
        content_type="application/json",
    )
    assert away.status_code == 422
    assert "it refused the connection" in away.json()["detail"]


def test_the_cli_says_the_same(acme: Any, closed_port: int, tmp_path: Any) -> None:
    secret = tmp_path / "token"
    secret.write_text("x")
    with pytest.raises(CommandError, match="could not be reached: it refused the connection"):
        call_command(
            "channel",
            "connect",
            "--workspace",
            "acme",
            "--channel",
            "acme-mastodon",
            "--service",
            f"http://127.0.0.1:{closed_port}",
            "--handle",
            "alice",
            "--password-file",
            str(secret),
        )


def test_publishing_to_a_receiver_that_is_gone_says_so_in_plain_words(closed_port: int) -> None:
    """The post's error a person reads after a failed delivery uses the same words."""
    adapter = adapter_for("webhook")
    assert adapter is not None
    outgoing = Outgoing(parts=(Part(text="Spring ride"),), keys=("k1",))
    with pytest.raises(Unreachable) as failed:
        adapter.publish(Credentials(service=f"http://127.0.0.1:{closed_port}/hook", handle="", secret="s"), outgoing)
    assert (
        failed.value.message
        == f"the server 127.0.0.1:{closed_port} could not be reached: it refused the connection (no server is listening at that address and port)"
    )
