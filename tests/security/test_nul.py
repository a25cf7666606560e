"""A NUL character cannot be stored by PostgreSQL: wherever a request carries one (address,
query string, JSON body, element body), it is refused with a clear 4xx before any query runs."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/workspaces/acme/heard?kind=%00", None),
        ("get", "/api/v1/workspaces/ac%00me/review", None),
        ("post", "/api/v1/workspaces/acme/posts", {"variants": [{"channel": "acme-bsky", "text": "a\\u0000b"}]}),
        ("post", "/api/v1/workspaces/acme/plan/goals", {"id": "g-nul", "statement": "grow\\u0000"}),
        ("post", "/api/v1/workspaces/acme/listening/test", {"query": "bike", "text": "bi\\u0000ke"}),
    ],
)
def test_the_api_refuses_nul_before_any_query(client_for: Callable[[str], Client], method: str, path: str, body: object) -> None:
    import json

    client = client_for("owner")
    if body is None:
        answer = client.get(path)
    else:
        raw = json.dumps(body).replace("\\\\u0000", "\\u0000")
        answer = client.post(path, raw, content_type="application/json")
    assert answer.status_code == 422, answer.content
    assert "NUL" in answer.json()["detail"]
    # The connection is still good for the next request.
    assert client.get("/api/v1/workspaces/acme/review").status_code == 200


def test_a_page_address_with_nul_is_a_bad_request(client_for: Callable[[str], Client]) -> None:
    client = client_for("owner")
    assert client.get("/w/acme/listening/?platform=%00").status_code == 400
    assert client.get("/w/acme/listening/").status_code == 200
