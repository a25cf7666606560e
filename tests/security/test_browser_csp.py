"""The Content-Security-Policy in a real browser (Debian's Chromium): the main pages, htmx and
the API reference work under it, and nothing on them is refused."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Error, Page, expect

from strata.accounts.models import Membership, User, Workspace
from strata.accounts.roles import Role
from strata.publishing import actions
from strata.strategy.actions import import_plan
from strata.strategy.models import PlanRevision
from tests.conftest import DEMO_PLAN, PASSWORD
from tests.test_browser import browser  # noqa: F401 - the shared Chromium fixture

pytestmark = pytest.mark.browser

# Installed before any page script runs; the browser reports each refusal as this event.
COLLECT = """
window.__refused = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__refused.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""

PAGES = [
    "/",
    "/account/tokens/",
    "/w/acme/",
    "/w/acme/review/",
    "/w/acme/map/",
    "/w/acme/members/",
    "/w/acme/file/",
    "/w/acme/settings/mix/",
    "/w/acme/plan/objectives/",
    "/w/acme/plan/objectives/new/",
    "/w/acme/calendar/",
    "/w/acme/posts/new/",
    "/w/acme/channels/",
    "/api/v1/docs",
]


@pytest.fixture
def page(browser: Browser, live_server: Any, transactional_db: Any) -> Iterator[Page]:  # noqa: F811
    workspace, _ = import_plan(
        data=DEMO_PLAN.read_bytes(), filename="demo.yaml", workspace=None, slug="acme", author=None, source=PlanRevision.Source.IMPORT
    )
    user = User.objects.create_user("lead@acme.example", PASSWORD, name="Lead")
    Membership.objects.create(user=user, workspace=workspace, role=Role.OWNER)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.add_init_script(COLLECT)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(f"{message.text} {message.location}") if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors  # type: ignore[attr-defined]
    page.goto("/login/")
    page.get_by_label("Email").fill("lead@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your workspaces")).to_be_visible()
    yield page
    context.close()


def refused(page: Page) -> list[str]:
    return list(page.evaluate("window.__refused")) + [e for e in page.errors if "Content Security Policy" in e]  # type: ignore[attr-defined]


def test_it_shows_the_main_pages_without_any_refusal(page: Page) -> None:
    workspace = Workspace.objects.get(slug="acme")
    post = actions.create_post(
        workspace=workspace,
        actor=None,
        data=actions.PostInput(variants=[actions.VariantInput("acme-bsky", "Hello")], objective_id="eu-awareness"),
    )
    for path in [*PAGES, f"/w/acme/posts/{post.pk}/", f"/w/acme/posts/{post.pk}/edit/"]:
        response = page.goto(path)
        assert response is not None
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        page.wait_for_load_state("load")
        assert refused(page) == [], path
    assert page.errors == []  # type: ignore[attr-defined]

    # and an inline script, as an injected one would be, is refused and reported
    with contextlib.suppress(Error):
        page.add_script_tag(content="document.body.dataset.ran = 'yes'")
    assert page.locator("body[data-ran]").count() == 0
    assert any("script-src" in r for r in refused(page))


def test_it_runs_htmx_and_strata_scripts_under_the_policy(page: Page) -> None:
    # htmx swaps the findings in place (its indicator styles come from strata.css)
    page.goto("/w/acme/review/")
    page.get_by_label("Severity").select_option("warning")
    expect(page).to_have_url(re.compile(r"severity=warning"))
    expect(page.locator("#findings .finding.error")).to_have_count(0)
    # the workspace switcher submits on change (strata.js)
    page.goto("/account/tokens/")
    page.locator("#ws-switch").select_option("acme")
    expect(page).to_have_url(re.compile(r"/w/acme/"))
    # removing an element asks first (strata.js), and saying no keeps it
    page.goto("/w/acme/plan/goals/grow-eu/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name=re.compile("^Remove")).click()
    expect(page).to_have_url(re.compile(r"/plan/goals/grow-eu/$"))
    assert refused(page) == []


def test_it_renders_the_api_reference_from_strata_itself(page: Page, live_server: Any) -> None:
    outside: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(live_server.url) else outside.append(request.url))
    page.goto("/api/v1/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.get_by_text("/api/v1/plan/check").first).to_be_visible()
    assert outside == []
    assert refused(page) == []
