"""Every finding leads to where it is fixed, in the words of the forms there: an element's
editor, a post's page, or the section page, which lists the plan-wide findings it fixes."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from strata.accounts.models import Workspace
from strata.publishing import actions as publishing
from strata.publishing.actions import PostInput, VariantInput
from strata.strategy import actions
from strata.strategy.plan.loader import validate_plan
from strata.strategy.refs import ref_url
from strata.strategy.review.registry import REGISTRY
from strata.strategy.store import current_plan
from tests.test_review_checks import CASES

TEXT = "Our new commuter routes through Berlin are live: five rides from Kreuzberg to Mitte, with the best cafés on the way."


def change_plan(workspace: Workspace, change: Callable[[dict[str, Any]], Any]) -> None:
    data = current_plan(workspace).plan.model_dump(mode="json")
    change(data)
    actions.save_plan(workspace=workspace, plan=validate_plan(data, filename="t"), author=None, source="web", summary="test")


@pytest.mark.parametrize("code", sorted(CASES))
def test_every_plan_finding_links_to_a_page_other_than_the_review(code: str) -> None:
    _, ref = CASES[code]
    assert ref_url("acme", ref) != "/w/acme/review/", ref


def test_a_copied_post_links_to_the_post_not_back_to_the_review(acme: Workspace, client_for: Callable[[str], Client]) -> None:
    post = publishing.create_post(
        workspace=acme,
        actor=None,
        data=PostInput(variants=[VariantInput("acme-bsky", TEXT), VariantInput("acme-mastodon", TEXT + "!")], objective_id="eu-awareness"),
    )
    publishing.approve(post=post, actor=None)
    html = client_for("analyst").get("/w/acme/review/?code=calendar.same_text").content.decode()
    assert f'<a href="/w/acme/posts/{post.pk}/" class="finding-message">' in html


def test_promotion_above_the_mix_links_to_the_channels_calendar(acme: Workspace, client_for: Callable[[str], Client]) -> None:
    post = publishing.create_post(
        workspace=acme,
        actor=None,
        data=PostInput(variants=[VariantInput("acme-bsky", "Spring sale: 20 % off")], objective_id="eu-awareness", kind="promotional"),
    )
    publishing.approve(post=post, actor=None)
    html = client_for("analyst").get("/w/acme/review/?code=calendar.mix_drift").content.decode()
    assert '<a href="/w/acme/calendar/?channel=acme-bsky" class="finding-message">' in html


def test_plan_wide_findings_show_on_the_section_page_that_fixes_them(acme: Workspace, client_for: Callable[[str], Client]) -> None:
    change_plan(acme, lambda d: (d["governance"].pop("ringleader"), d["measurement"]["reports"].pop()))
    client = client_for("strategist")
    governance = client.get("/w/acme/settings/governance/").content.decode()
    assert 'data-code="governance.no_ringleader"' in governance
    assert "Choose a ringleader under Governance" in governance
    assert "measurement.no_reports" not in governance
    assert 'data-code="measurement.no_reports"' in client.get("/w/acme/settings/measurement/").content.decode()
    review = client.get("/w/acme/review/?code=governance.no_ringleader").content.decode()
    assert '<a href="/w/acme/settings/governance/" class="finding-message">' in review


def test_the_web_speaks_of_fields_as_the_forms_name_them_and_the_api_keeps_the_plan_file_words(
    acme: Workspace, client_for: Callable[[str], Client], token_for: Callable[[str], str]
) -> None:
    change_plan(acme, lambda d: d["objectives"][0]["kpi"].pop("target"))
    page = client_for("analyst").get("/w/acme/review/?code=objective.no_target").content.decode()
    assert "Fill in KPI › Target" in page
    assert "kpi.target" not in page
    api = client_for("analyst").get("/api/v1/workspaces/acme/review", headers={"Authorization": f"Bearer {token_for('analyst')}"})
    assert "Set kpi.target" in api.content.decode()


def test_no_fix_on_a_web_page_names_a_plan_file_key() -> None:
    key = re.compile(r"\b[a-z]+_[a-z_]+\b|\b[a-z]+\.[a-z]+\b")
    for code, check in REGISTRY.items():
        shown = check.form_fix or check.fix
        assert not key.search(shown), (code, shown)


def test_an_error_about_another_element_names_it_as_the_forms_do(acme: Workspace, client_for: Callable[[str], Client]) -> None:
    # Removing the only person a channel's duty names leaves that channel naming nobody.
    response = client_for("owner").post("/w/acme/plan/people/maria/", {"id": "maria-l", "name": "Maria Lopez"})
    html = response.content.decode()
    assert response.status_code == 422
    assert "Channel &#x27;acme-bsky&#x27; › Who is responsible on which days" in html
    assert "channels[" not in html


# The content mix: the form takes a share as every screen shows it, and refuses one that is not whole.


@pytest.mark.parametrize(("social", "promotional"), [("80%", "20%"), ("80", "20"), ("0.8", "0.2"), ("85 %", "0.15")])
def test_the_mix_form_takes_percentages_and_shares_alike(
    social: str, promotional: str, acme: Workspace, client_for: Callable[[str], Client]
) -> None:
    change_plan(acme, lambda d: d["content"]["mix"].update(social=0.5, promotional=0.5))
    client = client_for("strategist")
    assert client.post("/w/acme/settings/mix/", {"social": social, "promotional": promotional}).status_code == 302
    mix = current_plan(acme).plan.content.mix
    assert round(mix.social + mix.promotional, 9) == 1
    assert mix.promotional <= 0.2
    page = client.get("/w/acme/settings/mix/").content.decode()
    assert f'value="{mix.promotional * 100:g}%"' in page


def test_the_mix_form_refuses_shares_that_do_not_add_up_naming_the_total(acme: Workspace, client_for: Callable[[str], Client]) -> None:
    before = current_plan(acme).revision
    response = client_for("strategist").post("/w/acme/settings/mix/", {"social": "70%", "promotional": "20%"})
    html = response.content.decode()
    assert response.status_code == 422
    assert "social 70 % + promotional 20 % = 90 %: the shares must add up to 100 %" in html
    assert '<a href="#f-social">' in html
    assert 'value="70%"' in html  # what the person typed stays
    assert current_plan(acme).revision == before


def test_the_mix_form_refuses_what_is_not_a_share(acme: Workspace, client_for: Callable[[str], Client]) -> None:
    response = client_for("strategist").post("/w/acme/settings/mix/", {"social": "lots", "promotional": "20%"})
    assert response.status_code == 422
    assert 'id="err-social"' in response.content.decode()


# The setting a refusal names is one link away for an owner; anyone else is told who can change it.


def untied_post(acme: Workspace) -> int:
    post = publishing.create_post(workspace=acme, actor=None, data=PostInput(variants=[VariantInput("acme-bsky", "Just a thought")]))
    return post.pk


def test_an_owner_refused_approval_gets_a_link_to_the_setting_and_finds_it_there(
    acme: Workspace, client_for: Callable[[str], Client]
) -> None:
    owner = client_for("owner")
    page = owner.post(f"/w/acme/posts/{untied_post(acme)}/approve/", follow=True).content.decode()
    assert '<a href="/w/acme/settings/workspace/#publishing">Settings › Publishing</a>' in page
    settings = owner.get("/w/acme/settings/workspace/").content.decode()
    assert 'id="publishing"' in settings
    assert 'name="allow_posts_without_objective"' in settings
    saved = owner.post("/w/acme/publishing-settings/", {"allow_posts_without_objective": "1", "missed_after_minutes": "30"})
    assert saved.url == "/w/acme/settings/workspace/#publishing"
    assert 'name="allow_posts_without_objective" value="1" checked' in owner.get("/w/acme/settings/workspace/").content.decode()


def test_a_strategist_refused_approval_is_told_an_owner_can_allow_it(acme: Workspace, client_for: Callable[[str], Client]) -> None:
    strategist = client_for("strategist")
    page = strategist.post(f"/w/acme/posts/{untied_post(acme)}/approve/", follow=True).content.decode()
    assert "have an owner allow such posts in Settings › Publishing" in page
    assert "#publishing" not in page
    assert "an owner changes them under Settings › Publishing" in strategist.get("/w/acme/channels/").content.decode()
    assert "#publishing" in client_for("owner").get("/w/acme/channels/").content.decode()
