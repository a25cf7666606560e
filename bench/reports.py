"""Benchmark: the monthly report (HTML page) and the six-month report (PDF) of a workspace with
10,000 posts and 1,000,000 engagement readings, and at a tenth of the readings to show how time
grows with them. Baseline in the same run: the naive way, every raw reading of the month read
into Python and summed per channel (what a per-post loop over events amounts to).
Targets: the monthly page under 1 s, the six-month PDF under 5 s.

Each size runs in a process of its own on a fresh database: a SQLite file, and PostgreSQL when
DATABASE_URL names a server. Rows go in with bulk inserts.

    .venv/bin/python bench/reports.py [--sizes 100000,1000000] [--posts 10000] [--runs 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/reports.py
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SLUG = "acme-bench"
BATCH = 20_000


def build(posts: int, readings: int) -> tuple[Any, Any]:
    """The demo plan, `posts` published over the last six finished months on three channels and
    three pillars, `readings` readings spread evenly over them (each post read from the day it
    went out, counts growing), followers every day, 600 conversations."""
    import datetime as dt
    import random

    from django.utils.timezone import now

    from strata.accounts.models import Membership, User
    from strata.analytics.metrics.models import FollowerCount, PostReading
    from strata.engagement.inbox.models import Conversation
    from strata.publishing.models import Post, Variant
    from strata.strategy.actions import import_plan
    from strata.strategy.models import PlanRevision

    rng = random.Random(7)
    workspace, _ = import_plan(
        data=(ROOT / "strata" / "strategy" / "demo.yaml").read_bytes(), filename="demo.yaml", workspace=None, slug=SLUG,
        author=None, source=PlanRevision.Source.IMPORT,
    )  # fmt: skip
    end = now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    start = end - dt.timedelta(days=183)
    PlanRevision.objects.filter(workspace=workspace).update(created_at=start - dt.timedelta(days=30))
    user = User.objects.create_user("bench@acme.example", "a long enough bench password")
    Membership.objects.create(user=user, workspace=workspace, role="owner")
    channels = [("acme-bsky", "bluesky"), ("acme-mastodon", "mastodon"), ("acme-help", "bluesky")]
    pillars = ["routes", "repair-tips", "new-models"]
    span = (end - start).total_seconds()
    made = Post.objects.bulk_create(
        [Post(workspace=workspace, title=f"post {i}", pillar_id=pillars[i % 3], state=Post.State.PUBLISHED) for i in range(posts)],
        batch_size=BATCH,
    )
    published = [start + dt.timedelta(seconds=span * i / posts) for i in range(posts)]
    Variant.objects.bulk_create(
        [
            Variant(post=p, channel_id=channels[i % 3][0], platform=channels[i % 3][1], text=f"text {i}", keys=["k"],
                    state=Variant.State.PUBLISHED, remote_id=f"r{i}", published_at=published[i])
            for i, p in enumerate(made)
        ],
        batch_size=BATCH,
    )  # fmt: skip
    variants = list(Variant.objects.filter(post__workspace=workspace).order_by("pk").values_list("pk", "published_at"))
    per_post = readings // posts
    rows: list[PostReading] = []
    for variant_id, out in variants:
        assert out is not None
        left = (end - out).total_seconds()
        likes = 0
        for n in range(per_post):
            likes += rng.randint(0, 3)
            rows.append(PostReading(variant_id=variant_id, read_at=out + dt.timedelta(seconds=left * (n + 1) / (per_post + 1)),
                                    likes=likes, reposts=likes // 4, replies=likes // 6, quotes=likes // 10))  # fmt: skip
            if len(rows) >= BATCH:
                PostReading.objects.bulk_create(rows)
                rows = []
    PostReading.objects.bulk_create(rows)
    day = start.date()
    counts = []
    while day < end.date():
        for i, (channel, platform_name) in enumerate(channels):
            counts.append(
                FollowerCount(
                    workspace=workspace,
                    channel_id=channel,
                    platform=platform_name,
                    day=day,
                    followers=1000 * (i + 1) + day.toordinal() % 500,
                )
            )
        day += dt.timedelta(days=1)
    FollowerCount.objects.bulk_create(counts)
    Conversation.objects.bulk_create(
        [
            Conversation(workspace=workspace, channel_id="acme-help", platform="bluesky", thread_id=f"t{i}", author_id="a", author_handle="a",
                         started_at=start + dt.timedelta(hours=7 * i), last_inbound_at=start + dt.timedelta(hours=7 * i),
                         due_at=start + dt.timedelta(hours=7 * i + 4), first_answered_at=start + dt.timedelta(hours=7 * i, minutes=rng.randint(5, 600)),
                         answered_at=start + dt.timedelta(hours=7 * i, minutes=30), state="done")
            for i in range(600)
        ]
    )  # fmt: skip
    return workspace, user


def one(database_url: str, posts: int, readings: int, runs: int) -> dict[str, Any]:
    data = tempfile.mkdtemp(prefix="strata-bench-")
    os.environ.update(DATABASE_URL=database_url, STRATA_DATA_DIR=data, DJANGO_SETTINGS_MODULE="strata.settings", ALLOWED_HOSTS="testserver")
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from django.core.management import call_command
    from django.db.models import Sum
    from django.test import Client

    from strata.analytics.kpis.values import today_of
    from strata.analytics.metrics.models import PostReading
    from strata.analytics.reports.months import last_finished_month, month_text
    from strata.analytics.reports.queries import Span

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    workspace, user = build(posts, readings)
    built = time.perf_counter() - began
    month = last_finished_month(today_of(workspace))
    client = Client()
    client.force_login(user)

    def timed(fn: Any) -> float:
        fn()  # warm: the first drawing starts Vega inside vl-convert
        found = []
        for _ in range(runs):
            t = time.perf_counter()
            fn()
            found.append(time.perf_counter() - t)
        return statistics.median(found) * 1000

    def get(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    span = Span.of(
        workspace,
        month,
        (month.replace(day=28) + __import__("datetime").timedelta(days=4)).replace(day=1) - __import__("datetime").timedelta(days=1),
    )

    def naive() -> None:
        """Every reading of the month into Python, growth per post summed per channel."""
        last: dict[int, int] = {}
        first: dict[int, int] = {}
        channel_of = {}
        for variant_id, channel, likes, reposts, replies in (
            PostReading.objects.filter(variant__post__workspace=workspace, read_at__gte=span.begin, read_at__lt=span.finish)
            .order_by("read_at")
            .values_list("variant_id", "variant__channel_id", "likes", "reposts", "replies")
        ):
            first.setdefault(variant_id, likes + reposts + replies)
            last[variant_id] = likes + reposts + replies
            channel_of[variant_id] = channel
        per_channel: dict[str, int] = {}
        for variant_id, total in last.items():
            per_channel[channel_of[variant_id]] = per_channel.get(channel_of[variant_id], 0) + total - first[variant_id]

    from strata.analytics.reports import advice

    def without_advice(url: str) -> None:
        """The same page with advice.recommend() (another module's rules) left out: the report's own share."""
        kept = advice.recommend
        advice.recommend = lambda *a, **k: []
        try:
            get(url)
        finally:
            advice.recommend = kept

    in_month = PostReading.objects.filter(read_at__gte=span.begin, read_at__lt=span.finish).count()
    assert PostReading.objects.aggregate(n=Sum("likes"))["n"] is not None
    m = month_text(month)
    return {
        "database": "PostgreSQL" if database_url.startswith("postgres") else "SQLite",
        "posts": posts,
        "readings": PostReading.objects.count(),
        "readings_in_month": in_month,
        "build_s": round(built, 1),
        "monthly_html_ms": round(timed(lambda: get(f"/w/{SLUG}/reports/monthly/{m}/"))),
        "monthly_json_ms": round(timed(lambda: get(f"/w/{SLUG}/reports/monthly/{m}.json"))),
        "monthly_html_no_advice_ms": round(timed(lambda: without_advice(f"/w/{SLUG}/reports/monthly/{m}/"))),
        "six_month_pdf_no_advice_ms": round(timed(lambda: without_advice(f"/w/{SLUG}/reports/six-month/{m}.pdf"))),
        "six_month_pdf_ms": round(timed(lambda: get(f"/w/{SLUG}/reports/six-month/{m}.pdf"))),
        "naive_month_ms": round(timed(naive)),
    }


def fresh_postgres(admin_url: str) -> str:
    import psycopg

    name = f"strata_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name


def drop_postgres(url: str) -> None:
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="readings, comma-separated")
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--one", nargs=2, metavar=("DATABASE_URL", "READINGS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one[0], args.posts, int(args.one[1]), args.runs)))
        return
    server = os.environ.get("DATABASE_URL", "")
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        urls = [f"sqlite:///{tempfile.mkdtemp(prefix='strata-bench-')}/bench.sqlite3"]
        if server.startswith("postgres"):
            urls.append(fresh_postgres(server))
        for url in urls:
            try:
                done = subprocess.run(
                    [sys.executable, __file__, "--one", url, str(size), "--posts", str(args.posts), "--runs", str(args.runs)],
                    capture_output=True, text=True, check=True,
                )  # fmt: skip
            finally:
                if url.startswith("postgres"):
                    drop_postgres(url)
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(json.dumps(results[-1]), flush=True)
    cores = os.cpu_count()
    print(f"\n{platform.machine()}, {cores} cores, Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}")
    print(
        "| database | posts | readings | in the month | monthly page | monthly JSON | six-month PDF | page without advice "
        "| PDF without advice | naive month over raw readings |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['database']} | {r['posts']:,} | {r['readings']:,} | {r['readings_in_month']:,} | {r['monthly_html_ms']} ms | "
            f"{r['monthly_json_ms']} ms | {r['six_month_pdf_ms']} ms | {r['monthly_html_no_advice_ms']} ms | "
            f"{r['six_month_pdf_no_advice_ms']} ms | {r['naive_month_ms']} ms |"
        )


if __name__ == "__main__":
    main()
