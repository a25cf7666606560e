"""Publishing in a real browser (Debian's Chromium via Playwright) against the real PDS: compose
two variants, see the copy warning and the mix warning, approve, drag the post to another day
(the mix dialog with its numbers, then the message that stays after the grid reloads, and a
refusal told in the same place), and see it published."""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils.timezone import now
from playwright.sync_api import Browser, Page, expect

from strata.accounts.models import Membership, User, Workspace
from strata.accounts.roles import Role
from strata.publishing import actions, delivery
from strata.publishing.models import Post, Variant
from strata.strategy.actions import import_plan
from strata.strategy.models import PlanRevision
from tests.conftest import DEMO_PLAN, PASSWORD
from tests.servers.pds import Pds
from tests.test_browser import browser  # noqa: F401 - the shared Chromium fixture

pytestmark = pytest.mark.browser
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def page(browser: Browser, live_server: Any, transactional_db: Any, pds: Pds) -> Iterator[Page]:  # noqa: F811
    user = User.objects.create_user("lead@acme.example", PASSWORD, name="Lead")
    workspace, _ = import_plan(
        data=DEMO_PLAN.read_bytes(), filename="demo.yaml", workspace=None, slug="acme", author=user, source=PlanRevision.Source.DEMO
    )
    Membership.objects.get_or_create(user=user, workspace=workspace, defaults={"role": Role.OWNER})
    for channel in ("acme-bsky", "acme-help"):
        account = pds.create_account(f"b{uuid.uuid4().hex[:10]}")  # a handle's first label is at most 18 characters
        actions.connect_channel(
            workspace=workspace, actor=user, channel_id=channel, service=pds.url, handle=account.handle, secret=account.app_password
        )
    # One social post already this month, so that a promotional one tips the 30 % target.
    social = actions.create_post(
        workspace=workspace,
        actor=user,
        data=actions.PostInput(variants=[actions.VariantInput("acme-bsky", "Route of the week: the canal path")], pillar_id="routes"),
    )
    actions.approve(post=social, actor=user)
    actions.schedule(post=social, actor=user, at=now() + dt.timedelta(hours=1))
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 1000}, timezone_id="Europe/Berlin")
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Email").fill("lead@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    yield page
    context.close()


def test_compose_approve_drag_and_publish(page: Page, pds: Pds) -> None:
    workspace = Workspace.objects.get(slug="acme")
    page.goto("/w/acme/posts/new/")
    page.locator("#f-title").fill("Helmet sale")
    page.locator("#f-kind").select_option("promotional")
    page.locator("#f-objective").select_option("eu-awareness")
    page.locator("#f-text-acme-bsky").fill("Winter helmet sale: 20 % off every Acme helmet until Sunday, in all our Berlin shops")
    page.locator("#f-text-acme-help").fill("Winter helmet sale: 20% off every Acme helmet until Sunday in all our Berlin shops!")
    expect(page.locator('[data-warning="copy"]')).to_contain_text("the same")
    page.locator("#f-text-acme-help").fill("Questions about sizing a helmet? Reply here and we will help you choose.")
    expect(page.locator('[data-warning="copy"]')).to_have_count(0)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name="Helmet sale")).to_be_visible()

    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".messages")).to_contain_text("Approved")
    day = (now() + dt.timedelta(days=2)).astimezone(workspace.tzinfo).date()
    page.locator("#f-at").fill(f"{day.isoformat()}T10:30")
    page.get_by_role("button", name="Schedule").click()
    expect(page.locator('[data-warning="mix"]')).to_contain_text("pushes promotion over the plan's mix")
    page.get_by_role("button", name="Schedule anyway").click()
    expect(page.locator(".messages")).to_contain_text("Scheduled")
    post = Post.objects.get(title="Helmet sale")
    assert post.state == "scheduled"

    page.goto(f"/w/acme/calendar/?date={day.isoformat()}")  # the month: a drop on a day keeps the time
    chip = page.locator(f'[data-post="{post.pk}"]')
    target = day + dt.timedelta(days=1) if day.weekday() < 6 else day - dt.timedelta(days=1)
    chip.drag_to(page.locator(f'[data-day="{target.isoformat()}"]'))
    # The mix warning again, as a dialog in the page that gives the numbers: move anyway.
    dialog = page.get_by_role("dialog", name="This move pushes promotion over the plan's mix")
    expect(dialog.locator('[data-channel="acme-bsky"]')).to_have_text("acme-bsky: 1 of 2 posts promotional (50 %), target 30 %")
    expect(dialog.locator('[data-channel="acme-help"]')).to_have_text("acme-help: 1 of 1 posts promotional (100 %), target 30 %")
    dialog.get_by_role("button", name="Move anyway").click()
    expect(dialog).to_be_hidden()
    # The message stays where the person looks, after the grid is loaded again with the post on its new day.
    expect(page.locator(f'[data-day="{target.isoformat()}"] [data-post="{post.pk}"]')).to_contain_text("10:30")
    status = page.get_by_role("status").filter(has_text="moved to")
    expect(status).to_have_text(f"Helmet sale moved to {target.strftime('%a %d %b')}, 10:30.")
    post.refresh_from_db()
    assert post.scheduled_at is not None
    assert post.scheduled_at.astimezone(workspace.tzinfo) == dt.datetime.combine(target, dt.time(10, 30), workspace.tzinfo)

    # A worker claims it while the person drags it back: the refusal is told in the same place.
    Variant.objects.filter(post=post, channel_id="acme-help").update(state=Variant.State.PUBLISHING)
    page.locator(f'[data-post="{post.pk}"]').drag_to(page.locator(f'[data-day="{day.isoformat()}"]'))
    expect(page.locator("#calendar-status")).to_have_text("Not moved: part of this post is being published right now; it cannot be moved")
    expect(page.locator(f'[data-day="{target.isoformat()}"] [data-post="{post.pk}"]')).to_be_visible()
    Variant.objects.filter(post=post, channel_id="acme-help").update(state=Variant.State.SCHEDULED)

    # The day comes: the worker publishes it.
    Variant.objects.filter(post=post).update(due_at=now(), next_attempt_at=now())
    delivery.run_once(worker="browser-test:1")
    page.goto(f"/w/acme/posts/{post.pk}/")
    expect(page.locator("header .badge")).to_have_text("Published")
    expect(page.locator('[data-channel="acme-bsky"]')).to_contain_text("On bluesky")
    uri = Variant.objects.get(post=post, channel_id="acme-bsky").remote_id
    assert re.match(r"^at://did:plc:[a-z0-9]+/app\.bsky\.feed\.post/[a-z2-7]{13}$", uri)
