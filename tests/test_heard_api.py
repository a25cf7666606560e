"""What was heard, over the API: newest first, filtered by labels as shown (a correction wins),
paged back with `before`; another workspace's items are never listed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.test import Client
from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.engagement import actions
from strata.engagement.models import HeardItem


def heard(workspace: Workspace, n: int, sentiment: str, intents: list[str]) -> HeardItem:
    item = HeardItem(
        workspace=workspace,
        platform="bluesky",
        remote_id=f"at://fan/{workspace.slug}/{n}",
        kind="reply",
        author_id="did:plc:fan",
        author_handle="fan.test",
        text=f"message {n}",
        created_at=now() - dt.timedelta(hours=n),
        sentiment=sentiment,
        intents=intents,
    )
    item.refresh_shown()
    item.save()
    return item


def listed(client: Client, query: str = "") -> list[str]:
    answer = client.get(f"/api/v1/workspaces/acme/heard{query}")
    assert answer.status_code == 200, answer.content
    return [i["text"] for i in answer.json()]


def test_items_are_filtered_by_their_labels_as_shown_and_paged_back(
    acme: Workspace, personas: Any, client_for: Callable[[str], Client]
) -> None:
    heard(acme, 1, "negative", ["complaint"])
    second = heard(acme, 2, "negative", ["question"])
    heard(acme, 3, "positive", ["praise"])
    heard(Workspace.objects.get(slug="rival"), 1, "negative", ["complaint"])
    analyst = client_for("analyst")
    assert listed(analyst) == ["message 1", "message 2", "message 3"]
    assert listed(analyst, "?sentiment=negative") == ["message 1", "message 2"]
    assert listed(analyst, "?intent=question") == ["message 2"]

    actions.correct_labels(item=second, actor=None, sentiment="positive", intents=["praise"])
    assert listed(analyst, "?sentiment=negative") == ["message 1"]
    assert listed(analyst, "?intent=praise") == ["message 2", "message 3"]

    before = (now() - dt.timedelta(hours=1, minutes=30)).isoformat().replace("+00:00", "Z")
    assert listed(analyst, f"?before={before}") == ["message 2", "message 3"]
    assert analyst.get("/api/v1/workspaces/acme/heard?before=0.5").status_code == 422
    naive = analyst.get("/api/v1/workspaces/acme/heard?before=2026-01-01T00:00:00")  # which zone? not guessed
    assert naive.status_code == 422
    assert "give the time with its zone" in naive.content.decode()
    # PostgreSQL refuses a zone 16 hours from UTC with an error of its own: refused here first.
    assert analyst.get("/api/v1/workspaces/acme/heard?before=0264-11-02T00:00:00%2B16:00").status_code == 422
    assert analyst.get("/api/v1/workspaces/acme/heard?before=0001-01-01T00:00:00%2B01:00").status_code == 422
    assert analyst.get("/api/v1/workspaces/acme/heard?before=0264-11-02T00:00:00%2B09:00").status_code == 200
