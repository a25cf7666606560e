"""Benchmark: the short link redirect (/l/<code>) under a real HTTP load generator.

The production server (`strata web`: waitress, one process, its default 8 threads) and, as the
baseline in the same run, Django's development server (`strata runserver`, a thread per
connection) serve the same database on 127.0.0.1; a third server is `strata web` started with
`gc.freeze()` after loading (not what ships: it shows what the garbage collector costs p99). `wrk` drives each for `--seconds` with
`--connections` open connections (a closed loop: each connection sends its next request when
the answer came), spread over `--links` short links, with a browser's user agent, so that every
request takes the path of a person (visitor hash, visitor row, the day's count) rather than
the cheaper one of a bot. After each run the day's clicks in the database are compared with
the requests wrk saw answered: every redirect must have been counted.

Target: ≥ 2,000 redirects a second with p99 under 20 ms, on 2 cores, under the production server.

wrk is not a Python package: `apt-get install wrk` (Debian) first. The load generator shares the
machine's cores with the server and the database, as it would in CI.

    .venv/bin/python bench/redirect.py [--seconds 15] [--connections 8,32] [--links 100]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/redirect.py
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
STRATA = str(ROOT / ".venv" / "bin" / "strata")
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
TARGET_RPS, TARGET_P99_MS = 2000, 20.0
PLAN = b"""strata: 1
workspace: {name: Bench Links}
objectives: [{id: o, kind: awareness, statement: Be known}]
channels: [{id: hook, platform: webhook, handle: hook, purpose: branding}]
"""


def environment(database_url: str, data_dir: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "STRATA_DATA_DIR": data_dir,
        "DJANGO_SETTINGS_MODULE": "strata.settings",
        "LOG_LEVEL": "WARNING",
        "SITE_URL": "https://links.bench.example.org",
    }


def prepare(database_url: str, data_dir: str, links: int) -> list[str]:
    """In a process of its own: migrate, make a workspace and `links` short links; their codes."""
    script = f"""
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from strata.analytics.links.codes import new_code
from strata.analytics.links.models import ShortLink
from strata.strategy.actions import import_plan
from strata.strategy.models import PlanRevision
workspace, _ = import_plan(data={PLAN!r}, filename="b.yaml", workspace=None, slug="bench", author=None, source=PlanRevision.Source.IMPORT)
made = [ShortLink.objects.create(workspace=workspace, code=new_code(), platform="bluesky", objective_id="o", url=f"https://acme.example/r/{{i}}",
        url_hash=str(i), target=f"https://acme.example/r/{{i}}?utm_source=bluesky&utm_medium=social&utm_campaign=o") for i in range({links})]
print(json.dumps([link.code for link in made]))
"""
    out = subprocess.run(
        [sys.executable, "-c", script], env=environment(database_url, data_dir), check=True, capture_output=True, text=True, cwd=ROOT
    )
    codes: list[str] = json.loads(out.stdout.strip().splitlines()[-1])
    return codes


def clicks_counted(database_url: str, data_dir: str) -> dict[str, int]:
    script = """
import json, django
django.setup()
from django.db.models import Sum
from strata.analytics.links.models import ClickDay, DailyVisitor
sums = ClickDay.objects.aggregate(clicks=Sum("clicks"), visitors=Sum("visitors"), bots=Sum("bots"))
print(json.dumps({**{k: v or 0 for k, v in sums.items()}, "visitor_rows": DailyVisitor.objects.count()}))
"""
    out = subprocess.run(
        [sys.executable, "-c", script], env=environment(database_url, data_dir), check=True, capture_output=True, text=True, cwd=ROOT
    )
    counted: dict[str, int] = json.loads(out.stdout.strip().splitlines()[-1])
    return counted


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def server(argv: list[str], env: dict[str, str], probe: str) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(probe, timeout=1)  # our own server, on 127.0.0.1
                break
            except urllib.error.HTTPError:
                break  # it answers (404 for the probe is an answer)
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"{argv[1]} did not start") from None
                time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


# `strata web` as strata/web/management/commands/web.py runs it, but with the objects made while
# starting (Django, the URLconf, the apps: some 200,000) moved out of the cyclic collector's
# reach: a full collection over them stops every thread for 50-130 ms on this machine.
FROZEN = """
import gc, sys
import django
django.setup()
from waitress import serve
from strata.wsgi import application
import strata.urls, strata.analytics.links.views
gc.freeze()
serve(application, host="127.0.0.1", port=int(sys.argv[1]), threads=int(sys.argv[2]), ident="strata")
"""

LUA = """
local codes = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/l/" .. codes[(i %% #codes) + 1], {["User-Agent"] = "%s"})
end
"""


def wrk(port: int, codes: list[str], seconds: int, connections: int, script_dir: str) -> dict[str, Any]:
    script = Path(script_dir) / "codes.lua"
    script.write_text(LUA % (", ".join(f'"{c}"' for c in codes), BROWSER))
    threads = min(2, connections)
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            "5s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}/",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return parse_wrk(out)


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def parse_wrk(out: str) -> dict[str, Any]:
    latency = {int(p): _ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)$", out, re.MULTILINE)}
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Socket errors: (.*)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "requests": requests,
        "rps": rps,
        "p50": latency.get(50),
        "p99": latency.get(99),
        "socket_errors": errors.group(1) if errors else "",
        "bad_answers": int(non_2xx.group(1)) if non_2xx else 0,
    }


def measure(label: str, database_url: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    data_dir = tempfile.mkdtemp(prefix="strata-bench-redirect-")
    codes = prepare(database_url, data_dir, args.links)
    env = environment(database_url, data_dir)
    rows = []
    servers = {
        "strata web (waitress)": lambda port: [STRATA, "web", "--host", "127.0.0.1", "--port", str(port), "--threads", str(args.threads)],
        "strata web + gc.freeze() (not shipped)": lambda port: [sys.executable, "-c", FROZEN, str(port), str(args.threads)],
        "runserver (baseline)": lambda port: (
            [STRATA, "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"]
            if args.dev_single
            else [STRATA, "runserver", f"127.0.0.1:{port}", "--noreload"]
        ),
    }
    for connections in args.connections:
        for name, argv in servers.items():
            port = free_port()
            with server(argv(port), env, f"http://127.0.0.1:{port}/l/0000000"):
                wrk(port, codes, 2, connections, data_dir)  # warm-up: connections, imports, the day's salt
                warm = clicks_counted(database_url, data_dir)
                result = wrk(port, codes, args.seconds, connections, data_dir)
                time.sleep(0.5)  # the last answers' writes
            after = clicks_counted(database_url, data_dir)
            counted = after["clicks"] - warm["clicks"]
            rows.append({"database": label, "server": name, "connections": connections, **result, "counted": counted})
            print(
                f"  {label}, {name}, {connections} connections: {result['rps']:,.0f}/s, p50 {result['p50']} ms, p99 {result['p99']} ms, "
                f"{result['requests']:,} answered, {counted:,} counted",
                file=sys.stderr,
            )
    shutil.rmtree(data_dir, ignore_errors=True)
    return rows


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


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=lambda v: [int(x) for x in v.split(",")], default=[8, 32])
    parser.add_argument("--links", type=int, default=100)
    parser.add_argument("--threads", type=int, default=8, help="strata web's threads (its default: 8)")
    parser.add_argument("--dev-single", action="store_true", help="runserver without threads")
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    databases = []
    if args.only != "postgres":
        databases.append(("SQLite", f"sqlite:///{tempfile.mkdtemp(prefix='strata-bench-redirect-')}/bench.sqlite3"))
    server_url = os.environ.get("DATABASE_URL", "")
    if server_url.startswith("postgres") and args.only != "sqlite":
        databases.append(("PostgreSQL", fresh_postgres(server_url)))
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False).stdout.splitlines()[0]
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores ({cpu_model()}), Python {platform.python_version()}; "
        f"{wrk_version.split(' Copyright')[0]}; {time.strftime('%Y-%m-%d')}"
    )
    print(f"{args.seconds} s per run after 2 s of warm-up, {args.links} links, a browser's user agent (every request a person's click).\n")
    rows = []
    for label, url in databases:
        try:
            rows += measure(label, url, args)
        finally:
            if url.startswith("postgres"):
                drop_postgres(url)
    print("| database | server | connections | redirects/s | p50 | p99 | answered | counted | errors | target met |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        met = row["server"].startswith("strata web") and row["rps"] >= TARGET_RPS and (row["p99"] or 1e9) < TARGET_P99_MS
        errors = ", ".join(filter(None, [row["socket_errors"], f"{row['bad_answers']} not 302" if row["bad_answers"] else ""])) or "none"
        print(
            f"| {row['database']} | {row['server']} | {row['connections']} | {row['rps']:,.0f} | {row['p50']:.2f} ms | {row['p99']:.2f} ms | "
            f"{row['requests']:,} | {row['counted']:,} | {errors} | {'yes' if met else ('—' if 'baseline' in row['server'] else 'no')} |"
        )


if __name__ == "__main__":
    main()
