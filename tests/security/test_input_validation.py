"""Every input path refuses what must not be stored: links that run script when clicked, numbers
and dates beyond what Strata can hold, and values longer than their columns. Each refusal is a
4xx naming the field, on the API, the forms, CSV import, plan files and the CLI alike."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.http import HttpResponse
from django.test import Client
from django.utils.timezone import now

from strata.accounts.actions import ActionError
from strata.accounts.models import Invitation, Workspace
from strata.publishing import actions
from strata.publishing.models import ChannelAccount, Post, Variant
from strata.strategy.actions import put_element
from strata.strategy.elements import KINDS
from strata.strategy.store import current_plan
from tests.plans import complete_plan_text

pytestmark = pytest.mark.django_db

SCRIPT_LINKS = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
]
PATHS = ["api", "form", "csv", "cli"]


def refused(response: HttpResponse, field: str, status: int = 422) -> str:
    """The answer a person must get: the right status, and the field named in it."""
    body = response.content.decode()
    assert response.status_code == status, body[:500]
    assert field in body, body[:500]
    return body


def upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("posts.csv", text.encode(), content_type="text/csv")


def csv_of(*rows: list[str], header: str = "channel,text,link,title") -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return f"{header}\n{out.getvalue()}"


def api(client: Client, token: str, method: str, url: str, body: Any) -> HttpResponse:
    send = getattr(client, method)
    response: HttpResponse = send(url, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    return response


def future(days: int = 3) -> dt.datetime:
    return now() + dt.timedelta(days=days)


def write_post(path: str, client_for: Callable[[str], Client], token_for: Callable[[str], str], **given: str) -> str:
    """Write a post for acme-bsky through one path; return what the person is told."""
    text, link, title = given.get("text", "Spring service week"), given.get("link", ""), given.get("title", "")
    if path == "api":
        variant = {"channel": "acme-bsky", "text": text, "link": link}
        response = api(Client(), token_for("owner"), "post", "/api/v1/workspaces/acme/posts", {"variants": [variant], "title": title})
        return refused(response, given["field"])
    if path == "form":
        form = {"text.acme-bsky": text, "link.acme-bsky": link, "title": title, "objective": "eu-awareness"}
        return refused(client_for("owner").post("/w/acme/posts/new/", form), given["field"])
    if path == "csv":
        response = client_for("owner").post("/w/acme/posts.csv/", {"file": upload(csv_of(["acme-bsky", text, link, title]))})
        return refused(response, f"row 2, {given['field']}")
    with pytest.raises(CommandError) as refusal:
        call_command(
            "post", "schedule", "--workspace=acme", "--channel=acme-bsky", "--objective=eu-awareness",
            f"--text={text}", f"--link={link}", f"--at={future().isoformat()}",
        )  # fmt: skip
    return str(refusal.value)


@pytest.mark.parametrize("link", SCRIPT_LINKS)
@pytest.mark.parametrize("path", PATHS)
def test_it_refuses_a_link_that_would_run_script(
    path: str, link: str, personas: Any, client_for: Callable[[str], Client], token_for: Callable[[str], str]
) -> None:
    told = write_post(path, client_for, token_for, link=link, field="link")
    assert "http" in told  # it says what is accepted instead
    assert not Variant.objects.exists()


def test_it_still_accepts_an_ordinary_link(personas: Any, client_for: Callable[[str], Client], token_for: Callable[[str], str]) -> None:
    link = "https://acme.example/spring?utm_source=bsky#service"
    variant = {"channel": "acme-bsky", "text": "Spring service week", "link": link}
    assert api(Client(), token_for("owner"), "post", "/api/v1/workspaces/acme/posts", {"variants": [variant]}).status_code == 201
    form = {"text.acme-bsky": "Spring service week", "link.acme-bsky": "mailto:shop@acme.example", "objective": "eu-awareness"}
    assert client_for("owner").post("/w/acme/posts/new/", form).status_code == 422  # a post's link is a web page
    assert [v.link for v in Variant.objects.all()] == [link]


def test_it_refuses_a_feed_address_that_would_run_script(acme: Workspace) -> None:
    """The feed's address becomes the link of every published entry, and no platform checks it."""
    add_feed_channel(acme)
    with pytest.raises(ActionError) as refusal:
        actions.connect_channel(workspace=acme, actor=None, channel_id="acme-feed", service="javascript:alert(1)", handle="feed", secret="")
    assert refusal.value.field == "service"
    assert not ChannelAccount.objects.exists()


@pytest.mark.parametrize("path", ["api", "form", "cli"])
@pytest.mark.parametrize(
    "service", ["javascript:alert(1)", "data:text/html,<b>x</b>", "file:///etc/passwd", pytest.param("x" * 10_000, id="10000-chars")]
)
def test_it_refuses_a_server_address_that_is_not_a_web_address(
    path: str, service: str, personas: Any, client_for: Callable[[str], Client], token_for: Callable[[str], str], tmp_path: Path
) -> None:
    if path == "api":
        body = {"service": service, "handle": "acme.example", "secret": "app-password"}
        refused(api(Client(), token_for("owner"), "put", "/api/v1/workspaces/acme/channels/acme-bsky/connection", body), "service")
    elif path == "form":
        form = {"channel": "acme-bsky", "service": service, "handle": "acme.example", "secret": "app-password"}
        refused(client_for("owner").post("/w/acme/channels/", form), "server address")
    else:
        secret = tmp_path / "secret"
        secret.write_text("app-password")
        with pytest.raises(CommandError, match="server address"):
            call_command(
                "channel", "connect", "--workspace=acme", "--channel=acme-bsky", f"--service={service}",
                "--handle=acme.example", f"--password-file={secret}", "--no-verify",
            )  # fmt: skip
    assert not ChannelAccount.objects.exists()


def stored_before_the_fix(workspace: Workspace, channel_id: str) -> Variant:
    """A variant whose link and platform URL were stored before links were checked."""
    data = actions.PostInput(variants=[actions.VariantInput(channel_id, "Spring service week", "https://acme.example/")], title="Spring")
    post = actions.create_post(workspace=workspace, actor=None, data=data)
    Variant.objects.filter(post=post).update(
        link="javascript:alert(document.cookie)",
        remote_url="data:text/html,<script>alert(2)</script>",
        remote_id="tag:strata,1",
        state=Variant.State.PUBLISHED,
        published_at=now(),
    )
    return post.variants.get()


def test_it_never_renders_a_stored_script_link_as_a_link(acme: Workspace, client_for: Callable[[str], Client]) -> None:
    variant = stored_before_the_fix(acme, "acme-bsky")
    Variant.objects.filter(pk=variant.pk).update(link="https://acme.example/spring", remote_url="javascript:alert(2)")
    html = client_for("owner").get(f"/w/acme/posts/{variant.post_id}/").content.decode()
    assert 'href="https://acme.example/spring"' in html  # a web link stays a link
    assert 'href="javascript:' not in html.lower()
    Variant.objects.filter(pk=variant.pk).update(link="javascript:alert(document.cookie)", remote_url="data:text/html,<b>x</b>")
    html = client_for("owner").get(f"/w/acme/posts/{variant.post_id}/").content.decode()
    assert 'href="javascript:' not in html.lower()
    assert 'href="data:' not in html.lower()
    assert "javascript:alert(document.cookie)" in html  # still shown, as text, for a person to fix


def add_feed_channel(workspace: Workspace) -> None:
    element = {"id": "acme-feed", "platform": "rss", "handle": "acme-feed", "purpose": "educating"}
    put_element(workspace=workspace, author=None, kind=KINDS["channels"], element_id=None, element=element)


def test_it_keeps_script_links_out_of_the_public_feed(acme: Workspace) -> None:
    add_feed_channel(acme)
    actions.connect_channel(
        workspace=acme, actor=None, channel_id="acme-feed", service="http://testserver/feeds/acme/acme-feed.atom", handle="feed", secret=""
    )
    stored_before_the_fix(acme, "acme-feed")
    response = Client().get("/feeds/acme/acme-feed.atom")
    assert response.status_code == 200
    assert b"javascript:" not in response.content.lower()
    assert b'href="http://testserver/feeds/acme/acme-feed.atom"' in response.content


def plan_with_budget(amount: str) -> str:
    text = complete_plan_text()
    assert "amount: 4000" in text
    return text.replace("amount: 4000", f"amount: {amount}")


@pytest.mark.parametrize("amount", [".inf", "1e400"])
@pytest.mark.parametrize("path", ["check", "put", "form"])
def test_it_refuses_a_budget_no_number_can_hold(
    path: str, amount: str, personas: Any, client_for: Callable[[str], Client], token_for: Callable[[str], str]
) -> None:
    before = current_plan(Workspace.objects.get(slug="acme")).plan.governance.budget
    if path == "check":
        refused(Client().post("/api/v1/plan/check", plan_with_budget(amount), content_type="application/yaml"), "amount")
    elif path == "put":
        response = Client().put(
            "/api/v1/workspaces/acme/plan",
            plan_with_budget(amount),
            content_type="application/yaml",
            HTTP_AUTHORIZATION=f"Bearer {token_for('owner')}",
        )
        refused(response, "amount")
    else:
        form = {"driver": "product", "ringleader": "jonas", "budget.amount": amount.lstrip("."), "budget.currency": "EUR"}
        refused(client_for("owner").post("/w/acme/settings/governance/", form), 'id="err-budget.amount"')
    assert current_plan(Workspace.objects.get(slug="acme")).plan.governance.budget == before


def test_it_refuses_a_budget_of_1e400_in_json(personas: Any, token_for: Callable[[str], str]) -> None:
    body = json.dumps({"strata": 1, "workspace": {"name": "Acme"}, "governance": {"budget": {"amount": 1}}}).replace(
        '"amount": 1', '"amount": 1e400'
    )
    response = Client().put(
        "/api/v1/workspaces/acme/plan", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token_for('owner')}"
    )
    refused(response, "amount")


@pytest.mark.parametrize("column", ["text", "link", "title"])
def test_it_names_the_row_and_column_of_a_csv_cell_over_the_csv_limit(
    column: str, personas: Any, client_for: Callable[[str], Client]
) -> None:
    cells = {"text": "Spring", "link": "https://acme.example/", "title": "Spring"}
    cells[column] = "x" * 131_073 if column != "link" else "https://acme.example/" + "x" * 131_073
    text = "channel,text,link,title\n" + "acme-bsky,{text},{link},{title}\n".format(**cells)
    body = refused(client_for("owner").post("/w/acme/posts.csv/", {"file": upload(text)}), f"row 2, {column}")
    assert len(body) < 100_000  # the cell is not repeated back


@pytest.mark.parametrize("view", ["month", "week"])
@pytest.mark.parametrize("date", ["9999-12-31", "0001-01-01", "0001-01-05", "9999-12-01"])
def test_it_answers_a_calendar_date_beyond_its_range_with_a_clear_error(
    date: str, view: str, personas: Any, client_for: Callable[[str], Client]
) -> None:
    refused(client_for("owner").get(f"/w/acme/calendar/?view={view}&date={date}"), "date:", status=400)


@pytest.mark.parametrize("view", ["month", "week"])
def test_it_offers_no_page_beyond_the_calendar_s_first_and_last_day(view: str, personas: Any, client_for: Callable[[str], Client]) -> None:
    client = client_for("owner")
    last = client.get(f"/w/acme/calendar/?view={view}&date=9998-12-31")
    assert last.status_code == 200
    assert "Later →" not in last.content.decode()
    assert "← Earlier" in last.content.decode()
    first = client.get(f"/w/acme/calendar/?view={view}&date=1900-01-01")
    assert first.status_code == 200
    assert "← Earlier" not in first.content.decode()
    assert "Later →" in first.content.decode()


# Year 1 is refused as past on every path already (an aware comparison cannot overflow).
EDGE_TIMES = ["9999-12-31T23:30:00-05:00", "9999-12-31T23:59:59+00:00", "9000-06-01T09:00:00+02:00"]


def approved_post(acme: Workspace) -> Post:
    data = actions.PostInput(variants=[actions.VariantInput("acme-bsky", "Spring service week")], objective_id="eu-awareness")
    post = actions.create_post(workspace=acme, actor=None, data=data)
    return actions.approve(post=post, actor=None)


@pytest.mark.parametrize("at", EDGE_TIMES)
@pytest.mark.parametrize("path", ["api", "form", "move", "cli", "csv"])
def test_it_refuses_a_schedule_time_at_the_edge_of_the_calendar(
    path: str, at: str, acme: Workspace, client_for: Callable[[str], Client], token_for: Callable[[str], str]
) -> None:
    post = approved_post(acme)
    if path == "api":
        response = api(Client(), token_for("owner"), "post", f"/api/v1/workspaces/acme/posts/{post.pk}/schedule", {"at": at})
        refused(response, '"field": "at"')
    elif path == "form":
        response = client_for("owner").post(f"/w/acme/posts/{post.pk}/schedule/", {"at": at[:16]}, follow=True)
        assert response.status_code == 200
        assert "that time has passed" in response.content.decode() or "too far ahead" in response.content.decode()
    elif path == "move":
        refused(client_for("owner").post(f"/w/acme/posts/{post.pk}/move/", {"date": at[:10]}), "time")
    elif path == "cli":
        with pytest.raises(CommandError, match=r"passed|too far ahead"):
            call_command(
                "post", "schedule", "--workspace=acme", "--channel=acme-bsky", "--objective=eu-awareness", "--text=Hi", f"--at={at}"
            )
    else:
        text = f"channel,text,objective,scheduled_at\nacme-bsky,Spring,eu-awareness,{at}\n"
        refused(client_for("owner").post("/w/acme/posts.csv/", {"file": upload(text)}), "row 2, scheduled_at")
    assert not Post.objects.filter(state=Post.State.SCHEDULED).exists()


LONG = "x" * 10_000


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/workspaces", {"name": LONG}, "name"),
        ("/api/v1/workspaces/acme/members", {"email": f"{LONG}@acme.example", "role": "editor"}, "email"),
        ("/api/v1/workspaces/acme/posts", {"variants": [{"channel": "acme-bsky", "text": "x" * 5_000_000}]}, "text"),
        ("/api/v1/workspaces/acme/posts", {"variants": [{"channel": "acme-bsky", "text": "Hi", "thread": [LONG + "x"]}]}, "thread"),
        (
            "/api/v1/workspaces/acme/posts",
            {"variants": [{"channel": "acme-bsky", "text": "Hi", "link": f"https://a.example/{LONG}"}]},
            "link",
        ),
        ("/api/v1/workspaces/acme/posts", {"variants": [{"channel": "acme-bsky", "text": "Hi"}], "title": LONG}, "title"),
    ],
)
def test_it_refuses_an_overlong_value_over_the_api(
    url: str, body: dict[str, Any], field: str, personas: Any, token_for: Callable[[str], str]
) -> None:
    refused(api(Client(), token_for("owner"), "post", url, body), field)
    assert not Workspace.objects.exclude(slug__in=["acme", "rival"]).exists()
    assert not Invitation.objects.exists()
    assert not Post.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("service", f"https://pds.example/{LONG}"), ("handle", LONG)])
def test_it_refuses_an_overlong_connection_over_the_api(field: str, value: str, personas: Any, token_for: Callable[[str], str]) -> None:
    body = {"service": "https://pds.example", "handle": "acme.example", "secret": "app-password", field: value}
    refused(api(Client(), token_for("owner"), "put", "/api/v1/workspaces/acme/channels/acme-bsky/connection", body), field)
    assert not ChannelAccount.objects.exists()


@pytest.mark.parametrize(
    ("path", "field"), [(p, "text") for p in PATHS] + [(p, "title") for p in PATHS if p != "cli"]
)  # no title in the CLI
def test_it_refuses_an_overlong_post_on_every_path(
    path: str, field: str, personas: Any, client_for: Callable[[str], Client], token_for: Callable[[str], str]
) -> None:
    told = write_post(path, client_for, token_for, **{field: "x" * 10_001 if field == "text" else "x" * 201}, field=field)
    assert "at most" in told
    assert not Post.objects.exists()


def test_it_refuses_an_overlong_workspace_name_in_the_action_every_path_shares(personas: Any) -> None:
    from strata.accounts.actions import create_workspace

    with pytest.raises(ActionError) as refusal:
        create_workspace(user=personas["owner"], name=LONG)
    assert refusal.value.field == "name"


def test_it_answers_a_number_field_holding_a_superscript_digit(personas: Any, client_for: Callable[[str], Client]) -> None:
    """'²' passes str.isdigit() but not int(): each such field must answer, not fail."""
    client = client_for("owner")
    response = client.post("/w/acme/publishing-settings/", {"missed_after_minutes": "²"}, follow=True)
    assert response.status_code == 200
    assert "Missed after: a number of minutes" in response.content.decode()
    assert actions.settings_for(Workspace.objects.get(slug="acme")).missed_after_minutes == 60
    assert client.get("/w/acme/file/plan.yaml?revision=²").status_code == 404
