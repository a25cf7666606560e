"""strata metrics collect [--once | --enqueue] | strata metrics show --workspace SLUG [--days 30] [--top 10] [--format json]"""

from __future__ import annotations

import datetime as dt
import json
import signal
import threading
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.analytics.metrics import collect, queries, tasks
from strata.publishing.delivery import worker_name


class Command(BaseCommand):
    help = "Read followers and post counts from the platforms, or show what was read."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{collect,show}")
        collecting = sub.add_parser("collect", help="read what is due: followers once a day, posts on their schedule")
        collecting.add_argument("--once", action="store_true", help="one round, then exit")
        collecting.add_argument("--interval", type=float, default=collect.INTERVAL, help="seconds between rounds")
        collecting.add_argument(
            "--enqueue", action="store_true", help="do not read here: enqueue one task per due channel and batch for the task workers"
        )
        show = sub.add_parser("show", help="followers per channel (gaps shown) and the top posts by engagement")
        show.add_argument("--workspace", required=True)
        show.add_argument("--days", type=int, default=30, help="days of followers, up to today (default 30)")
        show.add_argument("--top", type=int, default=10, help="how many posts (default 10)")
        show.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "collect":
            self.collect(options)
        else:
            self.show(options)

    def collect(self, options: dict[str, Any]) -> None:
        if options["enqueue"]:
            while True:
                enqueued = tasks.enqueue_due()
                if options["once"]:
                    self.stdout.write(f"enqueued {enqueued} task(s)")
                    return
                time.sleep(max(options["interval"], 1.0))
        if options["once"]:
            done = collect.collect_once()
            self.stdout.write(
                f"followers of {done.followers} channel(s), {done.readings} post reading(s), {done.scheduled} post(s) newly scheduled"
            )
            return
        stopping = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopping.set())
        signal.signal(signal.SIGINT, lambda *_: stopping.set())
        worker = worker_name()
        self.stdout.write(f"metrics {worker} collecting; Ctrl-C stops it")
        collect.collect_forever(stop=stopping, worker=worker, interval=options["interval"])

    def show(self, options: dict[str, Any]) -> None:
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"no workspace '{options['workspace']}'")
        if not 1 <= options["days"] <= 366 or not 1 <= options["top"] <= 1000:
            raise CommandError("--days goes from 1 to 366 and --top from 1 to 1000")
        until = now().astimezone(queries.zone_of(workspace)).date()
        since = until - dt.timedelta(days=options["days"] - 1)
        report = _report(workspace, since, until, options["top"])
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False))
            return
        self.stdout.write(f"Followers per day, {since} to {until} ({workspace.timezone})")
        if not report["followers"]:
            self.stdout.write("  no channel is measured yet: connect one, and run `strata metrics collect`")
        for channel, series in report["followers"].items():
            self.stdout.write(f"  {channel}")
            for point in series:
                shown = f"{point['followers']:>10}" if point["followers"] is not None else f"{'-':>10}  gap: {point['gap'] or 'not read'}"
                self.stdout.write(f"    {point['day']}  {shown}")
        self.stdout.write("Top posts by engagement (likes + reposts + replies + quotes, newest reading)")
        if not report["top_posts"]:
            self.stdout.write("  no post has been read yet")
        for post in report["top_posts"]:
            quotes = post["quotes"] if post["quotes"] is not None else "-"
            self.stdout.write(
                f"  {post['engagement']:>8}  {post['likes']:>6} likes  {post['reposts']:>6} reposts  {post['replies']:>6} replies  "
                f"{quotes:>6} quotes  {post['channel']}  {post['title']}"
            )


def _report(workspace: Workspace, since: dt.date, until: dt.date, top: int) -> dict[str, Any]:
    followers = {}
    for channel in queries.channels_measured(workspace):
        gaps = queries.gap_reasons(workspace, channel, since, until)
        series = queries.followers_series(workspace, channel, since, until)
        followers[channel] = [{"day": day.isoformat(), "followers": count, "gap": gaps.get(day, "")} for day, count in series]
    posts = [
        {
            "variant": variant.pk,
            "post": variant.post_id,
            "channel": variant.channel_id,
            "title": variant.post.title or variant.text[:60],
            "url": variant.remote_url,
            "likes": reading.likes,
            "reposts": reading.reposts,
            "replies": reading.replies,
            "quotes": reading.quotes,
            "engagement": reading.engagement,
            "read_at": reading.read_at.isoformat(),
        }
        for variant, reading in queries.top_posts(workspace, top)
    ]
    return {"workspace": workspace.slug, "since": since.isoformat(), "until": until.isoformat(), "followers": followers, "top_posts": posts}
