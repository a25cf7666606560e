"""strata demo: make the demo user and the Acme Bikes workspace, and print how to sign in."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from strata.accounts.models import Membership, User, Workspace
from strata.accounts.roles import Role
from strata.strategy.actions import import_plan
from strata.strategy.models import PlanRevision

DEMO_EMAIL = "demo@strata.localhost"
DEMO_PLAN = Path(__file__).resolve().parents[2] / "demo.yaml"


def login_file() -> Path:
    return Path(settings.DATA_DIR) / "demo-login.txt"


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
        self.stdout.write(self.login_text())

    @staticmethod
    def login_text() -> str:
        path = login_file()
        password = path.read_text().strip() if path.exists() else "(set with: strata changepassword demo@strata.localhost)"
        return f"Demo login: {DEMO_EMAIL} / {password}"
