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


def test_the_query_form_tries_the_query_being_written(owner: Client) -> None:
    page = owner.get("/w/acme/plan/queries/new/").content.decode()
    assert 'hx-post="/w/acme/query-trial/"' in page
    assert 'hx-include="#f-query, #f-language"' in page
    answer = owner.post(
        "/w/acme/query-trial/", {"query": "commut* NEAR/5 bike*", "language": "", "text": "Commuting by bike today"}, HTTP_HX_REQUEST="true"
    )
    assert answer.status_code == 200
    assert "Matches." in answer.content.decode()
    wrong = owner.post("/w/acme/query-trial/", {"query": "bike NEAR/x ride", "text": "bike ride"}, HTTP_HX_REQUEST="true").content.decode()
    assert "cannot be read</strong> at line 1, column 6" in wrong
