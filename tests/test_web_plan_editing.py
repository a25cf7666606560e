"""Building the plan in the web app: forms save, show errors beside the field, keep history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from strata.accounts.models import Workspace
from strata.strategy.models import PlanRevision
from strata.strategy.store import current_plan


def plan_of(slug: str = "acme") -> Any:
    return current_plan(Workspace.objects.get(slug=slug)).plan


def test_a_strategist_adds_an_objective_with_its_kpi(client_for: Callable[[str], Client]) -> None:
    response = client_for("strategist").post(
        "/w/acme/plan/objectives/new/",
        {
            "id": "dealer-leads",
            "kind": "leads",
            "statement": "Dealers ask for a demo bike",
            "aligns_with": "grow-eu",
            "owner": "jonas",
            "kpi.metric": "demo requests",
            "kpi.baseline": "10",
            "kpi.target": "60",
            "kpi.deadline": "2027-09-30",
        },
    )
    assert response.status_code == 302
    objective = next(o for o in plan_of().objectives if o.id == "dealer-leads")
    assert objective.kpi is not None
    assert objective.kpi.target == 60
    assert str(objective.kpi.deadline) == "2027-09-30"
    revision = PlanRevision.objects.filter(workspace__slug="acme").first()
    assert revision is not None
    assert revision.summary == "added objective dealer-leads"
    assert revision.author is not None


def test_errors_show_beside_the_field_and_nothing_is_saved(client_for: Callable[[str], Client]) -> None:
    before = plan_of()
    response = client_for("owner").post(
        "/w/acme/plan/objectives/new/",
        {
            "id": "Bad Id",
            "kind": "leads",
            "statement": "",
            "kpi.metric": "x",
            "kpi.target": "lots",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="err-id"' in html
    assert "is not a valid id" in html
    assert 'id="err-kpi.target"' in html
    assert "expected a number, got &#x27;lots&#x27;" in html
    assert 'aria-invalid="true"' in html
    assert 'value="Bad Id"' in html  # what the person typed is kept
    assert plan_of() == before


def test_a_channel_is_saved_with_its_audiences_presence_and_responsibility(client_for: Callable[[str], Client]) -> None:
    response = client_for("owner").post(
        "/w/acme/plan/channels/acme-pinterest/",
        {
            "id": "acme-pinterest",
            "platform": "pinterest",
            "handle": "acmebikes",
            "purpose": "branding",
            "audiences": ["commuters"],
            "effort_hours_per_week": "2",
            "responsible.maria.mon": "1",
            "responsible.maria.thu": "1",
        },
    )
    assert response.status_code == 302
    channel = next(c for c in plan_of().channels if c.id == "acme-pinterest")
    assert channel.purpose == "branding"
    assert [(d.person, d.days) for d in channel.responsible] == [("maria", ["mon", "thu"])]


def test_a_channel_form_keeps_the_hours_of_its_conversation_calendar(client_for: Callable[[str], Client]) -> None:
    client = client_for("owner")
    form = client.get("/w/acme/plan/channels/acme-help/").content.decode()
    assert 'name="responsible.amira.hours" value="08:00-18:00"' in form  # shown, so that a save keeps it
    days = {f"responsible.amira.{d}": "1" for d in ("mon", "tue", "wed", "thu", "fri", "sat")}
    fields = {"id": "acme-help", "platform": "bluesky", "handle": "help.acme.bsky.social", "purpose": "customer_service", **days}
    assert client.post("/w/acme/plan/channels/acme-help/", {**fields, "responsible.amira.hours": "09:00-17:00"}).status_code == 302
    channel = next(c for c in plan_of().channels if c.id == "acme-help")
    assert [(d.person, d.hours) for d in channel.responsible] == [("amira", "09:00-17:00")]
    refused = client.post("/w/acme/plan/channels/acme-help/", {**fields, "responsible.amira.hours": "9-5"})
    assert "is not opening hours" in refused.content.decode()


def test_saving_fixes_the_finding_on_the_review_page(client_for: Callable[[str], Client]) -> None:
    client = client_for("owner")
    assert b"objective:deflect-support" in client.get("/w/acme/review/?code=objective.no_owner").content
    page = client.get("/w/acme/plan/objectives/deflect-support/").content.decode()
    assert "has no owner" in page
    client.post(
        "/w/acme/plan/objectives/deflect-support/",
        {
            "id": "deflect-support",
            "kind": "support_deflection",
            "statement": "Answer repair questions in public",
            "aligns_with": "cut-support-cost",
            "owner": "amira",
            "kpi.metric": "support inquiries",
            "kpi.baseline": "1400",
            "kpi.target": "1100",
            "kpi.deadline": "2027-06-30",
        },
    )
    assert b"objective:deflect-support" not in client.get("/w/acme/review/?code=objective.no_owner").content


def test_renaming_an_element_that_others_use_is_refused_with_where_it_is_used(client_for: Callable[[str], Client]) -> None:
    response = client_for("owner").post("/w/acme/plan/goals/grow-eu/", {"id": "grow-europe", "statement": "Grow EU"})
    assert response.status_code == 422
    assert "no goal with id &#x27;grow-eu&#x27;" in response.content.decode()
    assert [g.id for g in plan_of().goals] == ["grow-eu", "cut-support-cost"]


def test_deleting_an_element_that_others_use_is_refused(client_for: Callable[[str], Client]) -> None:
    client = client_for("owner")
    response = client.post("/w/acme/plan/strategies/permission-asset/delete/", follow=True)
    assert "still used by Pillar &#x27;routes&#x27;" in response.content.decode()  # in the forms' words, not the file's
    assert any(s.id == "permission-asset" for s in plan_of().strategies)


def test_two_people_editing_at_once_do_not_overwrite_each_other(client_for: Callable[[str], Client]) -> None:
    owner, strategist = client_for("owner"), client_for("strategist")
    revision = PlanRevision.objects.filter(workspace__slug="acme").first().number  # type: ignore[union-attr]
    first = owner.post("/w/acme/plan/goals/grow-eu/", {"id": "grow-eu", "statement": "First edit", "revision": revision})
    second = strategist.post("/w/acme/plan/goals/grow-eu/", {"id": "grow-eu", "statement": "Second edit", "revision": revision})
    assert first.status_code == 302
    assert second.status_code == 409
    assert "changed by someone else" in second.content.decode()
    assert plan_of().goals[0].statement == "First edit"


def test_sections_save_and_explain_errors(client_for: Callable[[str], Client]) -> None:
    client = client_for("owner")
    response = client.post(
        "/w/acme/settings/governance/", {"driver": "product", "ringleader": "jonas", "budget.amount": "-5", "budget.currency": "eur"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="err-budget.amount"' in html
    assert 'id="err-budget.currency"' in html
    response = client.post(
        "/w/acme/settings/governance/",
        {"driver": "product", "ringleader": "jonas", "budget.amount": "5000", "budget.currency": "EUR", "budget.per": "month"},
    )
    assert response.status_code == 302
    governance = plan_of().governance
    assert (governance.driver, governance.ringleader, governance.budget.amount) == ("product", "jonas", 5000)  # type: ignore[union-attr]
    assert [s.id for s in governance.stakeholders] == ["sales", "service"]  # untouched by the section form


def test_the_workspace_name_and_time_zone_follow_the_plan(client_for: Callable[[str], Client]) -> None:
    client_for("owner").post("/w/acme/settings/workspace/", {"name": "Acme Cycles", "timezone": "America/New_York"})
    workspace = Workspace.objects.get(slug="acme")
    assert (workspace.name, workspace.timezone) == ("Acme Cycles", "America/New_York")
    assert plan_of().workspace.timezone == "America/New_York"


def test_uploading_a_broken_plan_file_lists_errors_and_changes_nothing(client_for: Callable[[str], Client]) -> None:
    before = plan_of()
    response = client_for("owner").post(
        "/w/acme/file/", {"text": "strata: 1\nworkspace: {name: X}\nchannels: [{id: c, platform: bluesky, handle: h, purpose: [a, b]}]\n"}
    )
    assert response.status_code == 422
    assert "pasted plan:3:" in response.content.decode()
    assert "exactly one primary purpose" in response.content.decode()
    assert plan_of() == before


def test_history_keeps_every_revision_and_each_can_be_downloaded(client_for: Callable[[str], Client]) -> None:
    client = client_for("owner")
    client.post("/w/acme/plan/goals/grow-eu/", {"id": "grow-eu", "statement": "Changed"})
    page = client.get("/w/acme/history/").content.decode()
    assert "changed goal grow-eu" in page
    assert "imported demo.yaml" in page
    old = client.get("/w/acme/file/plan.yaml?revision=1").content.decode()
    assert "Grow EU revenue 15 % in 2027" in old


def test_inbound_text_is_escaped_everywhere_it_is_shown(client_for: Callable[[str], Client]) -> None:
    client = client_for("owner")
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    assert client.post("/w/acme/plan/goals/new/", {"id": "xss", "statement": hostile}).status_code == 302
    for url in ("/w/acme/plan/goals/", "/w/acme/plan/goals/xss/", "/w/acme/map/", "/w/acme/review/"):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url


def test_gaps_in_a_whole_list_show_on_that_list_and_the_review_links_there(client_for: Callable[[str], Client], acme: Any) -> None:
    from strata.strategy.actions import delete_element
    from strata.strategy.elements import KINDS

    for rule in ("negative-first", "questions", "praise"):
        delete_element(workspace=acme, author=None, kind=KINDS["rules"], element_id=rule)
    client = client_for("analyst")
    assert "the plan has no response rules" in client.get("/w/acme/plan/rules/").content.decode()
    assert "the plan has no response rules" not in client.get("/w/acme/plan/channels/").content.decode()
    review = client.get("/w/acme/review/?code=response_plan.missing").content.decode()
    assert 'href="/w/acme/plan/rules/"' in review


def test_a_failed_save_lists_its_problems_at_the_top_each_linked_to_its_field(client_for: Callable[[str], Client]) -> None:
    response = client_for("owner").post(
        "/w/acme/plan/objectives/new/",
        {"id": "Bad Id", "kind": "leads", "statement": "Demo rides", "kpi.metric": "x", "kpi.target": "lots"},
    )
    html = response.content.decode()
    summary = html[html.index("data-error-summary") : html.index("</div>", html.index("data-error-summary"))]
    assert 'role="alert"' in html[html.index('<div class="error-summary"') : html.index("data-error-summary")]
    assert "2 problems to fix" in summary
    assert summary.index('href="#f-id"') < summary.index('href="#f-kpi.target"')  # in the form's order
    assert "KPI › Target: expected a number" in summary
    assert 'id="f-id" name="id" value="Bad Id" required aria-invalid="true" aria-describedby="err-id help-id"' in html


def test_a_problem_inside_a_group_of_fields_shows_beside_the_group(client_for: Callable[[str], Client]) -> None:
    response = client_for("owner").post(
        "/w/acme/plan/audiences/new/", {"id": "bike-shops", "description": "Bike shops", "presence.bluesky": "many"}
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert '<div class="field-error" id="err-presence">bluesky: expected' in html
    assert "1 problem to fix" in html
    assert '<a href="#f-presence">Where they are › bluesky: expected' not in html  # the group is named once
    assert '<a href="#f-presence">Where they are: bluesky: expected' in html
    assert 'aria-invalid="true" aria-describedby="err-presence"' in html
