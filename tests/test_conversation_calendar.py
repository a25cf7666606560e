"""The conversation calendar's page (/w/<slug>/inbox/calendar/): the week of who answers each
channel with its gaps, and the form that changes a channel's duties as a revision of the plan."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from strata.accounts.models import User, Workspace
from strata.engagement.inbox import duty
from strata.strategy.actions import save_plan
from strata.strategy.models import PlanRevision
from strata.strategy.plan.dump import plan_to_data
from strata.strategy.plan.errors import PlanInvalid
from strata.strategy.plan.loader import validate_plan
from strata.strategy.review.registry import run_review
from strata.strategy.store import current_plan

URL = "/w/acme/inbox/calendar/"
SATURDAY_11 = dt.datetime(2026, 12, 5, 11, 0, tzinfo=ZoneInfo("Europe/Berlin"))
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def change_plan(workspace: Workspace, edit: Callable[[dict[str, Any]], None]) -> None:
    data = plan_to_data(current_plan(workspace).plan)
    edit(data)
    save_plan(workspace=workspace, plan=validate_plan(data, filename="test"), author=None, source="web", summary="test")


def help_channel(data: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in data["channels"] if c["id"] == "acme-help")


@pytest.fixture
def saturday_uncovered(acme: Workspace) -> Workspace:
    """The demo plan with Amira off acme-help on Saturday, a day the inbox is open 10:00-14:00."""
    change_plan(acme, lambda data: help_channel(data)["responsible"][0].update(days=WEEKDAYS))
    return acme


def text(response: Any) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))


def help_row(response: Any) -> str:
    """The words of acme-help's row of the grid."""
    found = re.search(
        r"<tr[^>]*>\s*<th scope=\"row\"><span class=\"duty-channel\">acme-help</span>.*?</tr>", response.content.decode(), re.S
    )
    assert found, "no row for acme-help"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(0))).split())


def duties(client: Client, rows: list[tuple[str, list[str], str]], **extra: str) -> Any:
    body: dict[str, Any] = {"channel": "acme-help", "rows": str(len(rows)), **extra}
    for i, (person, days, hours) in enumerate(rows):
        body |= {f"person-{i}": person, f"days-{i}": days, f"hours-{i}": hours}
    return client.post(URL, body)


def test_the_week_shows_who_answers_with_their_hours_and_names_the_gap_the_review_names(
    saturday_uncovered: Workspace, personas: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    response = client_for("responder").get(URL)
    assert response.status_code == 200
    row = help_row(response)
    assert "Amira Haddad 08:00-18:00" in row
    # Saturday is open (10:00-14:00) and nobody is on it: a gap, in words. Sunday is closed: none.
    assert "Gap on Saturday " in row
    assert "Gap on Saturday, Sunday" not in row
    assert row.count("Gap: nobody answers") == 1
    assert "inbox closed" in text(response)  # Sunday's column says it is closed
    assert "Maria Lopez all day" in " ".join(text(response).split())  # acme-bsky: a duty without hours
    findings = [f for f in run_review(current_plan(saturday_uncovered).plan).findings if f.code == "channel.inbox_uncovered"]
    assert [f.message for f in findings] == ["nobody answers 'acme-help' on sat"]
    assert 'href="/w/acme/inbox/"' in response.content.decode()


def test_a_strategist_covers_saturday_as_a_new_revision_and_the_inbox_routes_to_them(
    saturday_uncovered: Workspace, personas: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    before = current_plan(saturday_uncovered)
    assert duty.on_duty(next(c for c in before.plan.channels if c.id == "acme-help"), SATURDAY_11) == "amira"
    response = duties(
        client_for("strategist"),
        [("amira", WEEKDAYS, "08:00-18:00"), ("jonas", ["sat"], "10:00-14:00"), ("", [], "")],
        revision=str(before.revision),
    )
    assert (response.status_code, response["Location"]) == (302, URL)
    revision = PlanRevision.objects.filter(workspace=saturday_uncovered).order_by("-number").first()
    assert revision is not None
    assert revision.number == before.revision + 1
    assert (revision.author, revision.summary) == (personas["strategist"], "conversation calendar: acme-help")
    channel = next(c for c in current_plan(saturday_uncovered).plan.channels if c.id == "acme-help")
    assert duty.on_duty(channel, SATURDAY_11) == "jonas"
    assert [(d.person, d.days, d.hours) for d in channel.responsible] == [
        ("amira", WEEKDAYS, "08:00-18:00"),
        ("jonas", ["sat"], "10:00-14:00"),
    ]
    page = client_for("strategist").get(URL)
    assert "Gap" not in help_row(page)
    assert "Jonas Weber 10:00-14:00" in help_row(page)


def test_rows_are_added_and_removed_without_javascript(
    acme: Workspace, personas: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    strategist, revisions = client_for("strategist"), PlanRevision.objects.filter(workspace=acme).count()
    added = duties(strategist, [("amira", [*WEEKDAYS, "sat"], "08:00-18:00"), ("", [], "")], action="add")
    assert added.status_code == 200
    assert 'name="person-2"' in added.content.decode()  # the rows sent, and one more
    assert duties(strategist, [("amira", [*WEEKDAYS, "sat"], "08:00-18:00")]).status_code == 302  # as the plan has it
    assert PlanRevision.objects.filter(workspace=acme).count() == revisions  # neither made a revision
    duties(strategist, [("amira", [*WEEKDAYS, "sat"], "08:00-18:00"), ("maria", ["sun"], "")], **{"remove-0": "1"})
    channel = next(c for c in current_plan(acme).plan.channels if c.id == "acme-help")
    assert [(d.person, d.days, d.hours) for d in channel.responsible] == [("maria", ["sun"], None)]


@pytest.mark.parametrize("hours", ["9-17", "17:00-09:00", "09:00-12:00,11:00-13:00"])
def test_hours_the_plan_refuses_come_back_with_the_loaders_message_and_nothing_saved(
    acme: Workspace, personas: dict[str, User], client_for: Callable[[str], Client], hours: str
) -> None:
    data = plan_to_data(current_plan(acme).plan)
    help_channel(data)["responsible"][0]["hours"] = hours
    with pytest.raises(PlanInvalid) as refused:
        validate_plan(data, filename="test")
    message = refused.value.errors[0].message
    revisions = PlanRevision.objects.filter(workspace=acme).count()

    response = duties(client_for("strategist"), [("amira", [*WEEKDAYS, "sat"], hours)])
    assert response.status_code == 422
    body = response.content.decode()
    beside = re.search(r'<p class="field-error" id="d-acme-help-0-hours-err">(.*?)</p>', body)
    assert beside is not None
    assert html.unescape(beside.group(1)) == message
    assert 'aria-invalid="true" aria-describedby="d-acme-help-0-hours-err"' in body
    assert f'value="{html.escape(hours)}"' in body  # what they typed stays to be corrected
    assert PlanRevision.objects.filter(workspace=acme).count() == revisions


def test_a_change_made_meanwhile_is_a_conflict_not_a_lost_update(
    acme: Workspace, personas: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    opened = current_plan(acme).revision
    change_plan(acme, lambda data: data["people"].append({"id": "lea", "name": "Lea Roth"}))
    response = duties(client_for("owner"), [("amira", ["mon"], "")], revision=str(opened))
    assert response.status_code == 409
    assert "changed by someone else" in text(response)
    assert current_plan(acme).plan.channels[1].responsible[0].days != ["mon"]


def test_an_analyst_reads_the_calendar_but_may_not_change_it(
    acme: Workspace, personas: dict[str, User], client_for: Callable[[str], Client]
) -> None:
    analyst = client_for("analyst")
    page = analyst.get(URL)
    assert page.status_code == 200
    assert "Amira Haddad" in text(page)
    assert 'name="person-0"' not in page.content.decode()  # no form to fill in
    revisions = PlanRevision.objects.filter(workspace=acme).count()
    assert duties(analyst, [("jonas", ["sun"], "")]).status_code == 403
    assert PlanRevision.objects.filter(workspace=acme).count() == revisions
    assert client_for("outsider").get(URL).status_code == 404


def test_names_from_the_plan_are_text_not_markup(acme: Workspace, personas: dict[str, User], client_for: Callable[[str], Client]) -> None:
    hostile = '<script>alert("amira")</script>'
    change_plan(acme, lambda data: data["people"][2].update(name=hostile))
    body = client_for("strategist").get(URL).content.decode()
    assert hostile not in body
    assert html.escape(hostile) in body  # &lt;script&gt;…, as Django escapes it


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"person-0": "nobody-here", "days-0": ["mon"]}, "person", "no person with id 'nobody-here'"),
        ({"person-0": "amira", "days-0": ["someday"]}, "days", "'someday' is not one of"),
        ({"person-0": "amira"}, "days", "choose at least one day"),
        ({"days-0": ["mon"]}, "person", "choose who answers"),
        ({"person-0": "amira", "days-0": ["mon"], "hours-0": "0" * 5000}, "hours", "at most 100 characters"),
        ({"rows": "", "person-0": "amira", "days-0": ["mon"]}, "", "rows: expected the number of rows"),
    ],
)
def test_a_form_the_plan_cannot_take_is_refused_with_words_and_changes_nothing(
    acme: Workspace, personas: dict[str, User], client_for: Callable[[str], Client], body: dict[str, Any], field: str, message: str
) -> None:
    revisions = PlanRevision.objects.filter(workspace=acme).count()
    response = client_for("owner").post(URL, {"channel": "acme-help", "rows": "1", **body})
    assert response.status_code == 422
    page = response.content.decode()
    if field:
        beside = re.search(rf'<p class="field-error" id="d-acme-help-0-{field}-err">(.*?)</p>', page)
        assert beside is not None
        assert message in html.unescape(beside.group(1))
    assert message in text(response)  # in the summary above the page too
    assert PlanRevision.objects.filter(workspace=acme).count() == revisions
