"""strata post schedule … (--at TIME | --now) | strata post list --workspace SLUG [--format json]"""

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
        sub = parser.add_subparsers(dest="action", required=True, metavar="{schedule,list,delete,duplicate}")
        schedule = sub.add_parser(
            "schedule", help="write (or take a saved post by its id), approve and schedule a post, at a time or now; prints its id"
        )
        schedule.add_argument("--workspace", required=True)
        schedule.add_argument(
            "post", nargs="?", type=int, help="a saved post's id: approve it if need be and schedule it, instead of a new one"
        )
        schedule.add_argument("--channel", help="the channel of a new post")
        schedule.add_argument("--objective", default="", help="the objective it serves (or give --pillar)")
        schedule.add_argument("--pillar", default="")
        schedule.add_argument("--kind", choices=["social", "promotional"], default="")
        schedule.add_argument("--text", help="the text of a new post")
        schedule.add_argument("--link", default="")
        schedule.add_argument("--reply", action="append", default=[], help="a further part of a thread (repeatable)")
        when = schedule.add_mutually_exclusive_group(required=True)
        when.add_argument("--at", help="ISO-8601 with a time zone, e.g. 2026-12-01T09:00:00+01:00")
        when.add_argument("--now", action="store_true", help="publish now: the publisher takes it on its next look")
        schedule.add_argument("--accept-mix-warning", action="store_true", help="schedule even if it pushes promotion over the target")
        listing = sub.add_parser("list", help="the workspace's posts")
        listing.add_argument("--workspace", required=True)
        listing.add_argument("--format", choices=["text", "json"], default="text")
        delete = sub.add_parser("delete", help="delete a post that has not gone out; it is kept with its history")
        delete.add_argument("id", type=int)
        duplicate = sub.add_parser("duplicate", help="copy a post as a new draft without a time; prints the copy's id")
        duplicate.add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] in ("delete", "duplicate"):
            self.one_post(options["action"], options["id"])
            return
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"no workspace '{options['workspace']}'")
        if options["action"] == "schedule":
            self.schedule(workspace, options)
        else:
            self.list(workspace, options["format"])

    def schedule(self, workspace: Workspace, options: dict[str, Any]) -> None:
        at = None if options["now"] else self.time(options["at"])
        if options["post"] is not None:
            self.schedule_saved(workspace, options["post"], at, options["accept_mix_warning"])
            return
        if not options["channel"] or not options["text"]:
            raise CommandError("give a post's id, or --channel and --text for a new post")
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
                if at is None:
                    actions.publish_now(post=post, actor=None, accept_mix_warning=options["accept_mix_warning"])
                else:
                    actions.schedule(post=post, actor=None, at=at, accept_mix_warning=options["accept_mix_warning"])
        except ActionError as exc:
            raise CommandError(exc.message) from None
        for warning in actions.schedule_warnings(post):
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(str(post.pk))

    def schedule_saved(self, workspace: Workspace, post_id: int, at: dt.datetime | None, accept_mix_warning: bool) -> None:
        post = Post.objects.filter(workspace=workspace, pk=post_id).first()
        if post is None:
            raise CommandError(f"no post {post_id} in '{workspace.slug}'")
        try:
            if at is None:
                post = actions.publish_now(post=post, actor=None, approve_first=True, accept_mix_warning=accept_mix_warning)
            else:
                with transaction.atomic():
                    if post.state in (Post.State.DRAFT, Post.State.IN_REVIEW):
                        post = actions.approve(post=post, actor=None)
                    post = actions.schedule(post=post, actor=None, at=at, accept_mix_warning=accept_mix_warning)
        except ActionError as exc:
            raise CommandError(exc.message) from None
        for warning in actions.schedule_warnings(post):
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(str(post.pk))

    @staticmethod
    def time(value: str) -> dt.datetime:
        try:
            at = dt.datetime.fromisoformat(value)
        except ValueError:
            raise CommandError(f"--at {value!r} is not an ISO-8601 time (e.g. 2026-12-01T09:00:00+01:00)") from None
        if at.tzinfo is None:
            raise CommandError("--at needs a time zone (e.g. +01:00 or Z), so that nobody has to guess")
        return at

    def one_post(self, action: str, post_id: int) -> None:
        """`strata post delete ID`, `strata post duplicate ID`: by the post's id, in whatever workspace."""
        post = Post.objects.filter(pk=post_id).first()
        if post is None:
            raise CommandError(f"no post {post_id}")
        try:
            if action == "delete":
                actions.delete_post(post=post, actor=None)
                self.stdout.write(f"deleted post {post.pk}; its history is kept")
            else:
                self.stdout.write(str(actions.duplicate_post(post=post, actor=None).pk))
        except ActionError as exc:
            raise CommandError(exc.message) from None

    def list(self, workspace: Workspace, fmt: str) -> None:
        # The posts list, as on the page: replies are the inbox's.
        posts = Post.objects.filter(workspace=workspace, deleted_at=None, is_reply=False)
        posts = posts.prefetch_related("variants").order_by("scheduled_at", "pk")
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
