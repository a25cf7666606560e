"""Benchmark: the listening pipeline on a recorded Bluesky event stream, end to end.

decode (`platforms.bluesky.stream.decode`, frame → Event) → match (`listening.stream.Batch.add`:
every post against every workspace's queries) → classify (the listening model, on the posts a
batch will store) → store (`listening.stream._commit`: the matched posts and the cursor in one
transaction), in the stream's batches of `stream.BATCH` events. The frames come from a recorded
file (`bench/streamfile.py`, 1,000,000 posts by default) instead of a websocket.

Queries: `bench/listening.py`'s, 10, 1,000 and 10,000 of them, spread over ten workspaces (ids
"<workspace>:<query>", as `queries.installation_matcher` makes them). Baseline, in the same run
and process: the same pipeline with the matcher replaced by each query as a regular expression
tried in a loop (`bench/listening.RegexBaseline`), on the first BASELINE_WORK / queries posts
(it would take hours on all of them), reported per post; where both ran, their matches are
compared. SQLite (a file) and PostgreSQL (a database of its own, dropped afterwards).

    .venv/bin/python bench/ingest_pipeline.py [--posts 1000000] [--only sqlite|postgres]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = (10, 1_000, 10_000)
WORKSPACES = 10
BASELINE_WORK = 1_000_000  # query × post tries for the baseline at each size
POSTGRES = "postgres://postgres@127.0.0.1:5432"
DATABASE = "strata_bench_pipeline"
STAGES = ("decode", "match", "classify", "store")


def _django(database_url: str, data_dir: str) -> None:
    os.environ.update(DATABASE_URL=database_url, STRATA_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="strata.settings")
    import django

    django.setup()


def run_pipeline(frames: list[bytes], matcher: Any, cursor_pk: int, worker: str) -> dict[str, Any]:
    """The stream's loop over `frames`, each stage timed; what was matched, by post."""
    from strata.engagement.classify import listening_model
    from strata.engagement.listening import stream
    from strata.platforms.bluesky.stream import decode

    clock = time.perf_counter
    spent = dict.fromkeys(STAGES, 0.0)
    matched: dict[str, dict[int, list[str]]] = {}
    labelled = 0

    def flush(batch: stream.Batch) -> None:
        nonlocal labelled
        t0 = clock()
        labels = listening_model.classify([post.text for post, _ in batch.posts.values()])
        labelled += len(labels)
        t1 = clock()
        stream._commit(cursor_pk, worker, batch)
        spent["classify"] += t1 - t0
        spent["store"] += clock() - t1
        matched.update((uri, m) for uri, (_, m) in batch.posts.items())

    start = clock()
    batch = stream.Batch()
    for frame in frames:
        t0 = clock()
        event = decode(frame)
        t1 = clock()
        if event is not None:
            batch.add(event, matcher)
        spent["decode"] += t1 - t0
        spent["match"] += clock() - t1
        if batch.due():
            flush(batch)
            batch = stream.Batch()
    if batch.events:
        flush(batch)
    total = clock() - start
    return {"posts": len(frames), "seconds": total, "spent": spent, "matched": matched, "labelled": labelled}


def child(database_url: str, posts: int, sizes: list[int], out: str) -> None:
    data_dir = tempfile.mkdtemp(prefix="strata-bench-")
    _django(database_url, data_dir)
    from django.core.management import call_command
    from django.db import connection
    from django.utils.timezone import now

    from bench import streamfile
    from bench.listening import RegexBaseline, make_queries
    from strata.accounts.models import Workspace
    from strata.engagement.classify import listening_model
    from strata.engagement.listening.matcher import Matcher, QuerySpec
    from strata.engagement.models import HeardItem, StreamCursor

    call_command("migrate", verbosity=0)
    workspaces = [Workspace.objects.create(name=f"Brand {i}", slug=f"brand-{i}").pk for i in range(WORKSPACES)]
    frames = list(streamfile.read(streamfile.ensure(posts)))
    listening_model.classify(["loaded before the clock starts"])
    worker = f"bench:{os.getpid()}"
    results = []
    for size in sizes:
        specs = [QuerySpec(f"{workspaces[i % WORKSPACES]}:{s.id}", s.query, s.language) for i, s in enumerate(make_queries(size))]
        t0 = time.perf_counter()
        matcher = Matcher(specs)
        compile_s = time.perf_counter() - t0
        row: dict[str, Any] = {"queries": size, "compile": compile_s}
        sample = min(posts, max(100, BASELINE_WORK // size))
        for name, engine, part in (("baseline", RegexBaseline(specs), frames[:sample]), ("matcher", matcher, frames)):
            HeardItem.objects.all()._raw_delete(HeardItem.objects.db)
            StreamCursor.objects.all().delete()
            cursor = StreamCursor.objects.create(
                platform="bluesky", url=f"bench://{name}/{size}", leased_by=worker, leased_until=now() + dt.timedelta(hours=1)
            )
            result = run_pipeline(part, engine, cursor.pk, worker)
            result["stored"] = HeardItem.objects.count()
            result["matched_posts"] = len(result["matched"])
            row[name] = result
        head = {uri for uri in row["matcher"]["matched"] if int(uri.rsplit("/", 1)[-1][2:]) <= sample}
        row["same"] = row["baseline"]["matched"] == {uri: row["matcher"]["matched"][uri] for uri in head}
        for name in ("baseline", "matcher"):
            del row[name]["matched"]
        results.append(row)
        print(f"  {connection.vendor} {size} queries: {posts / row['matcher']['seconds']:,.0f} posts/s", file=sys.stderr, flush=True)
    Path(out).write_text(json.dumps(results))


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if "model name" in line), "")
    return f"{cpu or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {dt.datetime.now(dt.UTC):%Y-%m-%d}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--child", nargs=2, metavar=("DATABASE_URL", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.child:
        child(args.child[0], args.posts, sizes, args.child[1])
        return

    from bench import streamfile

    path = streamfile.ensure(args.posts)
    print(machine())
    print(f"{args.posts:,} posts from {path.name} ({path.stat().st_size / 1e6:,.0f} MB)\n")
    databases = []
    if args.only != "postgres":
        databases.append(("SQLite", f"sqlite:///{tempfile.mkdtemp(prefix='strata-bench-')}/pipeline.sqlite3", None))
    if args.only != "sqlite":
        databases.append(("PostgreSQL", f"{POSTGRES}/{DATABASE}", DATABASE))
    table = []
    for label, url, pg in databases:
        if pg:
            import psycopg

            with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{pg}"')
        out = tempfile.mktemp(suffix=".json")
        try:
            subprocess.run([sys.executable, __file__, "--posts", str(args.posts), "--sizes", args.sizes, "--child", url, out], check=True)
        finally:
            if pg:
                with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{pg}" WITH (FORCE)')
        table += [(label, row) for row in json.loads(Path(out).read_text())]

    print(
        "| database | queries | posts | posts matched | rows stored | posts/s | decode µs | match µs | classify µs | store µs |"
        " baseline posts | baseline posts/s | baseline match µs | × baseline | same matches |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for label, row in table:
        m, b = row["matcher"], row["baseline"]
        rate, base_rate = m["posts"] / m["seconds"], b["posts"] / b["seconds"]
        per = {k: 1e6 * v / m["posts"] for k, v in m["spent"].items()}
        print(
            f"| {label} | {row['queries']:,} | {m['posts']:,} | {m['matched_posts']:,} | {m['stored']:,} | {rate:,.0f} "
            f"| {per['decode']:.1f} | {per['match']:.1f} | {per['classify']:.1f} | {per['store']:.1f} "
            f"| {b['posts']:,} | {base_rate:,.0f} | {1e6 * b['spent']['match'] / b['posts']:,.0f} | {rate / base_rate:,.1f}× "
            f"| {'yes' if row['same'] else 'NO'} |"
        )
    print(
        "\nµs: per post read from the stream (all posts, matched or not); compile times:",
        ", ".join(f"{label} {row['queries']:,}: {row['compile']:.2f} s" for label, row in table),
    )


if __name__ == "__main__":
    main()
