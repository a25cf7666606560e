"""One anonymous request must never stop Strata: plan bodies that nest without end, expand
aliases or are simply huge get the same clear 422 (or exit 2 from the CLI), and the server that
received them answers the next request. Each is sent to a real `strata serve`, so that a crash
shows as a dead process rather than a dead test run."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.servers.pds import free_port

# The parser, the web process and the command line: the server these tests start has a SQLite
# database of its own whichever database the suite runs on. The SQLite pass only.
pytestmark = pytest.mark.one_database

LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9)
)
BODIES = {
    "30,000 nested [": ("[" * 30000).encode(),
    "30,000 nested {a:": ("{a: " * 30000).encode(),
    "30,000 nested - on one line": ("- " * 30000).encode(),
    "1,500 lines, each one level deeper": "".join(" " * i + "-\n" for i in range(0, 3000, 2)).encode(),
    "deep nesting after a valid start": b"strata: 1\nworkspace:\n  name: Acme\ngoals: " + b"[" * 30000,
    "billion laughs": LAUGHS.encode(),
    "20 MB": b"strata: 1\n" + b"# padding\n" * 2_000_000,
}
EXPECTED = {
    "billion laughs": "aliases (*name) are not supported",
    "20 MB": "a plan file may be at most 5 MB",
}
DEEP = "nested more than 100 levels deep"

SETUP = """
import django
django.setup()
from strata.accounts.models import ApiToken, Membership, User, Workspace
user = User.objects.create_user("owner@bombs.example", "a long enough password")
workspace = Workspace.objects.create(slug="bombs", name="Bombs")
Membership.objects.create(user=user, workspace=workspace, role="owner")
print(ApiToken.issue(user=user, name="tests")[1])
"""


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    token: str
    env: dict[str, str]
    browser: httpx.Client | None = None

    def alive(self) -> bool:
        if self.process.poll() is not None:
            return False
        return httpx.get(f"{self.url}/login/", timeout=30).status_code == 200


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("bombs")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{data / 'bombs.sqlite3'}",
        "STRATA_DATA_DIR": str(data),
        "DJANGO_SETTINGS_MODULE": "strata.settings",
    }
    subprocess.run([sys.executable, "-m", "strata.cli", "migrate", "--verbosity", "0"], env=env, check=True, timeout=300)
    token = subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, capture_output=True, text=True, timeout=300).stdout.strip()
    port = free_port()
    # The web app alone: the process that parses the bodies is the one that must survive.
    process = subprocess.Popen([sys.executable, "-m", "strata.cli", "web", "--port", str(port)], env=env)
    srv = Server(process, f"http://127.0.0.1:{port}", token, env)
    deadline = time.monotonic() + 60
    while True:
        try:
            if srv.alive():
                break
        except httpx.HTTPError:
            pass
        assert process.poll() is None, "the web app stopped while starting"
        assert time.monotonic() < deadline, "the web app did not start"
        time.sleep(0.2)
    srv.browser = signed_in(srv.url)
    yield srv
    srv.browser.close()
    process.terminate()
    process.wait(timeout=30)


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def signed_in(url: str) -> httpx.Client:
    """A browser-like client, signed in as the workspace's owner through the sign-in form."""
    browser = httpx.Client(base_url=url, timeout=60, headers={"Referer": url + "/"})
    form = browser.get("/login/").text
    answer = browser.post(
        "/login/", data={"csrfmiddlewaretoken": csrf_token(form), "email": "owner@bombs.example", "password": "a long enough password"}
    )
    assert answer.status_code == 302, answer.text[:500]
    return browser


def upload(server: Server, body: bytes) -> httpx.Response:
    """The plan file page's upload form, as a person would use it."""
    assert server.browser is not None
    token = csrf_token(server.browser.get("/w/bombs/file/").text)
    return server.browser.post(
        "/w/bombs/file/", data={"csrfmiddlewaretoken": token}, files={"file": ("plan.yaml", body, "application/yaml")}
    )


def post_check(server: Server, body: bytes) -> httpx.Response:
    return httpx.post(f"{server.url}/api/v1/plan/check", content=body, headers={"Content-Type": "application/yaml"}, timeout=60)


def put_plan(server: Server, body: bytes) -> httpx.Response:
    return httpx.put(
        f"{server.url}/api/v1/workspaces/bombs/plan",
        content=body,
        headers={"Content-Type": "application/yaml", "Authorization": f"Bearer {server.token}"},
        timeout=60,
    )


@pytest.mark.parametrize("name", list(BODIES))
@pytest.mark.parametrize("send", [post_check, put_plan], ids=["anonymous check", "plan import"])
def test_it_refuses_the_body_clearly_and_keeps_serving(server: Server, name: str, send: object) -> None:
    response = send(server, BODIES[name])  # type: ignore[operator]
    assert server.alive(), f"the server died on: {name}"
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert EXPECTED.get(name, DEEP) in errors[0]["message"]
    assert errors[0]["line"] >= 1


@pytest.mark.parametrize("name", list(BODIES))
def test_the_upload_form_refuses_the_file_clearly_and_keeps_serving(server: Server, name: str) -> None:
    response = upload(server, BODIES[name])
    assert server.alive(), f"the server died on: {name}"
    assert response.status_code == 422
    assert html.escape(EXPECTED.get(name, DEEP), quote=True) in response.text


def test_the_cli_refuses_with_exit_2_and_the_same_message(tmp_path: Path) -> None:
    for name, body in BODIES.items():
        path = tmp_path / "plan.yaml"
        path.write_bytes(body)
        result = subprocess.run(
            [sys.executable, "-m", "strata.cli", "plan", "check", str(path)], capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 2, f"{name}: exit {result.returncode}\n{result.stderr[-500:]}"
        assert EXPECTED.get(name, DEEP) in result.stderr, name
        assert "Traceback" not in result.stderr


def test_a_plan_with_brackets_and_indentation_in_its_text_still_loads() -> None:
    """The quick bound counts brackets without regard to quotes: a text full of them must not
    be mistaken for nesting."""
    from strata.strategy.plan.loader import load_plan
    from tests.plans import complete_plan_text

    text = complete_plan_text().replace("name: Acme Bikes", 'name: "' + "[" * 150 + '"', 1)
    text += "\n# " + "- " * 200 + "\n"
    plan = load_plan(text.encode())
    assert plan.workspace.name == "[" * 150


@st.composite
def hostile_yaml(draw: st.DrawFn) -> bytes:
    """Nesting of every kind, aliases and size, mixed into a plan's opening."""
    depth = draw(st.integers(min_value=90, max_value=20000))
    opener = draw(st.sampled_from(["[", "{a: ", "- ", "? ", "{", "[{a: ", "!!seq ["]))
    head = draw(st.sampled_from(["", "strata: 1\ngoals: ", "strata: 1\nworkspace:\n  name: ", "x: &x "]))
    tail = draw(st.sampled_from(["", "]" * depth, "\n*x\n", "\n" + "y: *x\n" * 50]))
    return (head + opener * depth + tail).encode()


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=hostile_yaml())
def test_hostile_yaml_never_stops_the_server(server: Server, body: bytes) -> None:
    for send in (post_check, put_plan, upload):
        response = send(server, body)
        assert server.alive()
        assert response.status_code in (200, 302, 422), response.text[:300]


@pytest.mark.slow
@settings(max_examples=10, deadline=None)
@given(body=hostile_yaml())
def test_hostile_yaml_on_standard_input_gets_exit_2_not_a_crash(body: bytes) -> None:
    result = subprocess.run([sys.executable, "-m", "strata.cli", "plan", "check", "-"], input=body, capture_output=True, timeout=120)
    assert result.returncode in (0, 1, 2), result.stderr[-500:]
    assert b"Traceback" not in result.stderr
