"""Personas and helpers shared by the tests.

Every role has a persona in the "acme" workspace, and `outsider` owns another workspace: the
outsider must never see anything of acme's."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from strata.accounts.models import ApiToken, Membership, User, Workspace
from strata.accounts.roles import Role
from strata.env import AllowList
from strata.strategy.actions import import_plan
from strata.strategy.models import PlanRevision

ROOT = Path(__file__).resolve().parent.parent
DEMO_PLAN = ROOT / "strata" / "strategy" / "demo.yaml"
REQUIRED = os.environ.get("STRATA_REQUIRE_SERVICES") == "1"


def reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        return False
    return True


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    if os.environ.get("REDIS_URL"):
        return
    for item in items:
        if "redis" in item.keywords and not REQUIRED:
            item.add_marker(pytest.mark.skip(reason="REDIS_URL is not set"))


def pytest_runtest_setup(item: Any) -> None:
    """With services required, a Redis test without Redis fails, loudly and before its fixtures
    start servers: CI must not pass because the tests that need Redis never ran."""
    if REQUIRED and "redis" in item.keywords and not os.environ.get("REDIS_URL"):
        pytest.fail("Redis is required (STRATA_REQUIRE_SERVICES=1) but REDIS_URL is not set: start Redis and set REDIS_URL", pytrace=False)


@pytest.fixture(scope="session")
def pds() -> Any:
    """A real Bluesky PDS for the whole test session."""
    from tests.servers.pds import Pds

    missing = Pds.available()
    if missing:
        if REQUIRED:
            pytest.fail(f"the Bluesky test server is required but cannot run: {missing}")
        pytest.skip(f"the Bluesky test server cannot run: {missing}")
    server = Pds().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def bsky_network() -> Any:
    """A real Bluesky network with the AppView (PLC, PDS, AppView on PostgreSQL in schemas of its
    own) for the whole test session: notifications, threads, search and the PDS's event stream."""
    from tests.servers.network import BlueskyNetwork

    missing = BlueskyNetwork.available()
    if missing:
        if REQUIRED:
            pytest.fail(f"the Bluesky network is required but cannot run: {missing}")
        pytest.skip(f"the Bluesky network cannot run: {missing}")
    network = BlueskyNetwork().start()
    yield network
    network.stop()


# The suite's own servers (the PDS, aiosmtpd, webhook receivers, mastodon-mock) listen on the
# loopback interface, which Strata refuses to reach by default. They are allowed the way an
# administrator allows a self-hosted server; tests/security/test_ssrf.py puts the default back.
TEST_SERVERS = "127.0.0.0/8,::1,localhost"


@pytest.fixture(autouse=True)
def allow_test_servers(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRATA_ALLOW_PRIVATE_HOSTS", TEST_SERVERS)  # for the strata processes tests start
    settings.STRATA_ALLOW_PRIVATE_HOSTS = AllowList.parse(TEST_SERVERS)


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    """Each test starts with an empty cache: sign-in throttling counts there, and failures one
    test provokes must not lock out the next (with REDIS_URL the cache outlives the process)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def fast_hashing(settings: Any) -> None:
    # Argon2 is the real hasher (see test_accounts); tests that make many users use a fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


PASSWORD = "a long enough test password"


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    def make(email: str, name: str = "") -> User:
        return User.objects.create_user(email, PASSWORD, name=name or email.split("@")[0].title())

    return make


@pytest.fixture
def acme(db: Any) -> Workspace:
    """The Acme Bikes workspace with the demo plan."""
    workspace, _ = import_plan(
        data=DEMO_PLAN.read_bytes(), filename="demo.yaml", workspace=None, slug="acme", author=None, source=PlanRevision.Source.IMPORT
    )
    return workspace


@pytest.fixture
def personas(acme: Workspace, make_user: Callable[..., User]) -> dict[str, User]:
    """One user per role in acme, and an outsider who owns a workspace of their own."""
    users = {}
    for role in Role:
        user = make_user(f"{role.value}@acme.example")
        Membership.objects.create(user=user, workspace=acme, role=role)
        users[role.value] = user
    outsider = make_user("outsider@rival.example")
    from tests.plans import complete_plan_text

    rival_plan = complete_plan_text().replace("Acme Bikes", "Rival Cycles").replace("acme", "rival")
    import_plan(
        data=rival_plan.encode(), filename="rival.yaml", workspace=None, slug="rival", author=outsider, source=PlanRevision.Source.IMPORT
    )
    users["outsider"] = outsider
    return users


@pytest.fixture
def client_for(personas: dict[str, User]) -> Callable[[str], Client]:
    def make(persona: str) -> Client:
        client = Client()
        client.force_login(personas[persona])
        return client

    return make


@pytest.fixture
def token_for(personas: dict[str, User]) -> Callable[[str], str]:
    def make(persona: str) -> str:
        _, secret = ApiToken.issue(user=personas[persona], name="tests")
        return secret

    return make


def write(tmp_path: Path, text: str, name: str = "plan.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@contextmanager
def database_of_its_own(directory: Path) -> Iterator[str]:
    """A SQLite file in `directory`, or a fresh PostgreSQL database when the suite runs on
    PostgreSQL (dropped afterwards)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{directory / 'own.sqlite3'}"
        return
    import psycopg

    name = f"strata_own_{uuid.uuid4().hex[:8]}"
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def own_database(tmp_path: Path) -> Iterator[str]:
    """A database of its own for tests that run real Strata processes: a SQLite file, or a
    fresh PostgreSQL database when the suite runs on PostgreSQL."""
    with database_of_its_own(tmp_path) as url:
        yield url
