"""The JSON API: plan import and check with the CLI's messages, element CRUD, OpenAPI."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.test import Client

from strata.accounts.models import ApiToken
from tests.conftest import DEMO_PLAN
from tests.plans import complete_plan_text


def api(token: str) -> Callable[..., Any]:
    client = Client()

    def call(method: str, path: str, body: Any = None, content_type: str = "application/json") -> Any:
        data = body if isinstance(body, (str, bytes)) or body is None else json.dumps(body)
        return getattr(client, method)(f"/api/v1{path}", data=data, content_type=content_type, headers={"authorization": f"Bearer {token}"})

    return call


def test_check_gives_the_same_findings_as_the_cli(db: Any) -> None:
    response = Client().post("/api/v1/plan/check", data=DEMO_PLAN.read_bytes(), content_type="application/yaml")
    assert response.status_code == 200
    assert response.json()["findings"][0]["code"] == "channel.no_purpose"


def test_a_broken_plan_gets_422_with_the_cli_messages(token_for: Callable[[str], str]) -> None:
    text = complete_plan_text().replace("purpose: branding", "purpos: branding")
    response = api(token_for("strategist"))("put", "/workspaces/acme/plan", text, "application/yaml")
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["message"] == "unknown key 'purpos'; did you mean 'purpose'?"
    assert (error["file"], error["path"]) == ("request body", "channels[acme-bsky]")
    assert error["line"] == next(i for i, line in enumerate(text.splitlines(), 1) if "purpos:" in line)


def test_an_import_replaces_the_plan_and_returns_its_review(token_for: Callable[[str], str]) -> None:
    call = api(token_for("owner"))
    response = call("put", "/workspaces/acme/plan", complete_plan_text(), "application/yaml")
    assert response.status_code == 200
    assert response.json()["revision"] == 2
    # The plan is complete; the calendar is empty, so the channel's cadence is not met.
    assert [f["code"] for f in response.json()["findings"]] == ["calendar.cadence_not_met"]
    assert call("get", "/workspaces/acme/plan").json()["plan"]["channels"][0]["id"] == "acme-bsky"
    assert call("get", "/workspaces/acme/plan.yaml").content.decode().startswith("# Strata plan for Acme Bikes")


def test_elements_can_be_added_changed_and_removed(token_for: Callable[[str], str]) -> None:
    call = api(token_for("strategist"))
    created = call(
        "post",
        "/workspaces/acme/plan/pillars",
        {"id": "stories", "name": "Rider stories", "kind": "social", "serves": ["permission-asset"]},
    )
    assert created.status_code == 201
    assert created.json()["serves"] == ["permission-asset"]
    changed = call("put", "/workspaces/acme/plan/pillars/stories", {"id": "stories", "name": "Rider stories", "kind": "promotional"})
    assert changed.json()["kind"] == "promotional"
    assert call("delete", "/workspaces/acme/plan/pillars/stories").status_code == 204
    assert call("get", "/workspaces/acme/plan/pillars/stories").status_code == 404


def test_bad_element_bodies_get_422_with_the_field_named(token_for: Callable[[str], str]) -> None:
    call = api(token_for("owner"))
    bad_json = call("post", "/workspaces/acme/plan/goals", "{not json")
    assert bad_json.status_code == 422
    assert "not JSON" in bad_json.json()["detail"]
    assert call("post", "/workspaces/acme/plan/goals", [1, 2]).status_code == 422
    wrong = call("post", "/workspaces/acme/plan/channels", {"id": "x", "platform": "myspace", "handle": "h"})
    assert wrong.status_code == 422
    assert any("'myspace' is not one of" in e["message"] for e in wrong.json()["errors"])
    duplicate = call("post", "/workspaces/acme/plan/goals", {"id": "grow-eu", "statement": "again"})
    assert duplicate.status_code == 409
    assert call("get", "/workspaces/acme/plan/ghosts").status_code == 404


def test_an_element_still_in_use_cannot_be_removed(token_for: Callable[[str], str]) -> None:
    response = api(token_for("owner"))("delete", "/workspaces/acme/plan/objectives/eu-awareness")
    assert response.status_code == 409
    assert "still used by strategies[permission-asset]" in response.json()["detail"]


def test_a_plan_over_five_megabytes_is_refused(token_for: Callable[[str], str]) -> None:
    response = api(token_for("owner"))("put", "/workspaces/acme/plan", b"#" * (5 * 1024 * 1024 + 10), "application/yaml")
    assert response.status_code in (413, 422)


def test_tokens_are_stored_hashed(token_for: Callable[[str], str]) -> None:
    secret = token_for("owner")
    stored = ApiToken.objects.get()
    assert secret not in (stored.token_hash, stored.hint)
    assert len(stored.token_hash) == 64


def test_the_openapi_schema_documents_every_endpoint(db: Any) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Strata API"
    assert {"/api/v1/workspaces/{slug}/review", "/api/v1/workspaces/{slug}/plan", "/api/v1/plan/check"} <= set(schema["paths"])
    assert "application/yaml" in schema["paths"]["/api/v1/workspaces/{slug}/plan"]["put"]["requestBody"]["content"]


def test_posts_go_through_the_workflow_over_the_api(token_for: Callable[[str], str]) -> None:
    editor, strategist = api(token_for("editor")), api(token_for("strategist"))
    made = editor(
        "post", "/workspaces/acme/posts", {"objective": "eu-awareness", "variants": [{"channel": "acme-bsky", "text": "From a script"}]}
    )
    assert made.status_code == 201
    post_id = made.json()["id"]
    assert editor("post", f"/workspaces/acme/posts/{post_id}/approve").status_code == 403
    assert strategist("post", f"/workspaces/acme/posts/{post_id}/approve").json()["state"] == "approved"
    naive = editor("post", f"/workspaces/acme/posts/{post_id}/schedule", {"at": "2031-01-01T09:00:00"})
    assert naive.status_code == 422
    scheduled = editor("post", f"/workspaces/acme/posts/{post_id}/schedule", {"at": "2031-01-01T09:00:00+01:00"})
    assert scheduled.json()["state"] == "scheduled"
    assert scheduled.json()["scheduled_at"].startswith("2031-01-01T08:00:00")
    bad = editor("post", "/workspaces/acme/posts", {"variants": [{"channel": "nowhere", "text": "x"}]})
    assert bad.status_code == 422
    assert "no channel 'nowhere'" in bad.json()["detail"]


def test_an_unconfirmed_variant_is_settled_over_the_api(token_for: Callable[[str], str], acme: Any) -> None:
    from strata.publishing.models import Post, Variant

    editor, analyst = api(token_for("editor")), api(token_for("analyst"))
    post_id = editor(
        "post", "/workspaces/acme/posts", {"objective": "eu-awareness", "variants": [{"channel": "acme-bsky", "text": "?"}]}
    ).json()["id"]
    outcome = f"/workspaces/acme/posts/{post_id}/variants/acme-bsky/outcome"
    assert editor("post", outcome, {"went_out": True}).status_code == 409  # a draft has no outcome to settle
    Variant.objects.filter(post_id=post_id).update(state="unconfirmed")
    Post.objects.filter(pk=post_id).update(state="unconfirmed")
    assert analyst("post", outcome, {"went_out": True}).status_code == 403
    assert editor("post", outcome, {"went": "yes"}).status_code == 422
    settled = editor("post", outcome, {"went_out": True}).json()
    assert settled["state"] == "published"
    assert [v["state"] for v in settled["variants"]] == ["published"]
