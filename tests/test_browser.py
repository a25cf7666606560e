"""The pages in a real browser (Debian's Chromium, driven by Playwright): sign in, build a small
plan through the forms, watch the review change, open the strategy map and follow a gap."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from strata.accounts.actions import create_workspace
from strata.accounts.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("STRATA_REQUIRE_SERVICES") == "1":
            pytest.fail("Chromium is required but /usr/bin/chromium is missing (apt-get install chromium)")
        pytest.skip("Debian's chromium is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu"]
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server: Any, transactional_db: Any) -> Iterator[Page]:
    user = User.objects.create_user("lead@acme.example", PASSWORD, name="Lead")
    create_workspace(user=user, name="Acme Bikes", slug="acme", timezone_name="Europe/Berlin")
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Email").fill("lead@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your workspaces")).to_be_visible()
    yield page
    context.close()


def add(page: Page, kind: str, fields: dict[str, str], checks: tuple[str, ...] = ()) -> None:
    page.goto(f"/w/acme/plan/{kind}/new/")
    for label, value in fields.items():
        field = page.locator(f'[id="f-{label}"]')
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    for value in checks:
        page.get_by_role("checkbox", name=value, exact=True).check()
    page.get_by_role("button", name=re.compile("^Save")).click()
    expect(page.locator(".messages")).to_contain_text("Saved")


def score(page: Page) -> int:
    page.goto("/w/acme/review/")
    return int(page.locator("header .score").inner_text().split("/")[0])


def test_build_a_plan_and_watch_the_review_improve(page: Page) -> None:
    empty = score(page)
    assert empty == 0
    add(page, "people", {"id": "maria", "name": "Maria Lopez"})
    add(page, "goals", {"id": "grow-eu", "statement": "Grow EU revenue 15 % in 2027"})
    add(
        page,
        "objectives",
        {
            "id": "eu-awareness",
            "kind": "awareness",
            "statement": "Commuters know Acme",
            "aligns_with": "grow-eu",
            "owner": "maria",
            "kpi.metric": "followers",
            "kpi.baseline": "12000",
            "kpi.target": "20000",
            "kpi.deadline": "2027-06-30",
        },
    )
    page.goto("/w/acme/review/")
    expect(page.locator("#findings")).to_contain_text("No strategy serves objective 'eu-awareness'")
    before = score(page)
    add(page, "strategies", {"id": "permission-asset", "statement": "Build a permission asset"}, checks=("eu-awareness",))
    page.goto("/w/acme/review/")
    expect(page.locator("#findings")).not_to_contain_text("No strategy serves objective 'eu-awareness'")
    assert before < score(page)
    # the filter narrows the findings in place (htmx), and the address follows
    page.goto("/w/acme/review/")
    page.get_by_label("Severity").select_option("warning")
    expect(page).to_have_url(re.compile(r"severity=warning"))
    expect(page.locator("#findings .finding.error")).to_have_count(0)


def test_a_form_error_is_shown_beside_its_field(page: Page) -> None:
    page.goto("/w/acme/plan/objectives/new/")
    page.locator("#f-id").fill("Not An Id")
    page.locator("#f-statement").fill("Something")
    page.locator("#f-kpi\\.metric").fill("followers")
    page.locator("#f-kpi\\.target").fill("many")
    page.get_by_role("button", name="Save objective").click()
    # the summary at the top takes focus, and each of its links takes focus to its field
    summary = page.get_by_role("alert").filter(has_text="2 problems to fix")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name=re.compile("^KPI › Target")).click()
    expect(page.locator("#f-kpi\\.target")).to_be_focused()
    expect(page.locator("#err-id")).to_contain_text("is not a valid id")
    expect(page.locator("#err-kpi\\.target")).to_contain_text("expected a number")
    expect(page.locator("#f-id")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-id")).to_have_value("Not An Id")


def test_the_strategy_map_marks_gaps_and_a_click_leads_to_the_fix(page: Page) -> None:
    add(page, "goals", {"id": "grow-eu", "statement": "Grow EU revenue"})
    add(page, "objectives", {"id": "eu-awareness", "kind": "awareness", "statement": "Commuters know Acme", "aligns_with": "grow-eu"})
    page.goto("/w/acme/map/")
    gap = page.locator('svg a[data-ref="objective:eu-awareness"]')
    expect(gap).to_have_class(re.compile(r"\bgap-error\b"))
    expect(page.locator('svg a[data-ref="goal:grow-eu"]')).not_to_have_class(re.compile(r"\bgap\b"))
    gap.click()
    expect(page).to_have_url(re.compile(r"/w/acme/plan/objectives/eu-awareness/"))
    expect(page.locator("#findings")).to_contain_text("has no KPI")


def test_keyboard_and_small_screens(page: Page) -> None:
    page.goto("/w/acme/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.set_viewport_size({"width": 390, "height": 844})
    for url in ("/w/acme/", "/w/acme/review/", "/w/acme/plan/channels/new/"):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
