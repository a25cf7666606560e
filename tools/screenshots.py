"""Screenshots of Strata's main pages at 1280 px and on a 390 px phone, to look at what changed.

    ./dev screenshots [DIR] [PAGE ...]      (default var/screenshots, every page)

Runs `strata web` on a fresh SQLite database with the demo workspace, signs in as the demo
owner with Debian's Chromium (Playwright) and saves one full-page PNG per page and width, named
`<page>-<width>.png`, plus `index.html` showing them side by side."""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

SLUG = "acme-bikes"
WIDTHS = {1280: 900, 390: 844}  # width: height of the viewport (an iPhone 12 to 15 at 390)
PAGES = [
    ("home", "/"),
    ("overview", "/w/{slug}/"),
    ("review", "/w/{slug}/review/"),
    ("map", "/w/{slug}/map/"),
    ("calendar", "/w/{slug}/calendar/"),
    ("calendar-week", "/w/{slug}/calendar/?view=week"),
    ("posts", "/w/{slug}/posts/"),
    ("compose", "/w/{slug}/posts/new/"),
    ("post", "first-post"),
    ("channels-connected", "/w/{slug}/channels/"),
    ("posts-csv", "/w/{slug}/posts.csv/"),
    ("listening", "/w/{slug}/listening/"),
    ("ambassadors", "/w/{slug}/ambassadors/"),
    ("inbox", "/w/{slug}/inbox/"),
    ("conversation", "first-conversation"),
    ("inbox-figures", "/w/{slug}/inbox/figures/"),
    ("links", "/w/{slug}/links/"),
    ("results", "/w/{slug}/results/"),
    ("imports", "/w/{slug}/imports/"),
    ("reports", "/w/{slug}/reports/"),
    ("report-monthly", "last-month-report"),
    ("report-six-month", "last-six-month-report"),
    ("proposals", "/w/{slug}/proposals/"),
    ("duty", "/w/{slug}/inbox/calendar/"),
    ("objectives", "/w/{slug}/plan/objectives/"),
    ("channel-form", "/w/{slug}/plan/channels/new/"),
    ("mix", "/w/{slug}/settings/mix/"),
    ("governance", "/w/{slug}/settings/governance/"),
    ("plan-file", "/w/{slug}/file/"),
    ("history", "/w/{slug}/history/"),
    ("members", "/w/{slug}/members/"),
    ("tokens", "/account/tokens/"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def strata(*args: str, env: dict[str, str]) -> str:
    return subprocess.run([sys.executable, "-m", "strata.cli", *args], env=env, check=True, capture_output=True, text=True).stdout


def wait_until_up(url: str, web: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if web.poll() is not None:
            sys.exit(f"strata web stopped (exit {web.returncode})")
        try:
            urllib.request.urlopen(url + "/login/", timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("strata web did not answer within 30 s")


def shoot(page: Page, base: str, out: Path, only: set[str]) -> list[str]:
    names: list[str] = []
    post = None
    for name, path in PAGES:
        if only and name not in only:
            continue
        if path == "first-post":
            page.goto(f"{base}/w/{SLUG}/calendar/")
            link = page.locator("a[href*='/posts/']:not([href*='/posts/new'])").first
            post = link.get_attribute("href") if link.count() else None
            if post is None:
                continue
            path = post
        if path in ("last-month-report", "last-six-month-report"):
            last = (dt.datetime.now(dt.UTC).date().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
            path = f"/w/{{slug}}/reports/{'monthly' if path == 'last-month-report' else 'six-month'}/{last}/"
        if path == "first-conversation":
            page.goto(f"{base}/w/{SLUG}/inbox/")
            link = page.locator(".inbox-open").first
            conversation = link.get_attribute("href") if link.count() else None
            if conversation is None:
                continue
            path = conversation
        page.goto(base + path.format(slug=SLUG))
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(out / f"{name}-{page.viewport_size['width'] if page.viewport_size else 0}.png"), full_page=True)
        names.append(name)
    return names


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "var/screenshots").resolve()
    out.mkdir(parents=True, exist_ok=True)
    data = tempfile.mkdtemp(prefix="strata-screenshots-")
    env = {**os.environ, "STRATA_DATA_DIR": data, "DATABASE_URL": ""}
    strata("migrate", "--verbosity", "0", env=env)
    login = re.search(r"Demo login: (\S+) / (\S+)", strata("demo", env=env))
    if login is None:
        sys.exit("the demo command printed no login")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    web = subprocess.Popen([sys.executable, "-m", "strata.cli", "web", "--port", str(port)], env=env, stdout=subprocess.DEVNULL)
    try:
        wait_until_up(base, web)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox", "--disable-background-networking"]
            )
            names: list[str] = []
            for width, height in WIDTHS.items():
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(base + "/login/")
                page.fill("input[name=email]", login.group(1))
                page.fill("input[name=password]", login.group(2))
                page.click("button[type=submit]")
                page.wait_for_url(re.compile(r".*/(w/.*)?$"))
                names = shoot(page, base, out, set(sys.argv[2:]))
                page.close()
            browser.close()
    finally:
        web.terminate()
        web.wait(10)
    rows = "\n".join(
        f'<h2>{html.escape(n)}</h2><div class="row">'
        + "".join(f'<img src="{html.escape(n)}-{w}.png" alt="{html.escape(n)} at {w} px">' for w in WIDTHS)
        + "</div>"
        for n in names
    )
    (out / "index.html").write_text(
        "<!doctype html><meta charset=utf-8><title>Strata screenshots</title>"
        "<style>body{font-family:system-ui}.row{display:flex;gap:1rem;align-items:start}"
        "img{border:1px solid #ccc;max-width:70%}img+img{max-width:28%}</style>\n" + rows
    )
    print(f"{len(names) * len(WIDTHS)} screenshots in {out} (open index.html)")


if __name__ == "__main__":
    main()
