"""strata post schedule … | strata post list --workspace SLUG [--format json]"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from strata.accounts.actions import ActionError
from strata.accounts.models import Workspace
from strata.publishing import actions
from strata.publishing.models import Post


class Command(BaseCommand):
    help = "Schedule and list posts."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{schedule,list}")
        schedule = sub.add_parser("schedule", help="write, approve and schedule a post for one channel; prints its id")
        schedule.add_argument("--workspace", required=True)
        schedule.add_argument("--channel", required=True)
        schedule.add_argument("--objective", default="", help="the objective it serves (or give --pillar)")
        schedule.add_argument("--pillar", default="")
        schedule.add_argument("--kind", choices=["social", "promotional"], default="")
        schedule.add_argument("--text", required=True)
        schedule.add_argument("--link", default="")
        schedule.add_argument("--reply", action="append", default=[], help="a further part of a thread (repeatable)")
        schedule.add_argument("--at", required=True, help="ISO-8601 with a time zone, e.g. 2026-12-01T09:00:00+01:00")
        schedule.add_argument("--accept-mix-warning", action="store_true", help="schedule even if it pushes promotion over the target")
        listing = sub.add_parser("list", help="the workspace's posts")
        listing.add_argument("--workspace", required=True)
        listing.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"no workspace '{options['workspace']}'")
        if options["action"] == "schedule":
            self.schedule(workspace, options)
        else:
            self.list(workspace, options["format"])

    def schedule(self, workspace: Workspace, options: dict[str, Any]) -> None:
        try:
            at = dt.datetime.fromisoformat(options["at"])
        except ValueError:
            raise CommandError(f"--at {options['at']!r} is not an ISO-8601 time (e.g. 2026-12-01T09:00:00+01:00)") from None
        if at.tzinfo is None:
            raise CommandError("--at needs a time zone (e.g. +01:00 or Z), so that nobody has to guess")
        data = actions.PostInput(
            variants=[actions.VariantInput(options["channel"], options["text"], options["link"], tuple(options["reply"]))],
            objective_id=options["objective"],
            pillar_id=options["pillar"],
            kind=options["kind"],
        )
        try:
            with transaction.atomic():
                post = actions.create_post(workspace=workspace, actor=None, data=data)
                actions.approve(post=post, actor=None)
                actions.schedule(post=post, actor=None, at=at, accept_mix_warning=options["accept_mix_warning"])
        except ActionError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(str(post.pk))

    def list(self, workspace: Workspace, fmt: str) -> None:
        posts = Post.objects.filter(workspace=workspace).prefetch_related("variants").order_by("scheduled_at", "pk")
        rows: list[dict[str, Any]] = [
            {
                "id": post.pk,
                "state": post.state,
                "scheduled_at": post.scheduled_at.isoformat() if post.scheduled_at else None,
                "objective": post.objective_id or None,
                "variants": [
                    {
                        "channel": v.channel_id,
                        "state": v.state,
                        "uri": v.remote_id or None,
                        "url": v.remote_url or None,
                        "error": v.last_error or None,
                    }
                    for v in post.variants.all()
                ],
            }
            for post in posts
        ]
        if fmt == "json":
            self.stdout.write(json.dumps(rows, indent=2))
            return
        for row in rows:
            channels = ", ".join(f"{v['channel']}={v['state']}" for v in row["variants"])
            self.stdout.write(f"{row['id']:>6}  {row['state']:11}  {row['scheduled_at'] or '-':25}  {channels}")
