"""Proposed plan changes (strata/strategy/proposals.py): proposed once per key, accepted as a
revision that keeps the reason, refused when the plan moved on, declined; their pages, the
API, the report's propose button (strata/analytics/reports/advice_views.py) and who may do what."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import include, path

from strata import urls as site_urls
from strata.accounts.actions import ActionError, Conflict
from strata.accounts.models import User, Workspace
from strata.strategy import actions, proposals
from strata.strategy.elements import KINDS
from strata.strategy.models import PlanProposal, PlanRevision
from strata.strategy.plan.schema import PlanDocument
from strata.strategy.proposal_diff import proposal_diff
from strata.strategy.store import current_plan
from tests.test_advice import SATURDAYS, conversations

# The site's addresses with the advice's route, wherever analytics/urls.py includes it or not yet.
urlpatterns = [*site_urls.urlpatterns, path("w/<slug:slug>/", include("strata.analytics.reports.advice_urls"))]

REASON = "acme-mastodon is not worth its 12 hours a week: 2.8 engagements an hour against 16.9 elsewhere."


def halved(workspace: Workspace) -> PlanDocument:
    plan = current_plan(workspace).plan.model_copy(deep=True)
    mastodon = next(c for c in plan.channels if c.id == "acme-mastodon")
    mastodon.effort_hours_per_week, mastodon.cadence_per_week = 6, 1.5
    return plan


def offer(workspace: Workspace, key: str = "advice:2025-03:channel-effort:acme-mastodon") -> PlanProposal:
    return proposals.propose(
        workspace, key=key, plan=halved(workspace), summary="Halve acme-mastodon", reason=REASON, evidence={"engagement_per_hour": 2.8}
    )


def test_the_same_advice_proposed_again_updates_its_open_proposal_and_leaves_an_answered_one(acme: Workspace, personas: Any) -> None:
    first = offer(acme)
    again = proposals.propose(acme, key=first.key, plan=halved(acme), summary="Halve it now", reason="newer numbers", evidence={"n": 2})
    assert again.pk == first.pk
    assert PlanProposal.objects.filter(workspace=acme).count() == 1
    assert (again.summary, again.reason, again.evidence, again.state) == ("Halve it now", "newer numbers", {"n": 2}, "open")

    proposals.decline(again, by=personas["strategist"])
    answered = offer(acme)
    assert answered.pk == first.pk
    assert (answered.state, answered.summary) == ("declined", "Halve it now")


def test_a_proposal_must_change_something(acme: Workspace) -> None:
    with pytest.raises(ActionError, match="nothing to propose"):
        proposals.propose(acme, key="advice:x", plan=current_plan(acme).plan, summary="Nothing", reason="none", evidence={})


def test_accepting_saves_the_proposed_plan_as_a_revision_with_its_reason(acme: Workspace, personas: Any) -> None:
    proposal = offer(acme)
    before = current_plan(acme).revision

    revision = proposals.accept(proposal, by=personas["strategist"])

    assert revision.number == before + 1
    assert (revision.source, revision.summary, revision.reason) == ("proposal", "Halve acme-mastodon", REASON)
    assert revision.author == personas["strategist"]
    assert next(c for c in current_plan(acme).plan.channels if c.id == "acme-mastodon").effort_hours_per_week == 6
    proposal.refresh_from_db()
    assert (proposal.state, proposal.decided_by, proposal.revision) == ("accepted", personas["strategist"], revision)
    assert proposal.decided_at is not None
    with pytest.raises(Conflict, match="accepted already"):
        proposals.accept(proposal, by=personas["owner"])


def test_a_proposal_the_plan_moved_past_is_marked_stale_and_refused_until_proposed_again(acme: Workspace, personas: Any) -> None:
    proposal = offer(acme)
    actions.put_element(workspace=acme, author=None, kind=KINDS["goals"], element_id=None, element={"id": "new", "statement": "New"})
    revisions = PlanRevision.objects.filter(workspace=acme).count()

    with pytest.raises(Conflict) as refused:
        proposals.accept(proposal, by=personas["strategist"])

    assert refused.value.message == "the plan changed since this was proposed; the next report proposes it again"
    assert PlanRevision.objects.filter(workspace=acme).count() == revisions  # nothing applied over the newer plan
    proposal.refresh_from_db()
    assert proposal.state == "stale"
    again = offer(acme)  # the next report: made against the plan as it is now
    assert (again.pk, again.state, again.based_on.number) == (proposal.pk, "open", current_plan(acme).revision)
    assert "changed goal" not in " ".join(proposal_diff(again).changes)
    proposals.accept(again, by=personas["strategist"])
    assert any(g.id == "new" for g in current_plan(acme).plan.goals)  # the later change kept


def test_declining_keeps_the_plan(acme: Workspace, personas: Any) -> None:
    proposal = offer(acme)
    before = current_plan(acme).revision
    proposals.decline(proposal, by=personas["owner"])
    assert (proposal.state, proposal.decided_by) == ("declined", personas["owner"])
    assert current_plan(acme).revision == before
    with pytest.raises(Conflict, match="declined already"):
        proposals.decline(proposal, by=personas["owner"])


def test_the_diff_marks_the_lines_and_names_the_elements(acme: Workspace) -> None:
    diff = proposal_diff(offer(acme))
    assert diff.changes == ["changed channel acme-mastodon"]
    assert [(line.kind, line.text.strip()) for line in diff.lines if line.kind in ("add", "remove")] == [
        ("remove", "effort_hours_per_week: 12"),
        ("remove", "cadence_per_week: 3"),
        ("add", "effort_hours_per_week: 6"),
        ("add", "cadence_per_week: 1.5"),
    ]
    assert "-  effort_hours_per_week: 12" in diff.text
    assert [line.where for line in diff.lines if line.kind == "hunk"] == ["channels › acme-mastodon"]


# Pages


def test_the_pages_list_show_accept_and_decline(acme: Workspace, client_for: Callable[[str], Client]) -> None:
    proposal = offer(acme)
    declined = offer(acme, key="advice:2025-03:other")
    proposals.decline(declined, by=None)
    analyst = client_for("analyst")

    listed = analyst.get("/w/acme/proposals/").content.decode()
    assert listed.index("Halve acme-mastodon") < listed.index("Answered") < listed.rindex("Halve acme-mastodon")
    page = analyst.get(f"/w/acme/proposals/{proposal.pk}/").content.decode()
    assert REASON in page
    assert '<del><span class="visually-hidden">Removed: </span>−   effort_hours_per_week: 12</del>' in page
    assert '<ins><span class="visually-hidden">Added: </span>+   effort_hours_per_week: 6</ins>' in page
    assert "Changed channel acme-mastodon" in page
    assert "Accept</button>" not in page  # an analyst reads; a strategist answers

    strategist = client_for("strategist")
    assert "Accept</button>" in strategist.get(f"/w/acme/proposals/{proposal.pk}/").content.decode()
    answer = strategist.post(f"/w/acme/proposals/{proposal.pk}/accept/", {"revision": current_plan(acme).revision}, follow=True)
    assert "Accepted: the plan is now revision" in answer.content.decode()
    history = strategist.get("/w/acme/history/").content.decode()
    assert f"Why: {REASON}" in history


def test_a_page_refuses_in_words_never_with_an_error_page(acme: Workspace, client_for: Callable[[str], Client]) -> None:
    proposal = offer(acme)
    actions.put_element(workspace=acme, author=None, kind=KINDS["goals"], element_id=None, element={"id": "new", "statement": "New"})
    strategist = client_for("strategist")
    page = strategist.get(f"/w/acme/proposals/{proposal.pk}/").content.decode()
    assert "The plan changed since this was proposed" in page
    answer = strategist.post(f"/w/acme/proposals/{proposal.pk}/accept/", follow=True)
    assert answer.status_code == 200
    assert "The plan changed since this was proposed; the next report proposes it again." in answer.content.decode()
    assert strategist.get("/w/acme/proposals/999999/").status_code == 404


def test_an_editor_may_read_but_not_answer(acme: Workspace, client_for: Callable[[str], Client]) -> None:
    proposal = offer(acme)
    editor = client_for("editor")
    assert editor.get(f"/w/acme/proposals/{proposal.pk}/").status_code == 200
    assert editor.post(f"/w/acme/proposals/{proposal.pk}/accept/").status_code == 403
    assert editor.post(f"/w/acme/proposals/{proposal.pk}/decline/").status_code == 403
    proposal.refresh_from_db()
    assert proposal.state == "open"


# API


def test_the_api_lists_shows_the_diff_and_answers(acme: Workspace, token_for: Callable[[str], str]) -> None:
    proposal = offer(acme)
    other = offer(acme, key="advice:2025-03:other")
    auth = {"Authorization": f"Bearer {token_for('strategist')}"}
    client = Client()

    listed = client.get("/api/v1/workspaces/acme/proposals", headers=auth).json()
    assert {p["id"] for p in listed} == {proposal.pk, other.pk}
    detail = client.get(f"/api/v1/workspaces/acme/proposals/{proposal.pk}", headers=auth).json()
    assert detail["changes"] == ["changed channel acme-mastodon"]
    assert "+  effort_hours_per_week: 6" in detail["diff"]
    assert detail["reason"] == REASON
    assert detail["based_on"] == current_plan(acme).revision

    accepted = client.post(f"/api/v1/workspaces/acme/proposals/{proposal.pk}/accept", content_type="application/json", headers=auth).json()
    assert (accepted["state"], accepted["revision"]) == ("accepted", current_plan(acme).revision)
    stale = client.post(
        f"/api/v1/workspaces/acme/proposals/{other.pk}/accept", data={"expected_revision": 1}, content_type="application/json", headers=auth
    )
    assert stale.status_code == 409
    assert stale.json()["detail"] == proposals.STALE_MESSAGE
    declined = client.post(f"/api/v1/workspaces/acme/proposals/{other.pk}/decline", headers=auth).json()
    assert declined["state"] == "declined"
    editor = {"Authorization": f"Bearer {token_for('editor')}"}
    assert client.post(f"/api/v1/workspaces/acme/proposals/{other.pk}/decline", headers=editor).status_code == 403
    assert client.get("/api/v1/workspaces/acme/proposals/999999", headers=auth).status_code == 404


# From a report's advice


@pytest.mark.urls(__name__)
def test_a_reports_advice_becomes_a_proposal_in_one_click_and_is_accepted_in_one_more(
    acme: Workspace, personas: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    conversations(acme, "acme-help", SATURDAYS, late=3)
    strategist = client_for("strategist")
    form = {"month": "2025-03", "kind": "monthly", "key": "sla:acme-help:sat"}

    answer = strategist.post("/w/acme/advice/propose/", form)

    proposal = PlanProposal.objects.get(workspace=acme)
    assert answer.status_code == 302
    assert answer["Location"] == f"/w/acme/proposals/{proposal.pk}/"
    assert proposal.key == "advice:2025-03:sla:acme-help:sat"
    assert proposal.summary == "Open the inbox 08:00-18:00 on Saturdays, as on its longest day."
    assert proposal.reason.startswith("acme-help misses its answer targets on Saturdays (report of March 2025). On Saturdays 2 of 5")
    assert proposal.evidence["late"] == 3
    assert strategist.post("/w/acme/advice/propose/", form).status_code == 302
    assert PlanProposal.objects.filter(workspace=acme).count() == 1  # proposed once

    strategist.post(f"/w/acme/proposals/{proposal.pk}/accept/")
    latest = PlanRevision.objects.filter(workspace=acme).first()
    assert latest is not None
    assert latest.reason == proposal.reason
    hours = current_plan(acme).plan.support.hours
    assert hours is not None
    assert hours["sat"] == "08:00-18:00"
    # The next report shows what changed since, with the reason.
    assert [r.number for r in proposals.accepted_between(acme, latest.created_at, latest.created_at + dt.timedelta(seconds=1))] == [
        latest.number
    ]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("form", "says"),
    [
        ({"month": "2025-3", "kind": "monthly", "key": "x"}, "could not be read"),
        ({"month": "2025-03", "kind": "weekly", "key": "x"}, "could not be read"),
        ({"month": "2025-03", "kind": "monthly", "key": "sla:acme-help:sun"}, "no longer gives that advice"),
        ({"month": "2999-01", "kind": "monthly", "key": "x"}, "has not begun yet"),
    ],
)
def test_advice_that_cannot_be_proposed_says_why(
    acme: Workspace, client_for: Callable[[str], Client], form: dict[str, str], says: str
) -> None:
    answer = client_for("strategist").post("/w/acme/advice/propose/", form, follow=True)
    assert answer.status_code == 200
    assert says in answer.content.decode()
    assert not PlanProposal.objects.exists()


@pytest.mark.urls(__name__)
def test_only_those_who_edit_the_plan_may_propose(acme: Workspace, client_for: Callable[[str], Client]) -> None:
    conversations(acme, "acme-help", SATURDAYS, late=3)
    form = {"month": "2025-03", "kind": "monthly", "key": "sla:acme-help:sat"}
    assert client_for("editor").post("/w/acme/advice/propose/", form).status_code == 403
    assert client_for("analyst").post("/w/acme/advice/propose/", form).status_code == 403
    assert not PlanProposal.objects.exists()
