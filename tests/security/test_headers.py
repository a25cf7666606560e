"""Every page carries a Content-Security-Policy that runs Strata's own files only, and no page
needs anything that policy forbids: no inline script, event handler or style attribute, no CDN."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client

from strata.accounts.models import Workspace
from strata.publishing import actions

PAGES = [
    "/",
    "/account/tokens/",
    "/w/acme/",
    "/w/acme/review/",
    "/w/acme/map/",
    "/w/acme/members/",
    "/w/acme/file/",
    "/w/acme/history/",
    "/w/acme/settings/governance/",
    "/w/acme/settings/mix/",
    "/w/acme/settings/measurement/",
    "/w/acme/settings/workspace/",
    "/w/acme/plan/goals/",
    "/w/acme/plan/objectives/new/",
    "/w/acme/plan/goals/grow-eu/",
    "/w/acme/calendar/",
    "/w/acme/posts/new/",
    "/w/acme/channels/",
    "/w/acme/posts.csv/",
    "/w/acme/posts/{post}/",
    "/w/acme/posts/{post}/edit/",
    "/w/acme/no-such-page/",
]


class Inline(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block, and every outside address."""

    def __init__(self) -> None:
        super().__init__()
        self.blocked: list[str] = []
        self.hosts: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not values.get("src") and values.get("type") != "application/json":
            self.blocked.append("<script> without src")
        if tag == "style":
            self.blocked.append("<style>")
        for name, value in attrs:
            if name.startswith("on") or name == "style" or name.startswith("hx-on"):
                self.blocked.append(f"<{tag} {name}={value!r}>")
            if name in ("src", "href") and value and (value.startswith("//") or urlsplit(value).scheme in ("http", "https")):
                self.hosts.add(urlsplit(value).netloc)


def parse(html: str) -> Inline:
    parser = Inline()
    parser.feed(html)
    return parser


def test_it_sends_the_security_headers_with_every_page(client: Client) -> None:
    for path in ("/login/", "/api/v1/docs", "/static/strata/strata.css"):
        response = client.get(path)
        policy = response["Content-Security-Policy"]
        for directive in ("script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'"):
            assert directive in policy, path
        assert "unsafe" not in policy, path
        assert response["X-Content-Type-Options"] == "nosniff", path
        assert response["Referrer-Policy"] == "same-origin", path


@pytest.mark.parametrize("path", PAGES)
def test_it_needs_no_inline_script_or_style_on_any_page(
    path: str, personas: Any, client_for: Callable[[str], Client], acme: Workspace
) -> None:
    post = actions.create_post(
        workspace=acme,
        actor=None,
        data=actions.PostInput(variants=[actions.VariantInput("acme-bsky", "Hello")], objective_id="eu-awareness"),
    )
    response = client_for("owner").get(path.format(post=post.pk))
    assert response.status_code == (404 if "no-such" in path else 200)
    found = parse(response.content.decode())
    assert not found.blocked
    assert not found.hosts


def test_it_serves_the_api_reference_from_its_own_files(client: Client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    found = parse(response.content.decode())
    assert not found.hosts, found.hosts
    assert not found.blocked, found.blocked
    for script in ("swagger-ui-bundle", "swagger-ui-init"):
        assert f"/static/ninja/{script}" in response.content.decode()
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200
