"""A production deployment behind TLS: settings from the environment that `check --deploy`
accepts, the SQLite file readable by Strata's account only, and calendar tokens kept hashed."""

from __future__ import annotations

import os
import re
import secrets
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from strata.accounts.models import Workspace
from strata.publishing.models import PublishingSettings
from tests.conftest import ROOT

# Processes, parsers or the command line, not what differs between databases: the SQLite pass only.
pytestmark = pytest.mark.one_database

STRATA = str(ROOT / ".venv" / "bin" / "strata")


def production(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "SECURE_", "STRATA_", "DJANGO_"))}
    env.update(
        STRATA_DATA_DIR=str(data_dir),
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        SITE_URL="https://strata.example.org",
        ALLOWED_HOSTS="strata.example.org,testserver",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="1",
        SECURE_HSTS_PRELOAD="1",
        SECURE_SSL_REDIRECT="1",
        STRATA_BEHIND_TLS_PROXY="1",
    )
    env.update(extra)
    return env


def strata(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([STRATA, *args], env=env, capture_output=True, text=True, timeout=120, check=False)


def test_it_passes_the_deployment_check_with_the_production_settings(tmp_path: Path) -> None:
    result = strata(production(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# Run in the production process: the settings are read from the environment once, at start-up.
REQUESTS = """
from django.test import Client
plain = Client().get("/login/", HTTP_HOST="strata.example.org")
print("plain", plain.status_code, plain.get("Location"))
proxied = Client().get("/login/", HTTP_HOST="strata.example.org", HTTP_X_FORWARDED_PROTO="https")
cookie = proxied.cookies.get("csrftoken")
print("proxied", proxied.status_code, proxied.get("Strict-Transport-Security"), cookie and cookie["secure"])
"""


def test_it_sends_plain_http_to_https_and_believes_the_tls_proxy(tmp_path: Path) -> None:
    result = strata(production(tmp_path), "shell", "-c", REQUESTS)
    assert result.returncode == 0, result.stderr
    assert "plain 301 https://strata.example.org/login/" in result.stdout
    assert "proxied 200 max-age=31536000; includeSubDomains; preload True" in result.stdout


def test_it_does_not_believe_x_forwarded_proto_unless_told_it_is_behind_a_proxy(tmp_path: Path) -> None:
    result = strata(production(tmp_path, STRATA_BEHIND_TLS_PROXY="0"), "shell", "-c", REQUESTS)
    assert result.returncode == 0, result.stderr
    assert "proxied 301" in result.stdout


def test_it_refuses_a_negative_hsts_duration_at_start_up(tmp_path: Path) -> None:
    result = strata(production(tmp_path, SECURE_HSTS_SECONDS="-1"), "check")
    assert result.returncode == 2
    assert result.stderr.startswith("strata: SECURE_HSTS_SECONDS=-1: expected a number of seconds")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("DATABASE_URL", "mysqlx://db/strata", "DATABASE_URL='mysqlx://db/strata': expected postgres://"),
        ("DATABASE_URL", "postgres://db:port/strata", "DATABASE_URL='postgres://db:port/strata': expected postgres://"),
        ("DATABASE_CONN_MAX_AGE", "ten", "DATABASE_CONN_MAX_AGE='ten': expected a whole number"),
    ],
)
def test_a_bad_setting_is_named_in_one_line_not_a_traceback(tmp_path: Path, variable: str, value: str, says: str) -> None:
    result = strata(production(tmp_path, **{variable: value}), "check")
    assert result.returncode == 2
    assert result.stderr.startswith(f"strata: {says}")
    assert "Traceback" not in result.stderr


def test_an_empty_database_url_means_the_default_sqlite_file(tmp_path: Path) -> None:
    result = strata(production(tmp_path, DATABASE_URL=""), "migrate", "--noinput")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "strata.sqlite3").exists()


def test_it_creates_the_sqlite_database_readable_by_its_owner_only(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "STRATA_"))}
    env["STRATA_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [STRATA, "migrate", "--noinput"], env=env, capture_output=True, text=True, timeout=300, check=False, umask=0o022
    )
    assert result.returncode == 0, result.stderr
    for name in ("strata.sqlite3", "strata.sqlite3-wal", "strata.sqlite3-shm", "secret_key"):
        path = tmp_path / name
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, name


def test_it_keeps_only_a_hash_of_the_calendar_address(personas: Any, client_for: Callable[[str], Client], acme: Workspace) -> None:
    client = client_for("editor")
    shown = client.post("/w/acme/calendar/address/").content.decode()
    [address] = re.findall(r"/w/acme/calendar\.ics\?token=[\w-]+", shown)
    token = address.rsplit("=", 1)[1]
    assert Client().get(address).status_code == 200
    stored = PublishingSettings.objects.filter(workspace=acme).values()[0]
    assert token not in str(stored)
    assert token not in client.get("/w/acme/calendar/").content.decode()  # shown once, when made

    client.post("/w/acme/calendar/address/")  # a new address replaces it
    assert Client().get(address).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_it_keeps_calendar_addresses_made_before_tokens_were_hashed() -> None:
    executor = MigrationExecutor(connection)
    before = [("publishing", "0001_initial")]
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    workspace = old.get_model("accounts", "Workspace").objects.create(name="Old", slug="old")
    old.get_model("publishing", "PublishingSettings").objects.create(workspace_id=workspace.pk, ical_token="an-old-address-token")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(latest)

    assert Client().get("/w/old/calendar.ics?token=an-old-address-token").status_code == 200
    assert Client().get("/w/old/calendar.ics?token=another").status_code == 404
    assert "an-old-address-token" not in str(list(PublishingSettings.objects.values()))
