"""strata demo: make the demo user and the Acme Bikes workspace, and print how to sign in."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils.timezone import now

from strata.accounts.models import Membership, User, Workspace
from strata.accounts.roles import Role
from strata.strategy.actions import import_plan
from strata.strategy.models import PlanRevision

DEMO_EMAIL = "demo@strata.localhost"
DEMO_PLAN = Path(__file__).resolve().parents[2] / "demo.yaml"


def login_file() -> Path:
    return Path(settings.DATA_DIR) / "demo-login.txt"


def demo_posts(workspace: Workspace, user: User) -> None:
    """A few posts in different states, so that the calendar has something to show. The demo's
    channels are not connected: connect one (Channels) to publish for real."""
    from django.apps import apps

    if not apps.is_installed("strata.publishing"):
        return
    from strata.publishing import actions
    from strata.publishing.models import Post

    if Post.objects.filter(workspace=workspace).exists():
        return
    tz = workspace.tzinfo
    today = now().astimezone(tz).date()

    def at(days: int, hour: int) -> dt.datetime:
        return dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour), tz)

    def post(title: str, variants: list[tuple[str, str]], **kind: str) -> Post:
        data = actions.PostInput(variants=[actions.VariantInput(c, t) for c, t in variants], title=title, **kind)
        return actions.create_post(workspace=workspace, actor=user, data=data)

    canal = post(
        "Route of the week",
        [
            ("acme-bsky", "Route of the week: the Landwehr canal path, flat and car-free from Kreuzberg to Charlottenburg. #BikeToWork"),
            (
                "acme-mastodon",
                "This week's commuter route follows the Landwehr canal: 9 km, almost no traffic lights, and two good coffee stops. Map and elevation profile on our site.",
            ),
        ],
        pillar_id="routes",
    )
    actions.approve(post=canal, actor=user)
    actions.schedule(post=canal, actor=user, at=at(2, 8))
    chain = post(
        "Quiet chain",
        [("acme-help", "Squeaky chain? Wipe it, then one drop of oil per link, then wipe again. Questions welcome here.")],
        pillar_id="repair-tips",
    )
    actions.approve(post=chain, actor=user)
    actions.schedule(post=chain, actor=user, at=at(4, 17))
    sale = post(
        "Winter helmet sale",
        [("acme-bsky", "Winter helmets are 20 % off until Sunday in every Acme shop.")],
        objective_id="eu-awareness",
        kind="promotional",
    )
    actions.submit(post=sale, actor=user)
    post(
        "Rain gear guide (draft)",
        [("acme-mastodon", "What we wear when it pours: a short guide to staying dry on the way to work.")],
        pillar_id="routes",
    )


def demo_conversations(workspace: Workspace) -> None:
    from django.apps import apps

    if apps.is_installed("strata.engagement"):
        from strata.engagement.inbox import demo

        demo.seed(workspace)
        from strata.engagement.ambassadors import demo as ambassadors_demo

        ambassadors_demo.seed(workspace)  # after the inbox's, which seeds only a workspace that heard nothing


def demo_history(workspace: Workspace, user: User) -> None:
    """Six months of published posts, numbers and closed conversations, for the reports and the
    advice. After the posts and the live inbox, which each seed only a workspace without any."""
    from django.apps import apps

    if apps.is_installed("strata.analytics"):
        from strata.analytics import demo

        demo.seed(workspace, user)


class Command(BaseCommand):
    help = "Create the demo workspace (Acme Bikes) and a demo user, and print the login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--slug", default="acme-bikes")

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["slug"]
        with transaction.atomic():
            user = User.objects.filter(email=DEMO_EMAIL).first()
            if user is None:
                # A fresh random password, kept in the data directory (readable by its owner
                # only) so that later starts can print it again.
                password = secrets.token_urlsafe(12)
                user = User.objects.create_user(DEMO_EMAIL, password, name="Demo Owner")
                path = login_file()
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(password)
                path.chmod(0o600)
            workspace = Workspace.objects.filter(slug=slug).first()
            if workspace is None:
                workspace, _ = import_plan(
                    data=DEMO_PLAN.read_bytes(),
                    filename="demo.yaml",
                    workspace=None,
                    slug=slug,
                    author=user,
                    source=PlanRevision.Source.DEMO,
                )
            Membership.objects.get_or_create(user=user, workspace=workspace, defaults={"role": Role.OWNER})
            demo_posts(workspace, user)
            demo_conversations(workspace)
            demo_history(workspace, user)
        self.stdout.write(self.login_text())

    @staticmethod
    def login_text() -> str:
        path = login_file()
        password = path.read_text().strip() if path.exists() else "(set with: strata changepassword demo@strata.localhost)"
        return f"Demo login: {DEMO_EMAIL} / {password}"
