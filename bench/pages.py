"""Benchmark: every main page of the demo workspace, as a signed-in owner sees it.

The pages are those `tools/screenshots.py` shows (its PAGES), plus the posts list when the
URLconf has one. Each page is asked for once to warm it up, then `--runs` times with Django's
test client (the whole request: middleware, view, template, database), on SQLite and, when
DATABASE_URL names a PostgreSQL server, on a fresh database there too. Baseline in the same
run: the sign-in page for someone not signed in (a form and the layout, no workspace data), so
that the machine's speed is visible beside the pages. `--posts N` adds N posts to the demo's
four (scheduled over the coming and past month), to show what grows with the data.
Target: every page under 300 ms.

    .venv/bin/python bench/pages.py [--runs 30] [--posts 0]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/pages.py
"""

from __future__ import annotations

import argparse
import ast
import contextlib
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
SLUG = "acme-bikes"
TARGET_MS = 300


def screenshot_pages() -> list[tuple[str, str]]:
    """PAGES of tools/screenshots.py, read without importing it (it imports Playwright)."""
    tree = ast.parse((ROOT / "tools" / "screenshots.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "PAGES" for t in node.targets):
            pages: list[tuple[str, str]] = ast.literal_eval(node.value)
            return pages
    raise SystemExit("tools/screenshots.py has no PAGES")


def add_posts(workspace: Any, user: Any, count: int) -> None:
    """`count` approved posts on the demo's channels, half of them scheduled over the next month
    and half published over the last one, a third promotional."""
    import datetime as dt

    from django.utils.timezone import now

    from strata.publishing import actions
    from strata.publishing.models import Post, Variant

    channels = ["acme-bsky", "acme-mastodon", "acme-help"]
    start = now()
    for i in range(count):
        data = actions.PostInput(
            variants=[actions.VariantInput(channels[i % 3], f"Post {i}: a route, a repair tip or an offer, #{i}")],
            title=f"Bench post {i}",
            objective_id="eu-awareness",
            kind="promotional" if i % 3 == 0 else "social",
        )
        post = actions.create_post(workspace=workspace, actor=user, data=data)
        at = start + dt.timedelta(hours=7 + 13 * (i // 2))
        if i % 2:
            at = start - dt.timedelta(hours=7 + 13 * (i // 2))
            Post.objects.filter(pk=post.pk).update(state=Post.State.PUBLISHED, scheduled_at=at)
            Variant.objects.filter(post=post).update(state=Variant.State.PUBLISHED, due_at=at, published_at=at)
        else:
            actions.approve(post=post, actor=user)
            actions.schedule(post=post, actor=user, at=at, accept_mix_warning=True)


def measure(database_url: str, runs: int, posts: int) -> dict[str, Any]:
    """In a process of its own (Django is set up once per process): build the demo, time the pages."""
    data = tempfile.mkdtemp(prefix="strata-bench-pages-")
    os.environ.update(DATABASE_URL=database_url, STRATA_DATA_DIR=data, DJANGO_SETTINGS_MODULE="strata.settings", ALLOWED_HOSTS="testserver")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    from strata.accounts.models import User, Workspace
    from strata.publishing.models import Post
    from strata.strategy.management.commands.demo import DEMO_EMAIL, login_file

    call_command("migrate", verbosity=0)
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - closed with the process
    user = User.objects.get(email=DEMO_EMAIL)
    workspace = Workspace.objects.get(slug=SLUG)
    if posts:
        add_posts(workspace, user, posts)
    client = Client()
    if not client.login(email=DEMO_EMAIL, password=login_file().read_text().strip()):
        raise SystemExit("could not sign in as the demo owner")

    pages = []
    for name, path in screenshot_pages():
        if path == "first-post":
            first = Post.objects.filter(workspace=workspace).order_by("scheduled_at", "pk").first()
            if first is None:
                continue
            path = f"/w/{{slug}}/posts/{first.pk}/"
        pages.append((name, path.format(slug=SLUG)))
    if all(path != f"/w/{SLUG}/posts/" for _, path in pages):
        with contextlib.suppress(NoReverseMatch):  # the posts list, where the URLconf has one
            pages.append(("posts", reverse("posts-list", args=[SLUG])))

    def timed(c: Client, url: str) -> tuple[list[float], int, int]:
        status = c.get(url).status_code  # warm-up: the parsed plan, templates, connections
        with CaptureQueriesContext(connection) as queries:
            c.get(url)
        count = len(queries)  # now: the next request empties the connection's log
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            c.get(url)
            times.append((time.perf_counter() - start) * 1000)
        return times, count, status

    def summary(times: list[float]) -> dict[str, float]:
        ordered = sorted(times)
        return {"median": statistics.median(ordered), "p95": ordered[max(0, round(0.95 * len(ordered)) - 1)], "max": ordered[-1]}

    rows = []
    baseline_times, baseline_queries, _ = timed(Client(), reverse("login"))
    rows.append({"name": "sign-in page, signed out (baseline)", "path": "/login/", "queries": baseline_queries, **summary(baseline_times)})
    for name, url in pages:
        times, queries, status = timed(client, url)
        rows.append({"name": name, "path": url, "status": status, "queries": queries, **summary(times)})
    return {"rows": rows, "vendor": connection.vendor, "posts": Post.objects.filter(workspace=workspace).count()}


def fresh_postgres(admin_url: str) -> str:
    import psycopg

    name = f"strata_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name


def drop_postgres(url: str) -> None:
    import psycopg

    admin, name = url.rsplit("/", 1)
    with psycopg.connect(admin + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--posts", type=int, default=0, help="posts to add to the demo's four")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.runs, args.posts)))
        return

    databases = [("SQLite", f"sqlite:///{tempfile.mkdtemp(prefix='strata-bench-pages-')}/bench.sqlite3")]
    server = os.environ.get("DATABASE_URL", "")
    if server.startswith("postgres"):
        databases.append(("PostgreSQL", fresh_postgres(server)))
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; {time.strftime('%Y-%m-%d')}")
    print(f"{args.runs} requests per page after one to warm up; milliseconds for the whole request.\n")
    over = []
    for label, url in databases:
        try:
            child = subprocess.run(
                [sys.executable, __file__, "--child", url, "--runs", str(args.runs), "--posts", str(args.posts)],
                check=False,
                capture_output=True,
                text=True,
            )
            if child.returncode:
                raise SystemExit(f"{label}: the measuring process failed\n{child.stderr}")
            out = child.stdout
        finally:
            if url.startswith("postgres"):
                drop_postgres(url)
        result = json.loads(out.strip().splitlines()[-1])
        print(f"**{label}**, demo workspace with {result['posts']} posts\n")
        print("| page | path | queries | median | p95 | max | × baseline |")
        print("|---|---|---|---|---|---|---|")
        base = result["rows"][0]["median"]
        for row in result["rows"]:
            status = "" if row.get("status", 200) == 200 else f" (HTTP {row['status']})"
            print(
                f"| {row['name']}{status} | `{row['path']}` | {row['queries']} | {row['median']:.1f} ms | {row['p95']:.1f} ms | "
                f"{row['max']:.1f} ms | {row['median'] / base:.1f}× |"
            )
            if row["p95"] >= TARGET_MS:
                over.append(f"{label} {row['name']}")
        print()
    print("Every page under 300 ms (p95)." if not over else f"Over 300 ms (p95): {', '.join(over)}")


if __name__ == "__main__":
    main()
