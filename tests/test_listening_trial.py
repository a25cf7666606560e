"""A listening query is tried against sample text before it is saved: over the API (and the
query form, which calls the same action)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client


@pytest.fixture
def owner(client_for: Callable[[str], Client]) -> Client:
    return client_for("owner")


def trial(client: Client, **body: object) -> dict[str, object]:
    answer = client.post("/api/v1/workspaces/acme/listening/test", body, content_type="application/json")
    assert answer.status_code == 200, answer.content
    result: dict[str, object] = answer.json()
    return result


def test_a_query_that_matches_says_so(owner: Client) -> None:
    assert trial(owner, query="bike* NEAR/3 commute", text="My commute by bikes is faster")["matches"] is True


def test_a_query_that_does_not_match_says_so(owner: Client) -> None:
    assert trial(owner, query="bike NOT motorbike", text="I sold my motorbike")["matches"] is False


def test_the_language_beside_the_query_counts(owner: Client) -> None:
    assert trial(owner, query="rad", text="rad", language="de", text_languages=["en"])["matches"] is False
    assert trial(owner, query="rad", text="rad", language="de", text_languages=["de-AT"])["matches"] is True


def test_a_query_that_cannot_be_read_says_where(owner: Client) -> None:
    result = trial(owner, query="acme AND (bike OR", text="anything")
    assert result["matches"] is False
    assert result["line"] == 1
    assert result["column"] == len("acme AND (bike OR") + 1  # where the closing parenthesis was expected
    assert result["error"]


def test_an_oversized_text_is_refused_with_its_field(owner: Client) -> None:
    answer = owner.post("/api/v1/workspaces/acme/listening/test", {"query": "a", "text": "x" * 20_000}, content_type="application/json")
    assert answer.status_code == 422
