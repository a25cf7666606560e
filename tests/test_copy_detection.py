"""The same message pushed to several platforms is flagged, even lightly edited; texts written
for each platform on the same topic are not. Checked where a person sees it: the compose
preview's warning and the review's `calendar.same_text` finding."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from strata.accounts.models import Workspace
from strata.publishing import actions
from strata.publishing.actions import PostInput, VariantInput

BASE = (
    "Our new commuter routes through Berlin are live: five rides from Kreuzberg to Mitte, with the climbs, "
    "the traffic lights to avoid and the best cafés on the way. Which one will you try first on Monday? "
    "🚲 https://acme.example/routes"
)

LIGHTLY_EDITED = {
    "a word changed": BASE.replace("on Monday", "on Tuesday"),
    "a word changed in the middle": BASE.replace("the best cafés", "the finest cafés"),
    "punctuation and emoji moved": (
        "🚲 Our new commuter routes through Berlin are live! Five rides from Kreuzberg to Mitte — with the climbs, "
        "the traffic lights to avoid, and the best cafés on the way… Which one will you try first on Monday? "
        "https://acme.example/routes"
    ),
    "a link swapped": BASE.replace("https://acme.example/routes", "https://acme.example/r/berlin?utm_source=mastodon"),
    "all three at once": (
        "Our new commuter routes through Berlin are live! Five rides from Kreuzberg to Mitte, with the climbs, "
        "the traffic lights to avoid and the best cafés on the way. Which one will you try first on Tuesday 🚲 "
        "https://acme.example/r/berlin"
    ),
}

# The same topic, each written for its platform: these are what the check asks for.
WRITTEN_FOR_EACH = {
    "a question to the followers": (
        "Which route do you ride to work in Berlin? Tell us where you stop for coffee on the way and we will "
        "map the favourites next month. 🚲 https://acme.example/routes"
    ),
    "the same opening, then its own message": (
        "Our new commuter routes through Berlin are live. On Mastodon we asked you which stretch needs a detour "
        "when the canal path floods in winter: here are your answers, street by street. https://acme.example/routes"
    ),
    "the first sentence kept, the rest written for Mastodon": (
        "Our new commuter routes through Berlin are live: five rides from Kreuzberg to Mitte, with the climbs, "
        "the traffic lights to avoid and the best cafés on the way. Boosts welcome: every share helps a rider find "
        "a calmer way to work, and your replies with your own detours go into the next edition. https://acme.example/routes"
    ),
    "practical advice on the same routes": (
        "Riding the new Kreuzberg to Mitte route this winter? Lights on, fenders fitted, and leave ten minutes "
        "early for the two long climbs. https://acme.example/routes"
    ),
}


def variants(other: str) -> dict[str, str]:
    return {"acme-bsky": BASE, "acme-mastodon": other}


def preview_warns_of_a_copy(client: Client, texts: dict[str, str]) -> bool:
    form = {"objective": "eu-awareness", **{f"text.{channel}": text for channel, text in texts.items()}}
    html = client.post("/w/acme/posts/new/", form, headers={"HX-Request": "true"}).content.decode()
    assert "Preview" in html  # the preview was drawn: a missing warning means something
    return 'data-warning="copy"' in html


def review_findings(client: Client, token: str) -> set[tuple[str, str]]:
    response = client.get("/api/v1/workspaces/acme/review", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    return {(f["code"], f["ref"]) for f in response.json()["findings"]}


def approved_post(workspace: Workspace, texts: dict[str, str]) -> int:
    post = actions.create_post(
        workspace=workspace,
        actor=None,
        data=PostInput(variants=[VariantInput(c, t) for c, t in texts.items()], objective_id="eu-awareness"),
    )
    return actions.approve(post=post, actor=None).pk


@pytest.mark.parametrize("edit", LIGHTLY_EDITED)
def test_it_flags_a_lightly_edited_copy_while_composing(edit: str, personas: Any, client_for: Callable[[str], Client]) -> None:
    assert preview_warns_of_a_copy(client_for("editor"), variants(LIGHTLY_EDITED[edit]))


@pytest.mark.parametrize("other", WRITTEN_FOR_EACH)
def test_it_leaves_texts_written_for_each_platform_alone_while_composing(
    other: str, personas: Any, client_for: Callable[[str], Client]
) -> None:
    assert not preview_warns_of_a_copy(client_for("editor"), variants(WRITTEN_FOR_EACH[other]))


@pytest.mark.parametrize("edit", LIGHTLY_EDITED)
def test_the_review_names_a_post_whose_variants_are_lightly_edited_copies(
    edit: str, acme: Workspace, personas: Any, client_for: Callable[[str], Client], token_for: Callable[[str], str]
) -> None:
    post_id = approved_post(acme, variants(LIGHTLY_EDITED[edit]))
    assert ("calendar.same_text", f"post:{post_id}") in review_findings(client_for("analyst"), token_for("analyst"))


@pytest.mark.parametrize("other", WRITTEN_FOR_EACH)
def test_the_review_does_not_name_posts_written_for_each_platform(
    other: str, acme: Workspace, personas: Any, client_for: Callable[[str], Client], token_for: Callable[[str], str]
) -> None:
    approved_post(acme, variants(WRITTEN_FOR_EACH[other]))
    findings = review_findings(client_for("analyst"), token_for("analyst"))
    assert not [ref for code, ref in findings if code == "calendar.same_text"]


def test_the_post_page_warns_of_a_copy_between_its_variants(acme: Workspace, personas: Any, client_for: Callable[[str], Client]) -> None:
    copied = approved_post(acme, variants(LIGHTLY_EDITED["a word changed in the middle"]))
    written = approved_post(acme, variants(WRITTEN_FOR_EACH["a question to the followers"]))
    client = client_for("editor")
    assert 'data-warning="copy"' in client.get(f"/w/acme/posts/{copied}/").content.decode()
    assert 'data-warning="copy"' not in client.get(f"/w/acme/posts/{written}/").content.decode()
