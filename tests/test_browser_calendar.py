"""The calendar's week with hours in a real browser (Debian's Chromium via Playwright): drag a post
to another day's hour and it goes out at that hour, keeping its minutes; Alt and an arrow key
do the same without a mouse; on a phone the week is a list of the days that have posts, each
entry with its time and its platform."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils.timezone import now
from playwright.sync_api import Browser, Page, expect

from strata.accounts.models import Membership, User, Workspace
from strata.accounts.roles import Role
from strata.publishing import actions
from strata.publishing.models import Post
from strata.strategy.actions import import_plan
from strata.strategy.models import PlanRevision
from tests.conftest import DEMO_PLAN, PASSWORD
from tests.test_browser import browser  # noqa: F401 - the shared Chromium fixture

pytestmark = pytest.mark.browser
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def workspace(transactional_db: Any) -> Workspace:
    user = User.objects.create_user("lead@acme.example", PASSWORD, name="Lead")
    workspace, _ = import_plan(
        data=DEMO_PLAN.read_bytes(), filename="demo.yaml", workspace=None, slug="acme", author=user, source=PlanRevision.Source.DEMO
    )
    Membership.objects.get_or_create(user=user, workspace=workspace, defaults={"role": Role.OWNER})
    return workspace


def signed_in(browser: Browser, live_server: Any, width: int) -> Page:  # noqa: F811
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Email").fill("lead@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your workspaces")).to_be_visible()
    return page


def route_post(workspace: Workspace, day: dt.date) -> Post:
    """A social post (no mix warning when it moves) at 10:45 on `day`, Acme's time."""
    data = actions.PostInput(
        variants=[actions.VariantInput("acme-bsky", "Route of the week: the canal path, 14 km of it without a single car")],
        title="Canal route",
        objective_id="eu-awareness",
        pillar_id="routes",
    )
    post = actions.approve(post=actions.create_post(workspace=workspace, actor=None, data=data), actor=None)
    return actions.schedule(post=post, actor=None, at=dt.datetime.combine(day, dt.time(10, 45), workspace.tzinfo))


@pytest.fixture
def wide(browser: Browser, live_server: Any, workspace: Workspace) -> Iterator[Page]:  # noqa: F811
    page = signed_in(browser, live_server, 1280)
    yield page
    page.context.close()


@pytest.fixture
def phone(browser: Browser, live_server: Any, workspace: Workspace) -> Iterator[Page]:  # noqa: F811
    page = signed_in(browser, live_server, 390)
    yield page
    page.context.close()


def test_dragging_a_post_to_an_hour_moves_it_there(wide: Page, workspace: Workspace) -> None:
    day = (now() + dt.timedelta(days=3)).astimezone(workspace.tzinfo).date()
    post = route_post(workspace, day)
    wide.goto(f"/w/acme/calendar/?view=week&date={day.isoformat()}")
    entry = wide.locator(f'[data-slot="{day.isoformat()}T10"] [data-post="{post.pk}"]')
    expect(entry).to_contain_text("10:45 Canal route")
    expect(entry.get_by_title("Bluesky")).to_be_visible()

    target = day + dt.timedelta(days=1) if day.weekday() < 6 else day - dt.timedelta(days=1)
    entry.drag_to(wide.locator(f'[data-slot="{target.isoformat()}T14"]'))
    # (Nothing is connected here: the message goes on to say so.)
    expect(wide.get_by_role("status")).to_contain_text(
        f"Canal route moved to {target.strftime('%a %d %b')}, 14:45. acme-bsky is not connected"
    )
    # The week is loaded again with the post in its new row; the message stays.
    expect(wide.locator(f'[data-slot="{target.isoformat()}T14"] [data-post="{post.pk}"]')).to_contain_text("14:45 Canal route")
    expect(wide.locator(f'[data-slot="{day.isoformat()}T10"] [data-post]')).to_have_count(0)
    post.refresh_from_db()
    assert post.scheduled_at == dt.datetime.combine(target, dt.time(14, 45), workspace.tzinfo)


def test_alt_and_an_arrow_key_move_the_focused_post(wide: Page, workspace: Workspace) -> None:
    day = (now() + dt.timedelta(days=3)).astimezone(workspace.tzinfo).date()
    post = route_post(workspace, day)
    wide.goto(f"/w/acme/calendar/?view=week&date={day.isoformat()}")
    wide.locator(f'[data-post="{post.pk}"]').focus()
    wide.keyboard.press("Alt+ArrowDown")
    moved = wide.locator(f'[data-slot="{day.isoformat()}T11"] [data-post="{post.pk}"]')
    expect(moved).to_contain_text("11:45 Canal route")
    expect(moved).to_be_focused()  # back on the post, in its new place, for the next key
    other = day - dt.timedelta(days=1) if day.weekday() > 0 else day + dt.timedelta(days=1)  # in the same week
    wide.keyboard.press("Alt+ArrowLeft" if other < day else "Alt+ArrowRight")
    expect(wide.locator(f'[data-slot="{other.isoformat()}T11"] [data-post="{post.pk}"]')).to_be_focused()
    expect(wide.get_by_role("status")).to_contain_text(f"Canal route moved to {other.strftime('%a %d %b')}, 11:45.")
    post.refresh_from_db()
    assert post.scheduled_at == dt.datetime.combine(other, dt.time(11, 45), workspace.tzinfo)


def test_on_a_phone_the_week_is_a_list_of_days_with_their_posts(phone: Page, workspace: Workspace) -> None:
    day = (now() + dt.timedelta(days=3)).astimezone(workspace.tzinfo).date()
    post = route_post(workspace, day)
    phone.goto(f"/w/acme/calendar/?view=week&date={day.isoformat()}")
    expect(phone.get_by_role("heading", name=f"{day:%A} {day.day} {day:%B}")).to_be_visible()
    expect(phone.locator(f'[data-post="{post.pk}"]')).to_contain_text("10:45 Canal route")
    expect(phone.locator(".hour-label").first).to_be_hidden()
    # Days with nothing on them are left out, today excepted.
    monday = day - dt.timedelta(days=day.weekday())
    today = now().astimezone(workspace.tzinfo).date()
    quiet = next(d for d in (monday + dt.timedelta(days=n) for n in range(7)) if d not in (day, today))
    expect(phone.locator(f'[data-day="{quiet.isoformat()}"]')).to_have_count(1)
    expect(phone.locator(f'[data-day="{quiet.isoformat()}"]')).to_be_hidden()
    assert phone.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
