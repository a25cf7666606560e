"""Generated requests against every operation of /api/v1, from its own OpenAPI description:
no answer is a server error, every status is one the description lists (errors included), and
every body matches the described schema. Plan bodies are generated from the plan's schema and
sent as YAML as well as JSON."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings

from strata.accounts.models import User
from strata.wsgi import application


@pytest.fixture
def api_schema(personas: dict[str, User]) -> Iterator[Any]:
    # Requests go through the WSGI application itself, whose end closes the database connection;
    # inside a test's transaction that must not happen (Django's own test client does the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")

# Examples per operation. The SQLite pass runs the most; the PostgreSQL pass fewer, for what only
# PostgreSQL refuses (lengths, NUL, time zone offsets, aborted transactions). More on either:
# STRATA_API_EXAMPLES=200 ./dev test tests/security/test_api_schema.py
ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith("postgres")
EXAMPLES = int(os.environ.get("STRATA_API_EXAMPLES", "10" if ON_POSTGRESQL else "25"))


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_described(case: Any, token_for: Callable[[str], str]) -> None:
    if "slug" in (case.path_parameters or {}):
        # Random slugs only ever find nothing (the permission matrix covers other workspaces).
        case.path_parameters["slug"] = "acme"
    # A request that fits the schema may still break a rule of the plan or of a post's state
    # (a time in the past, a post already published): 422 and 409 are right answers to it, and
    # every one of them must be described, which status_code_conformance checks.
    # Each example in a savepoint: on PostgreSQL a database error aborts the whole transaction,
    # and without it every later example (and operation) would fail with it, which Hypothesis
    # then spends many minutes shrinking instead of reporting the first failure.
    with transaction.atomic():
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token_for('owner')}"},
            excluded_checks=[schemathesis.checks.positive_data_acceptance],
        )


def test_the_description_lists_the_errors_and_the_plan_body() -> None:
    import json

    from django.test import Client

    described = json.loads(Client().get("/api/v1/openapi.json").content)
    schedule = described["paths"]["/api/v1/workspaces/{slug}/posts/{post_id}/schedule"]["post"]["responses"]
    assert {"401", "403", "404", "409", "422"} <= set(schedule)
    check = described["paths"]["/api/v1/plan/check"]["post"]
    assert "401" not in check["responses"]  # needs no sign-in
    assert check["requestBody"]["content"]["application/yaml"]["schema"] == {"$ref": "#/components/schemas/PlanDocument"}
    assert "objectives" in described["components"]["schemas"]["PlanDocument"]["properties"]
